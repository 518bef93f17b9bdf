//! The resolved composition as a WAC document: the readable, reviewable twin of the
//! graph `compose` builds, which `wac compose` turns into the same artifact.

use crate::{Fused, Manifest, package_key};
use std::fmt::Write as _;

/// Render `fused`, composed from `manifest`, as WAC. Each component is instantiated once,
/// in the same order, with each import named and taken from its provider's export; `...`
/// leaves the rest to the host, as imports of the composition.
pub fn render(fused: &Fused, manifest: &Manifest) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// {}: the composition fusebox compose resolved from {}.\n\
         // `wac compose` builds the same artifact from it: each `{}` package is that\n\
         // component's .wasm.",
        manifest.artifact.package,
        manifest.path().display(),
        package_key(manifest, "<name>"),
    );
    let _ = writeln!(out, "package {};", manifest.artifact.package);
    for name in &fused.components {
        let source = match fused.denied.iter().find(|d| d.stub == *name) {
            Some(denial) => format!(
                "the deny stub fusebox compose generates for {}'s deny list at {} \
                 (no file of its own: `wac compose` needs it made first)",
                denial.component, denial.at
            ),
            None => manifest
                .component(name)
                .map_or(String::new(), |c| c.source.to_string()),
        };
        let _ = writeln!(out, "\n// {name}: {source}");
        let wires: Vec<_> = fused
            .wiring
            .iter()
            .filter(|w| &w.consumer == name)
            .collect();
        let from_host = wires.iter().any(|w| w.provider.is_none());
        let mut arguments: Vec<String> = wires
            .iter()
            .filter_map(|w| {
                let provider = w.provider.as_ref()?;
                let export = w.export.as_ref()?;
                Some(format!("    \"{}\": {provider}[\"{export}\"],", w.import))
            })
            .collect();
        if from_host {
            arguments.push("    ...".to_owned());
        }
        let key = package_key(manifest, name);
        match arguments.as_slice() {
            [] => {
                let _ = writeln!(out, "let {name} = new {key} {{}};");
            }
            [only] if only == "    ..." => {
                let _ = writeln!(out, "let {name} = new {key} {{ ... }};");
            }
            arguments => {
                let _ = writeln!(
                    out,
                    "let {name} = new {key} {{\n{}\n}};",
                    arguments.join("\n")
                );
            }
        }
    }
    for export in &fused.exports {
        let _ = writeln!(out, "\nexport {}[\"{export}\"];", fused.exporter);
    }
    out
}
