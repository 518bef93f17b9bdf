//! Bad input files, atomic writes, and the proxy world's grant list. (The `fusebox
//! compose` command's own tests are in `crates/cli/tests/compose.rs`.)

mod common;

use fusebox_compose::{ComposeError, HostWorld, Input, Manifest, read_inputs, write_atomically};

fn real_manifest() -> Manifest {
    Manifest::parse(&common::real_manifest_text(), "fusebox.toml", "").unwrap()
}

#[test]
fn a_missing_file_names_the_component_the_path_and_the_manifest_line() {
    let dir = common::components_dir();
    std::fs::remove_file(dir.path().join("auth.wasm")).unwrap();
    let error = read_inputs(&real_manifest(), dir.path(), &dir.path().join("oci")).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(&error, ComposeError::Read { component, .. } if component == "auth"),
        "{error:?}"
    );
    let line = common::real_manifest_text()
        .lines()
        .position(|l| l == "[components.auth]")
        .unwrap()
        + 2;
    assert!(
        message.starts_with("cannot read the auth component at "),
        "{message}"
    );
    assert!(
        message.contains(&format!("auth.wasm (fusebox.toml:{line}): No such file")),
        "{message}"
    );
    assert!(
        message.ends_with("build it with `make compose`, or `cargo build -p auth --profile component --target wasm32-wasip2 --target-dir target/guests`"),
        "{message}"
    );
}

#[test]
fn a_file_that_is_not_wasm_is_refused() {
    let error =
        Input::from_bytes("logger", "logger.wasm", b"#!/bin/sh\necho hi\n".to_vec()).unwrap_err();
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
    let error = Input::from_bytes("calculator", "calculator.wasm", module).unwrap_err();
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
    let bytes = common::real_component("calculator");
    let error = Input::from_bytes(
        "calculator",
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

/// A manifest whose `[artifact]` names `world` (read from the repository's `wit/`),
/// with `imports` beside it.
fn with_world(world: &str, imports: &str) -> Manifest {
    let text = format!(
        "[artifact]\nworld = \"{world}\"\nwit = \"../../wit\"\nexport = \"a:b/c\"\n\
         imports = [{imports}]\n[components.x]\nsource = {{ crate = \"x\" }}\nimports = []\n"
    );
    Manifest::parse(&text, "m.toml", "").unwrap()
}

#[test]
fn the_host_world_is_read_from_wit_and_holds_every_version_to_semver() {
    let host = HostWorld::load(&with_world(
        "wasi:http/proxy@0.2.6",
        "\"wasi:config/store\"",
    ))
    .unwrap();
    assert_eq!(host.name(), Some("wasi:http/proxy@0.2.6"));
    for granted in [
        "wasi:http/types@0.2.6",
        "wasi:http/types@0.2.0",
        "wasi:io/streams@0.2.12",
        "wasi:random/random@0.2.6",
        "wasi:config/store@0.2.0-rc.1",
    ] {
        assert!(host.allows(granted), "{granted}");
    }
    for refused in [
        "wasi:filesystem/types@0.2.6",
        "wasi:sockets/tcp@0.2.6",
        "wasi:cli/environment@0.2.6",
        "wasi:http/types@0.3.0",
        "fusebox:logger/log@0.1.0",
    ] {
        assert!(!host.allows(refused), "{refused}");
    }
    assert!(host.knows_namespace("wasi:filesystem/types@0.2.6"));
    assert!(!host.knows_namespace("fusebox:logger/log@0.1.0"));
    assert_eq!(
        host.describe(),
        "the world wasi:http/proxy@0.2.6, plus wasi:config/store"
    );
}

#[test]
fn a_world_that_is_not_in_the_wit_is_refused_with_its_line() {
    for (world, reason) in [
        (
            "wasi:http/nonesuch@0.2.6",
            "world 'nonesuch' not found in package 'wasi:http@0.2.6'",
        ),
        ("acme:kv/store@1.0.0", "acme:kv@1.0.0"),
    ] {
        let error = HostWorld::load(&with_world(world, ""))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!("[artifact] world `{world}` at m.toml:2: ")),
            "{error}"
        );
        assert!(error.contains(reason), "{error}");
    }
}

#[test]
fn a_wasi_0_3_world_is_accepted_by_the_manifest_parser() {
    let text = "[artifact]\nworld = \"wasi:http/service@0.3.0\"\nexport = \"wasi:http/handler\"\n\
                [components.service]\nsource = { path = \"service.wasm\" }\nimports = [\"wasi:http/types\"]\n";
    let manifest = Manifest::parse(text, "m.toml", "").unwrap();
    let world = manifest.artifact.world.unwrap();
    assert_eq!(world.name, "wasi:http/service@0.3.0");
    assert_eq!(manifest.artifact.export, "wasi:http/handler");
}
