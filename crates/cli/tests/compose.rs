//! `fusebox compose` and `fusebox inspect`: a real run on synthetic components that
//! fuses, reports, locks (`--locked`), emits WAC and inspects; and a failing run, which
//! leaves no artifact and keeps the old one.

#[path = "../../compose/tests/common/mod.rs"]
mod common;

use fusebox_compose::crate_file;
use std::path::Path;
use std::process::{Command, Output};

/// A copy of the real manifest in a directory of its own, where the CLI writes its lock.
fn manifest_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // Out of the repository, the manifest says where its world's WIT is.
    let text = common::real_manifest_text().replacen(
        "\nworld = ",
        &format!(
            "\nwit = {:?}\nworld = ",
            common::wit_dir().display().to_string()
        ),
        1,
    );
    std::fs::write(dir.path().join("fusebox.toml"), text).unwrap();
    dir
}

fn run_cli(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fusebox"))
        .args(args)
        .output()
        .unwrap()
}

fn compose_cli(manifest_dir: &Path, components: &Path, out: &Path, extra: &[&str]) -> Output {
    let manifest = manifest_dir.join("fusebox.toml");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "compose".as_ref(),
        "--manifest".as_ref(),
        manifest.as_os_str(),
        "--components".as_ref(),
        components.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    run_cli(&args)
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_cli_fuses_reports_locks_and_inspects() {
    let components = common::components_dir();
    let manifest = manifest_copy();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("service.wasm");
    let wac = out_dir.path().join("service.wac");
    let output = compose_cli(
        manifest.path(),
        components.path(),
        &out,
        &["--emit-wac", wac.to_str().unwrap()],
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("fusebox.toml: 5 components"), "{stdout}");
    assert!(
        stdout.contains("logger -> calculator: fusebox:logger/log@0.1.0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(cli-virt left out: optional, and nothing imports from it)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("wasi:http/incoming-handler@0.2.6 (from http-handler)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("# Capabilities of the fused artifact"),
        "{stdout}"
    );
    assert!(stdout.contains("digraph fusebox {"), "{stdout}");
    assert!(
        stderr.is_empty(),
        "no warnings for the real composition: {stderr}"
    );
    assert!(out.exists());
    assert!(out_dir.path().join("composition.dot").exists());
    let report = std::fs::read_to_string(out_dir.path().join("capabilities.md")).unwrap();
    assert!(
        report.contains("| calculator | `fusebox:logger/log@0.1.0` | logger |"),
        "{report}"
    );
    let wac = std::fs::read_to_string(&wac).unwrap();
    assert!(
        wac.contains("let logger = new fusebox:logger { ... };"),
        "{wac}"
    );

    // The lock records every input, the optional one too.
    let lock = std::fs::read_to_string(manifest.path().join("fusebox.lock")).unwrap();
    let manifest_text = common::real_manifest_text();
    let fused = common::NAMES
        .iter()
        .filter(|name| manifest_text.contains(&format!("[components.{name}]")));
    assert_eq!(fused.clone().count(), 5, "fusebox.toml's components");
    for name in fused {
        assert!(lock.contains(&format!("name = \"{name}\"")), "{lock}");
    }
    // --locked passes on the same inputs, and leaves the lock alone...
    let output = compose_cli(manifest.path(), components.path(), &out, &["--locked"]);
    assert!(output.status.success(), "{:?}", text(&output));
    assert!(text(&output).0.contains("every input matches"));
    // ...and refuses a changed input, naming it, without touching the artifact.
    let before = std::fs::read(&out).unwrap();
    std::fs::write(
        crate_file(components.path(), "auth"),
        common::real_component("logger"),
    )
    .unwrap();
    let output = compose_cli(manifest.path(), components.path(), &out, &["--locked"]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.starts_with("fusebox: error: ")
            && stderr.contains("fusebox.lock is out of date: the auth input (crate auth, "),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        before,
        "the artifact is untouched"
    );
    assert_eq!(
        std::fs::read_to_string(manifest.path().join("fusebox.lock")).unwrap(),
        lock
    );

    // `inspect` reads the provenance back.
    let output = run_cli(&["inspect".as_ref(), out.as_os_str()]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("provenance (fusebox-provenance):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("export:   http-handler: wasi:http/incoming-handler@0.2.6"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    logger -> calculator: fusebox:logger/log@0.1.0"),
        "{stdout}"
    );
    let digest = fusebox_registry::sha256_digest(&common::real_component("calculator"));
    let digest = digest.trim_start_matches("sha256:");
    assert!(
        stdout.contains(&format!("sha256 {digest}  crate calculator")),
        "{stdout}"
    );
    // ...and works on a component fusebox did not make.
    let plain = out_dir.path().join("calculator.wasm");
    std::fs::write(&plain, common::real_component("calculator")).unwrap();
    let (stdout, _) = text(&run_cli(&["inspect".as_ref(), plain.as_os_str()]));
    assert!(
        stdout.contains("exports:\n  fusebox:calculator/math@0.1.0\n"),
        "{stdout}"
    );
    assert!(stdout.contains("provenance: none"), "{stdout}");
}

#[test]
fn a_failing_cli_run_leaves_no_artifact_and_keeps_the_old_one() {
    let components = common::components_dir();
    let manifest = manifest_copy();
    let mut bad = common::real_component("http-handler");
    bad.truncate(100);
    std::fs::write(components.path().join("http_handler.wasm"), bad).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("service.wasm");

    let output = compose_cli(manifest.path(), components.path(), &out, &[]);
    assert!(!output.status.success());
    let (_, stderr) = text(&output);
    assert!(
        stderr.starts_with("fusebox: error: the http-handler input "),
        "{stderr}"
    );
    assert!(!out.exists(), "no artifact is written");
    assert!(
        !manifest.path().join("fusebox.lock").exists(),
        "no lock is written"
    );

    std::fs::write(&out, b"previous artifact").unwrap();
    let output = compose_cli(manifest.path(), components.path(), &out, &[]);
    assert!(!output.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), b"previous artifact");
    assert_eq!(
        std::fs::read_dir(out_dir.path()).unwrap().count(),
        1,
        "no temporary files"
    );
}
