//! Data-driven composition cases, in the style of wac-graph's `tests/graphs`.
//!
//! Each directory under `tests/cases/` is one case. A file `<role>.wit` (for example
//! `calculator.wit`) replaces that component with a synthetic one for the world named
//! after the role; every other role gets a synthetic component of its real world. The
//! case then expects either `error.txt`, the exact error message, or `wiring.txt`, the
//! exact wiring of a successful composition. A case may bring its own `policy.toml`;
//! otherwise it is composed under the built-in one. Run with `BLESS=1` to rewrite
//! expectations.

mod common;

use fusebox_compose::{Components, Input, Policy, compose};
use std::path::Path;

fn load_case(dir: &Path) -> Components {
    let input = |role: fusebox_compose::Role| {
        let wit = dir.join(format!("{}.wit", role.name()));
        let bytes = match std::fs::read_to_string(&wit) {
            Ok(source) => common::component_from_wit(&wit, &source, role.name()),
            Err(_) => common::real_component(role),
        };
        Input::from_bytes(role, format!("{}.wasm", role.name()), bytes).unwrap()
    };
    use fusebox_compose::Role::*;
    Components {
        logger: input(Logger),
        calculator: input(Calculator),
        auth: input(Auth),
        http_handler: input(HttpHandler),
        cli_virt: input(CliVirt),
    }
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
        // Named relative to the cases, so that messages are the same on every machine.
        let policy = match std::fs::read_to_string(case.join("policy.toml")) {
            Ok(text) => Policy::parse(&text, format!("{name}/policy.toml")).unwrap(),
            Err(_) => Policy::builtin(),
        };
        let (file, actual) = match compose(&load_case(case), &policy) {
            Ok(fused) => ("wiring.txt", fused.wiring_text()),
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
