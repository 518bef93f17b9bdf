//! The real fused artifact: its wiring against golden files, its imports against the
//! closed world it targets, its WAC twin, its provenance, and the manifest's promise that
//! components are swapped by their `source` line alone.

#[path = "../../crates/compose/tests/common/mod.rs"]
mod common;

use fusebox_compose::{Provenance, component_externs, read_inputs};
use fusebox_tests::{Artifact, components, fused, manifest, swapped};
use std::collections::BTreeMap;
use wac_graph::types::BorrowedPackageKey;
use wac_graph::{CompositionGraph, EncodeOptions, NodeKind};

/// The `wasi:cli` interfaces Rust std links that the proxy world lacks.
fn is_stray_cli(import: &str) -> bool {
    ["environment", "exit", "terminal-"]
        .iter()
        .any(|i| import.starts_with(&format!("wasi:cli/{i}")))
}

#[test]
fn the_wiring_matches_the_golden_file() {
    fusebox_tests::golden("tests/golden/wiring.txt", &fused().wiring_text());
}

/// The picture in the README is rendered from this file (`make docs`).
#[test]
fn the_graph_matches_the_documented_one() {
    fusebox_tests::golden("docs/composition.dot", &fused().to_dot(manifest()));
}

#[test]
fn one_logger_instance_serves_every_component() {
    let log_consumers: Vec<&str> = fused()
        .wiring
        .iter()
        .filter(|w| w.import.starts_with("fusebox:logger/log@"))
        .map(|w| {
            assert_eq!(w.provider.as_deref(), Some("logger"));
            w.consumer.as_str()
        })
        .collect();
    assert_eq!(log_consumers, ["calculator", "auth", "http-handler"]);
}

#[test]
fn the_no_std_components_import_no_stray_cli_interfaces_and_leave_cli_virt_out() {
    assert!(!fused().wiring.iter().any(|w| is_stray_cli(&w.import)));
    assert_eq!(fused().left_out, ["cli-virt"]);
    assert!(fused().warnings.is_empty(), "{:?}", fused().warnings);
}

#[test]
fn a_std_component_s_stray_cli_imports_are_answered_by_cli_virt() {
    // A calculator built with std that reads an environment variable. Granted std's
    // wasi:cli and wasi:io imports, it composes, and its environment comes from cli-virt
    // (empty), never from the host.
    let source = format!(r#"{{ path = "{}" }}"#, components::OVERREACHING_ENVIRONMENT);
    let text = fusebox_tests::manifest_text();
    let swapped = swapped("calculator", &source);
    let granted = text.replace(
        "source = { crate = \"calculator\" }\nimports = [\"fusebox:logger/log\"]",
        &format!(
            "source = {source}\nimports = [\"fusebox:logger/log\", \"wasi:cli/*\", \"wasi:io/*\"]"
        ),
    );
    assert_ne!(granted, text, "the calculator's section is as expected");
    let granted =
        fusebox_compose::Manifest::parse(&granted, "fusebox.toml", fusebox_tests::repo()).unwrap();

    // Under the calculator's own grant it is refused...
    let error = fusebox_tests::compose(&swapped).unwrap_err().to_string();
    assert!(error.contains("wasi:cli/environment@"), "{error}");

    // ...and with std's imports granted, cli-virt answers the stray ones.
    let fused = fusebox_tests::compose(&granted).unwrap();
    let stray: Vec<_> = fused
        .wiring
        .iter()
        .filter(|w| is_stray_cli(&w.import))
        .collect();
    assert!(
        stray
            .iter()
            .any(|w| w.import.starts_with("wasi:cli/environment@")),
        "std imports wasi:cli/environment and friends: {stray:?}"
    );
    for wire in stray {
        assert_eq!(
            (wire.provider.as_deref(), wire.consumer.as_str()),
            (Some("cli-virt"), "calculator"),
            "{wire:?}"
        );
    }
}

/// The lines that differ between two texts of the same length, as (old, new) pairs.
fn changed_lines<'a>(old: &'a str, new: &'a str) -> Vec<(&'a str, &'a str)> {
    assert_eq!(
        old.lines().count(),
        new.lines().count(),
        "lines were added or removed"
    );
    old.lines()
        .zip(new.lines())
        .filter(|(a, b)| a != b)
        .collect()
}

