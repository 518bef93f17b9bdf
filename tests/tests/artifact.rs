//! The real fused artifact: its wiring against golden files, and its imports against the
//! closed world it targets.

#[path = "../../compose/tests/common/mod.rs"]
mod common;

use fusebox_compose::{Policy, Role, policy};
use fusebox_tests::fused;
use std::path::Path;

#[test]
fn the_wiring_matches_the_golden_file() {
    fusebox_tests::golden("tests/golden/wiring.txt", &fused().wiring_text());
}

/// The picture in the README is rendered from this file (`make docs`).
#[test]
fn the_graph_matches_the_documented_one() {
    fusebox_tests::golden("docs/composition.dot", &fused().to_dot());
}

#[test]
fn one_logger_instance_serves_every_component() {
    let wiring = &fused().wiring;
    let log_consumers: Vec<Role> = wiring
        .iter()
        .filter(|w| w.import.starts_with("fusebox:logger/log@"))
        .map(|w| {
            assert_eq!(w.provider, Some(Role::Logger));
            w.consumer
        })
        .collect();
    assert_eq!(
        log_consumers,
        [Role::Calculator, Role::Auth, Role::HttpHandler]
    );
}

#[test]
fn the_no_std_components_import_no_stray_cli_interfaces() {
    assert!(
        !fused()
            .wiring
            .iter()
            .any(|w| policy::is_stray_cli(&w.import))
    );
}

#[test]
fn a_std_component_s_stray_cli_imports_are_answered_by_cli_virt() {
    // The misbehaving calculator uses std, like a component someone else might write.
    let dir = Path::new(fusebox_tests::components::COMPONENTS_DIR);
    let mut components = fusebox_compose::Components::from_dir(dir).unwrap();
    components.calculator = fusebox_compose::Input::read(
        Role::Calculator,
        fusebox_tests::components::MISBEHAVING_CALCULATOR,
    )
    .unwrap();
    let fused =
        fusebox_compose::compose(&components, &fusebox_tests::std_calculator_policy()).unwrap();
    let stray: Vec<_> = fused
        .wiring
        .iter()
        .filter(|w| policy::is_stray_cli(&w.import))
        .collect();
    assert!(
        !stray.is_empty(),
        "std imports wasi:cli/environment and friends"
    );
    for wire in stray {
        assert_eq!(
            (wire.provider, wire.consumer),
            (Some(Role::CliVirt), Role::Calculator),
            "{wire:?}"
        );
    }
    for import in &fused.imports {
        assert!(Policy::builtin().artifact_may_import(import), "{import}");
    }
}

#[test]
fn the_artifact_exports_only_the_handler_and_imports_only_the_closed_world() {
    let fused = fused();
    assert_eq!(fused.exports, ["wasi:http/incoming-handler@0.2.6"]);
    for import in &fused.imports {
        assert!(Policy::builtin().artifact_may_import(import), "{import}");
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
