//! Arbitrary bytes as a component, and mutations of the real components (`make fuzz`
//! seeds the corpus with every `.wasm` in target/guests), through everything the composer
//! does before it fuses: the input checks and limits, the import and export extraction,
//! the provenance reader, the registry's component check, and `compose` itself on a
//! manifest that fuses the input with the policy check.
#![no_main]

use fusebox_compose::{Input, Manifest, Provenance, component_externs, compose};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// One component, `fuzzed`, granted the WASI CLI and logger packages, exporting the
/// handler as a service would.
fn manifest() -> &'static Manifest {
    static MANIFEST: OnceLock<Manifest> = OnceLock::new();
    MANIFEST.get_or_init(|| {
        let text = r#"
[artifact]
export = "wasi:http/incoming-handler"
imports = ["wasi:http/types", "wasi:io/*", "wasi:cli/*"]

[components.fuzzed]
source = { path = "fuzzed.wasm" }
imports = ["wasi:io/*", "wasi:cli/*", "wasi:http/types", "fusebox:logger/log"]
"#;
        Manifest::parse(text, "fusebox.toml", "").expect("the fuzz manifest parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = fusebox_registry::artifact::check_component("fuzzed", data);
    let Ok(input) = Input::from_bytes("fuzzed", "fuzzed.wasm", data.to_vec()) else {
        return;
    };
    // A component that validates always has readable imports and exports.
    let (imports, _exports) =
        component_externs(&input.bytes).expect("a valid component's externs are readable");
    let _ = manifest().check_component("fuzzed", &imports);
    let _ = Provenance::read(&input.bytes);
    if let Ok(fused) = compose(manifest(), std::slice::from_ref(&input)) {
        // What the composer writes must itself be a component it would accept.
        Input::from_bytes("fused", "fused.wasm", fused.bytes.clone())
            .expect("the composer's own output is a valid component");
    }
});