#[test]
fn swapping_a_source_line_swaps_the_component() {
    let source = r#"{ crate = "misbehaving-calculator" }"#;
    let real = fusebox_tests::manifest_text();
    let text = fusebox_tests::swapped_text("calculator", source);
    assert_eq!(
        changed_lines(&real, &text),
        [(
            r#"source = { crate = "calculator" }"#,
            r#"source = { crate = "misbehaving-calculator" }"#
        )]
    );
    let manifest = swapped("calculator", source);
    let fused = fusebox_tests::compose(&manifest).unwrap();
    // The same wiring under the same grant, but for the logger: the misbehaving
    // calculator never logs, so it does not import it.
    let expected = fusebox_tests::fused()
        .wiring_text()
        .replace("logger -> calculator: fusebox:logger/log@0.1.0\n", "");
    assert_eq!(fused.wiring_text(), expected);
    let calculator = |f: &fusebox_compose::Fused| {
        f.provenance
            .inputs
            .iter()
            .find(|i| i.name == "calculator")
            .map(|i| (i.source.clone(), i.sha256.clone()))
            .unwrap()
    };
    let (source, digest) = calculator(&fused);
    assert_eq!(source, "crate misbehaving-calculator");
    assert_ne!(digest, calculator(fusebox_tests::fused()).1);
}

#[test]
fn the_artifact_exports_only_the_handler_and_imports_only_the_closed_world() {
    let fused = fused();
    let host = fusebox_compose::HostWorld::load(manifest()).unwrap();
    assert_eq!(host.name(), Some("wasi:http/proxy@0.2.6"));
    assert_eq!(fused.exports, ["wasi:http/incoming-handler@0.2.6"]);
    for import in &fused.imports {
        assert!(host.allows(import), "{import}");
    }
    assert!(
        fused
            .imports
            .iter()
            .any(|i| i.starts_with("wasi:config/store@"))
    );
}

#[test]
fn the_artifact_targets_the_service_world() {
    let resolve = common::resolve(&[]);
    let service = common::fusebox_package(&resolve, "service");
    let world = resolve.select_world(&[service], Some("service")).unwrap();
    wit_component::targets(&resolve, world, &fused().bytes)
        .expect("the artifact fits wasi:http/proxy + wasi:config/store");
}

#[test]
fn the_artifact_carries_its_provenance() {
    let provenance = Provenance::read(&fused().bytes)
        .unwrap()
        .expect("a provenance section");
    assert_eq!(provenance, fused().provenance);
    assert_eq!(provenance.manifest, "fusebox.toml");
    assert_eq!(
        provenance.export,
        "http-handler: wasi:http/incoming-handler@0.2.6"
    );
    let names: Vec<&str> = provenance.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, fused().components);
    let inputs = read_inputs(
        manifest(),
        std::path::Path::new(components::COMPONENTS_DIR),
        &fusebox_tests::oci_store(),
    )
    .unwrap();
    for record in &provenance.inputs {
        let input = inputs.iter().find(|i| i.name == record.name).unwrap();
        assert_eq!(record.sha256, input.sha256(), "{}", record.name);
        assert_eq!(record.size, input.bytes.len() as u64);
    }
    let wiring: Vec<String> = fused().wiring_text().lines().map(str::to_owned).collect();
    assert_eq!(provenance.wiring, wiring);
}

/// `provider -> consumer: import` for every import of every instance in `graph`, sorted:
/// `host` for an import that no argument satisfies (WAC's `...` leaves those to the
/// host). Packages are named `namespace:component`.
fn graph_wiring(graph: &CompositionGraph) -> Vec<String> {
    let component = |node: wac_graph::NodeId| {
        let package = graph[node]
            .package()
            .expect("an instantiation has a package");
        let name = graph[package].name();
        name.split_once(':').map_or(name, |(_, n)| n).to_owned()
    };
    let mut lines = Vec::new();
    for node in graph.node_ids() {
        if !matches!(graph[node].kind(), NodeKind::Instantiation(_)) {
            continue;
        }
        let arguments: BTreeMap<&str, _> = graph.get_instantiation_arguments(node).collect();
        let package = graph[node].package().unwrap();
        let world = &graph.types()[graph[package].ty()];
        for import in world.imports.keys() {
            let provider = match arguments.get(import.as_str()) {
                Some(argument) => match graph.get_alias_source(*argument) {
                    Some((instance, _)) => component(instance),
                    None => "host".to_owned(),
                },
                None => "host".to_owned(),
            };
            lines.push(format!("{provider} -> {}: {import}", component(node)));
        }
    }
    lines.sort();
    lines
}

