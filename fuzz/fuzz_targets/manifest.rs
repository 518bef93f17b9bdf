//! `fusebox.toml` and `fusebox.lock` from arbitrary bytes: parsed, then, when the manifest
//! parses, checked and wired as the composer would, against components whose imports and
//! exports are those of the real ones. The result is a plan or a clear error, never a
//! panic, and a manifest error always starts with the file and, where a line is to
//! blame, the line.
#![no_main]

use fusebox_compose::wiring::{Interfaces, plan};
use fusebox_compose::{ComposeError, Manifest, lock::Lock};
use libfuzzer_sys::fuzz_target;

/// The real components' outer interfaces, handed out to the fuzzed manifest's components
/// in turn.
fn real_interfaces() -> Vec<Interfaces> {
    let names = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
    vec![
        Interfaces {
            imports: names(&["wasi:cli/stderr@0.2.6", "wasi:io/streams@0.2.6"]),
            exports: names(&["fusebox:logger/log@0.1.0"]),
        },
        Interfaces {
            imports: names(&["fusebox:logger/log@0.1.0"]),
            exports: names(&["fusebox:calculator/calculate@0.1.0"]),
        },
        Interfaces {
            imports: names(&["wasi:config/store@0.2.0-rc.1", "fusebox:logger/log@0.1.0"]),
            exports: names(&["fusebox:auth/verify@0.1.0"]),
        },
        Interfaces {
            imports: names(&[
                "wasi:http/types@0.2.6",
                "fusebox:auth/verify@0.1.0",
                "fusebox:calculator/calculate@0.1.0",
                "fusebox:logger/log@0.1.0",
            ]),
            exports: names(&["wasi:http/incoming-handler@0.2.6"]),
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The lock file is read with the same TOML parser; it must refuse, never panic.
    let _ = Lock::parse(text, std::path::Path::new("fusebox.lock"));

    let manifest = match Manifest::parse(text, "fusebox.toml", "") {
        Ok(manifest) => manifest,
        Err(ComposeError::ManifestInvalid { detail, .. }) => {
            let line = detail
                .strip_prefix("fusebox.toml:")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            let file_level = detail.starts_with("fusebox.toml: the manifest has no [components")
                || detail.contains("-byte limit on a manifest");
            assert!(
                line || file_level,
                "a manifest error without its line: {detail}"
            );
            return;
        }
        Err(other) => panic!("a manifest error of the wrong kind: {other}"),
    };
    let pool = real_interfaces();
    let interfaces: Vec<Interfaces> = (0..manifest.components.len())
        .map(|i| pool[i % pool.len()].clone())
        .collect();
    for (spec, interfaces) in manifest.components.iter().zip(&interfaces) {
        let _ = manifest.check_component(&spec.name, &interfaces.imports);
    }
    if let Ok(plan) = plan(&manifest, &interfaces) {
        // Every fused component is instantiated once, and every wire names one of them.
        let mut order = plan.order.clone();
        order.sort();
        order.dedup();
        assert_eq!(
            order.len(),
            plan.order.len(),
            "a component instantiated twice"
        );
        for wire in &plan.wires {
            assert!(plan.order.contains(&wire.consumer), "{wire:?}");
            if let Some((provider, _)) = &wire.provider {
                assert!(plan.order.contains(provider), "{wire:?}");
            }
        }
    }
});
