//! Bad input files, atomic writes, the CLI's failure behaviour, and the policy list.

mod common;

use fusebox_compose::{Components, ComposeError, Input, Role, policy, write_atomically};
use std::path::Path;
use std::process::Command;

/// A directory holding a synthetic component for every role.
fn components_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for role in common::ROLES {
        std::fs::write(
            dir.path().join(role.file_name()),
            common::real_component(role),
        )
        .unwrap();
    }
    dir
}

#[test]
fn a_missing_file_names_the_role_and_the_path() {
    let dir = components_dir();
    std::fs::remove_file(dir.path().join("auth.wasm")).unwrap();
    let error = Components::from_dir(dir.path()).unwrap_err();
    assert!(
        matches!(
            error,
            ComposeError::Read {
                role: Role::Auth,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with("cannot read the auth component at "),
        "{message}"
    );
    assert!(
        message.contains("auth.wasm") && message.contains("No such file"),
        "{message}"
    );
}

#[test]
fn a_file_that_is_not_wasm_is_refused() {
    let error = Input::from_bytes(
        Role::Logger,
        "logger.wasm",
        b"#!/bin/sh\necho hi\n".to_vec(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the logger input logger.wasm is not a WebAssembly binary (it does not start with `\\0asm`)"
    );
}

#[test]
fn a_core_module_is_refused_with_advice() {
    // The core module inside a component: what a wasm32-wasip1 build without
    // componentization would give.
    let resolve = common::resolve(&[]);
    let package = common::fusebox_package(&resolve, "calculator");
    let world = resolve
        .select_world(&[package], Some("calculator"))
        .unwrap();
    let module =
        wit_component::dummy_module(&resolve, world, wit_parser::ManglingAndAbi::Standard32);
    let error = Input::from_bytes(Role::Calculator, "calculator.wasm", module).unwrap_err();
    assert!(
        matches!(error, ComposeError::CoreModule { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("is a core WebAssembly module, not a component")
    );
}

#[test]
fn a_truncated_component_is_refused() {
    let bytes = common::real_component(Role::Calculator);
    let error = Input::from_bytes(
        Role::Calculator,
        "calculator.wasm",
        bytes[..bytes.len() / 2].to_vec(),
    )
    .unwrap_err();
    assert!(matches!(error, ComposeError::Invalid { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("the calculator input calculator.wasm is not a valid component: ")
    );
}

#[test]
fn writes_are_atomic_and_leave_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/service.wasm");
    write_atomically(&path, b"first").unwrap();
    write_atomically(&path, b"second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "artifacts are readable by their deployers");
    let entries: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(entries.len(), 1, "only the artifact remains");

    // A destination that cannot be created fails cleanly.
    let blocked = dir.path().join("nested/service.wasm/inside.wasm");
    let error = write_atomically(&blocked, b"x").unwrap_err();
    assert!(matches!(error, ComposeError::Write { .. }), "{error:?}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"second",
        "the existing artifact is untouched"
    );
}

fn run_cli(components: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fusebox-compose"))
        .arg("--components")
        .arg(components)
        .arg("--out")
        .arg(out)
        .arg("--policy")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))
        .output()
        .unwrap()
}

#[test]
fn the_cli_fuses_and_reports() {
    let components = components_dir();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("service.wasm");
    let output = run_cli(components.path(), &out);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("fusing 5 components:"), "{stdout}");
    assert!(
        stdout.contains("wasi:http/incoming-handler@0.2.6"),
        "{stdout}"
    );
    assert!(stdout.contains("wasi:config/store@0.2.0-rc.1"), "{stdout}");
    assert!(out.exists());
    assert!(out_dir.path().join("composition.dot").exists());
    let report = std::fs::read_to_string(out_dir.path().join("capabilities.md")).unwrap();
    assert!(
        report.contains("| calculator | `fusebox:logger/log@0.1.0` | logger |"),
        "{report}"
    );
    assert!(
        stdout.contains("# Capabilities of the fused artifact"),
        "{stdout}"
    );
}

#[test]
fn a_failing_cli_run_leaves_no_artifact_and_keeps_the_old_one() {
    let components = components_dir();
    let mut bad = common::real_component(Role::HttpHandler);
    bad.truncate(100);
    std::fs::write(components.path().join("http_handler.wasm"), bad).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("service.wasm");

    let output = run_cli(components.path(), &out);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("fusebox-compose: error: the http-handler input "),
        "{stderr}"
    );
    assert!(!out.exists(), "no artifact is written");

    std::fs::write(&out, b"previous artifact").unwrap();
    let output = run_cli(components.path(), &out);
    assert!(!output.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), b"previous artifact");
    assert_eq!(
        std::fs::read_dir(out_dir.path()).unwrap().count(),
        1,
        "no temporary files"
    );
}

#[test]
fn the_policy_list_is_the_vendored_proxy_world() {
    let resolve = common::resolve(&[]);
    let http = resolve
        .packages
        .iter()
        .find(|(_, p)| p.name.namespace == "wasi" && p.name.name == "http")
        .map(|(id, _)| id)
        .unwrap();
    let proxy = resolve.select_world(&[http], Some("proxy")).unwrap();
    let mut imports: Vec<String> = resolve.worlds[proxy]
        .imports
        .keys()
        .map(|key| policy::unversioned(&resolve.name_world_key(key)).to_owned())
        .collect();
    imports.sort();
    imports.dedup();
    assert_eq!(imports, policy::PROXY_IMPORTS);
}