#[test]
fn the_emitted_wac_resolves_to_the_same_composition() {
    let manifest = manifest();
    let wac = fused().to_wac(manifest);
    let document = wac_parser::Document::parse(&wac).unwrap_or_else(|e| panic!("{e}\n{wac}"));

    // Resolve it against the same component files, as `wac compose` would.
    let inputs = read_inputs(
        manifest,
        std::path::Path::new(components::COMPONENTS_DIR),
        &fusebox_tests::oci_store(),
    )
    .unwrap();
    let keys: BTreeMap<String, Vec<u8>> = inputs
        .iter()
        .map(|i| {
            (
                fusebox_compose::package_key(manifest, &i.name),
                i.bytes.clone(),
            )
        })
        .collect();
    let packages = keys
        .iter()
        .map(|(key, bytes)| {
            (
                BorrowedPackageKey::from_name_and_version(key, None),
                bytes.clone(),
            )
        })
        .collect();
    let resolution = document
        .resolve(packages)
        .unwrap_or_else(|e| panic!("{e:?}\n{wac}"));
    let encoded = resolution.encode(EncodeOptions::default()).unwrap();

    // The same imports and exports as fusebox's own artifact...
    let (mut imports, exports) = component_externs(&encoded).unwrap();
    let mut expected_imports = fused().imports.clone();
    imports.sort();
    expected_imports.sort();
    assert_eq!(imports, expected_imports);
    assert_eq!(exports, fused().exports);

    // ...and the same wiring, instance by instance.
    let mut expected: Vec<String> = fused().wiring_text().lines().map(str::to_owned).collect();
    expected.sort();
    assert_eq!(graph_wiring(resolution.graph()), expected, "{wac}");
}

#[test]
fn the_polyglot_manifest_differs_only_in_the_calculator_source() {
    let real = fusebox_tests::manifest_text();
    let polyglot =
        std::fs::read_to_string(fusebox_tests::repo().join("examples/polyglot/fusebox.toml"))
            .unwrap();
    assert_eq!(
        changed_lines(&real, &polyglot),
        [(
            r#"source = { crate = "calculator" }"#,
            r#"source = { path = "../../target/guests/python/calculator_py.wasm" }"#
        )]
    );
}

#[test]
fn the_c_manifest_differs_only_in_the_calculator_source() {
    let real = fusebox_tests::manifest_text();
    let c = std::fs::read_to_string(fusebox_tests::repo().join("examples/c/fusebox.toml")).unwrap();
    assert_eq!(
        changed_lines(&real, &c),
        [(
            r#"source = { crate = "calculator" }"#,
            r#"source = { path = "../../target/guests/c/calculator_c.wasm" }"#
        )]
    );
}

#[test]
fn the_zig_manifest_differs_only_in_the_calculator_source() {
    let real = fusebox_tests::manifest_text();
    let zig =
        std::fs::read_to_string(fusebox_tests::repo().join("examples/zig/fusebox.toml")).unwrap();
    assert_eq!(
        changed_lines(&real, &zig),
        [(
            r#"source = { crate = "calculator" }"#,
            r#"source = { path = "../../target/guests/zig/calculator_zig.wasm" }"#
        )]
    );
}

#[test]
fn the_zig_calculator_is_freestanding_and_imports_only_the_logger() {
    let bytes = std::fs::read(components::CALCULATOR_ZIG).unwrap();
    let (imports, exports) = component_externs(&bytes).unwrap();
    assert_eq!(imports, ["fusebox:logger/log@0.1.0"]);
    assert_eq!(exports, ["fusebox:calculator/math@0.1.0"]);
    assert!(bytes.len() < 32 * 1024, "{} bytes", bytes.len());
    let zig = Artifact::Zig.fused();
    assert_eq!(zig.wiring_text(), fused().wiring_text());
    assert_eq!(zig.imports, fused().imports);
}

#[test]
fn the_c_calculator_is_freestanding_and_imports_only_the_logger() {
    // No libc and no WASI: the component imports what its world declares, exports the
    // interface, and is a few kilobytes.
    let bytes = std::fs::read(components::CALCULATOR_C).unwrap();
    let (imports, exports) = component_externs(&bytes).unwrap();
    assert_eq!(imports, ["fusebox:logger/log@0.1.0"]);
    assert_eq!(exports, ["fusebox:calculator/math@0.1.0"]);
    assert!(bytes.len() < 16 * 1024, "{} bytes", bytes.len());

    let c = Artifact::C.fused();
    assert_eq!(c.wiring_text(), fused().wiring_text());
    assert_eq!(c.imports, fused().imports);
}

#[test]
fn the_c_logger_is_freestanding_and_imports_what_the_rust_logger_does() {
    // The same world as components/logger: the wall clock and stderr (with the wasi:io
    // types stderr's stream comes with), and nothing from a C library or WASI preview 1.
    let bytes = std::fs::read(components::LOGGER_C).unwrap();
    let (imports, exports) = component_externs(&bytes).unwrap();
    let (rust_imports, rust_exports) =
        component_externs(&std::fs::read(components::LOGGER).unwrap()).unwrap();
    let sorted = |mut names: Vec<String>| {
        names.sort();
        names
    };
    assert_eq!(sorted(imports), sorted(rust_imports));
    assert_eq!(exports, rust_exports);
    assert_eq!(exports, ["fusebox:logger/log@0.1.0"]);
    assert!(bytes.len() < 16 * 1024, "{} bytes", bytes.len());
}

