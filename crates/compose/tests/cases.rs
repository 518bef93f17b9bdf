//! Data-driven composition cases, in the style of wac-graph's `tests/graphs`.
//!
//! Each directory under `tests/cases/` is one case:
//! - `fusebox.toml`, the manifest to compose; without one, the repository's own;
//! - `<name>.wit`, optional, replaces the component `<name>` with a synthetic one for
//!   the world called `<name>` in that file. Every other `{ crate = … }` source gets a
//!   synthetic component of the real world of that crate; `{ path = … }` sources are
//!   read as they are, relative to the case;
//! - `fusebox.lock`, optional: the inputs are checked against it first, as `--locked`
//!   does;
//! - the expectation: `error.txt`, the exact error message, or `wiring.txt`, the exact
//!   wiring of a successful composition followed by its warnings.
//!
//! Run with `BLESS=1` to rewrite expectations.

mod common;

use fusebox_compose::manifest::Source;
use fusebox_compose::{ComposeError, Lock, Manifest, compose, crate_file, read_inputs};
use std::path::Path;

/// Compose the case in `dir`, called `name`, and give its outcome.
fn run_case(dir: &Path, name: &str) -> Result<String, ComposeError> {
    // Paths in messages are relative to this crate (cargo's working directory for tests),
    // so that messages are the same on every machine.
    let (text, path, base) = match std::fs::read_to_string(dir.join("fusebox.toml")) {
        Ok(text) => (
            text,
            format!("{name}/fusebox.toml"),
            format!("tests/cases/{name}"),
        ),
        Err(_) => (
            common::real_manifest_text(),
            "fusebox.toml".into(),
            "../..".into(),
        ),
    };
    let manifest = Manifest::parse(&text, path, base)?;

    let built = tempfile::tempdir().unwrap();
    for spec in &manifest.components {
        if let Source::Crate(krate) = &spec.source {
            let wit = dir.join(format!("{}.wit", spec.name));
            let bytes = match std::fs::read_to_string(&wit) {
                Ok(source) => common::component_from_wit(&wit, &source, &spec.name),
                Err(_) => common::real_component(krate),
            };
            std::fs::write(crate_file(built.path(), krate), bytes).unwrap();
        }
    }
    let inputs = read_inputs(&manifest, built.path(), &built.path().join("oci"))?;
    if let Ok(lock) = Lock::read(&dir.join("fusebox.lock")) {
        let lock_path = Path::new(name).join("fusebox.lock");
        lock.check(&Lock::new(&manifest, &inputs)?, &lock_path, &manifest)?;
    }
    let fused = compose(&manifest, &inputs)?;
    let warnings: String = fused
        .warnings
        .iter()
        .map(|w| format!("warning: {w}\n"))
        .collect();
    Ok(fused.wiring_text() + &warnings)
}

#[test]
fn composition_cases() {
    let bless = std::env::var_os("BLESS").is_some();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());

    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (file, actual) = match run_case(case, &name) {
            Ok(wiring) => ("wiring.txt", wiring),
            Err(error) => ("error.txt", format!("{error}\n")),
        };
        let expected_path = case.join(file);
        if bless {
            let _ = std::fs::remove_file(case.join("error.txt"));
            let _ = std::fs::remove_file(case.join("wiring.txt"));
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{name}: expected {file}:\n{expected}\ngot:\n{actual}"
            )),
            Err(_) => failures.push(format!(
                "{name}: produced {file}, which the case does not expect:\n{actual}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