#[test]
fn the_mixed_manifest_differs_only_in_two_source_lines_and_fuses_the_same_wiring() {
    // Its header comment is its own; every other line is fusebox.toml's but the logger's
    // and the calculator's sources.
    let real = fusebox_tests::manifest_code("fusebox.toml");
    let mixed = fusebox_tests::manifest_code("examples/mixed/fusebox.toml");
    assert_eq!(
        changed_lines(&real, &mixed),
        [
            (
                r#"source = { crate = "logger" }"#,
                r#"source = { path = "../../target/guests/c/logger_c.wasm" }"#
            ),
            (
                r#"source = { crate = "calculator" }"#,
                r#"source = { path = "../../target/guests/python/calculator_py.wasm" }"#
            ),
        ]
    );
    let mixed = Artifact::Mixed.fused();
    assert_eq!(mixed.wiring_text(), fused().wiring_text());
    assert_eq!(mixed.imports, fused().imports);
}

#[test]
fn the_js_manifest_differs_in_the_calculator_source_and_its_deny_line() {
    let real = fusebox_tests::manifest_text();
    let js =
        std::fs::read_to_string(fusebox_tests::repo().join("examples/js/fusebox.toml")).unwrap();
    // The one line added: the imports componentize-js adds are denied.
    let deny = r#"deny = ["wasi:http/*", "wasi:io/*"]"#;
    assert_eq!(js.lines().filter(|l| *l == deny).count(), 1, "{js}");
    let without: String = js
        .lines()
        .filter(|l| *l != deny)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        changed_lines(&real, &without),
        [(
            r#"source = { crate = "calculator" }"#,
            r#"source = { path = "../../target/guests/js/calculator_js.wasm" }"#
        )]
    );
}

#[test]
fn the_js_calculator_is_fused_with_an_honest_grant() {
    // componentize-js imports wasi:io and wasi:http/types, at newer versions than the
    // rest of the artifact, whatever the code does.
    let bytes = std::fs::read(components::CALCULATOR_JS).unwrap();
    let (imports, _) = component_externs(&bytes).unwrap();
    assert!(
        imports.iter().any(|i| i.starts_with("wasi:http/types@")),
        "{imports:?}"
    );
    assert!(imports.contains(&"fusebox:logger/log@0.1.0".to_owned()));

    // Denied, they are answered by a stub, and the artifact imports exactly what the
    // all-Rust one does: the host hands the calculator nothing new, at one version each.
    let js = Artifact::Js.fused();
    assert_eq!(js.imports, fused().imports);
    let denial = match js.denied.as_slice() {
        [one] => one,
        other => panic!("expected one denial, got {other:?}"),
    };
    assert_eq!(denial.component, "calculator");
    let mut stray: Vec<&String> = imports.iter().filter(|i| i.starts_with("wasi:")).collect();
    stray.sort();
    let mut denied: Vec<&String> = denial.imports.iter().collect();
    denied.sort();
    assert_eq!(denied, stray);
    let report = js.capability_report(&Artifact::Js.manifest());
    assert!(report.contains("## What is denied"), "{report}");
}

#[test]
fn the_python_calculator_imports_only_the_logger() {
    // componentize-py with --stub-wasi: CPython's WASI imports become trapping stubs.
    let bytes = std::fs::read(components::CALCULATOR_PY).unwrap();
    let (imports, exports) = component_externs(&bytes).unwrap();
    assert_eq!(imports, ["fusebox:logger/log@0.1.0"]);
    // Besides the interface, componentize-py exports an item named plainly `exports`: no
    // interface name, so nothing can import it, and the artifact does not export it.
    let interfaces: Vec<&String> = exports.iter().filter(|e| e.contains(':')).collect();
    assert_eq!(interfaces, ["fusebox:calculator/math@0.1.0"]);

    // Fused, it is wired like the Rust one, and the artifact imports exactly what the
    // all-Rust one does.
    let polyglot = Artifact::Polyglot.fused();
    assert_eq!(polyglot.wiring_text(), fused().wiring_text());
    assert_eq!(polyglot.imports, fused().imports);
    let report = polyglot.capability_report(&Artifact::Polyglot.manifest());
    let calculator: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("| calculator |"))
        .collect();
    assert_eq!(
        calculator,
        [
            "| calculator | `fusebox:logger/log@0.1.0` | logger | `examples/polyglot/fusebox.toml:41` |"
        ]
    );
}
