//! The capability report: who in the fused artifact can touch what, as Markdown tables
//! that read the same in a terminal and in `target/fusebox/capabilities.md`.

use crate::{Fused, Manifest};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Render the report for `fused`, composed from `manifest`.
pub fn render(fused: &Fused, manifest: &Manifest) -> String {
    let mut out = String::new();
    let artifact = &manifest.artifact.grant;
    let _ = writeln!(out, "# Capabilities of the fused artifact\n");
    let _ = writeln!(
        out,
        "Manifest: `{}`. A component can reach only what it imports, and every import is \
         satisfied either by a sibling inside the artifact or by the host.\n",
        manifest.path().display()
    );

    if fused.chain.len() > 1 {
        let _ = writeln!(out, "## How a request flows\n");
        let _ = writeln!(
            out,
            "clients → {}: each answers a request itself or passes it on to the next \
             through `{}` (`[artifact] chain` at `{}`).\n",
            fused
                .chain
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" → "),
            fused.exports.join(", "),
            manifest.artifact.chain_at
        );
    }

    let _ = writeln!(out, "## What the host must grant the artifact\n");
    let _ = writeln!(
        out,
        "Granted by `{}` at `{}`: {}.\n",
        artifact.section,
        artifact.location,
        manifest.artifact.host_grant()
    );
    let mut from_host: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for wire in fused.wiring.iter().filter(|w| w.provider.is_none()) {
        from_host
            .entry(&wire.import)
            .or_default()
            .push(&wire.consumer);
    }
    let _ = writeln!(out, "| host interface | used directly by |");
    let _ = writeln!(out, "|---|---|");
    for import in &fused.imports {
        let users = from_host
            .get(import.as_str())
            .map_or(String::new(), |u| u.join(", "));
        let _ = writeln!(out, "| `{import}` | {users} |");
    }

    let _ = writeln!(out, "\n## What each component may touch\n");
    let _ = writeln!(out, "| component | imports | provided by | granted at |");
    let _ = writeln!(out, "|---|---|---|---|");
    for name in &fused.components {
        let wires: Vec<_> = fused
            .wiring
            .iter()
            .filter(|w| &w.consumer == name)
            .collect();
        // A deny stub holds to the grant of the component it answers.
        let owner = fused
            .denied
            .iter()
            .find(|d| d.stub == *name)
            .map_or(name.as_str(), |d| d.component.as_str());
        let granted = manifest
            .component(owner)
            .map_or(String::new(), |c| format!("`{}`", c.grant.location));
        if wires.is_empty() {
            let _ = writeln!(out, "| {name} | nothing | | {granted} |");
        }
        for wire in wires {
            let provider = match wire.provider.as_deref() {
                None => "host".to_owned(),
                Some(p) if fused.denied.iter().any(|d| d.stub == p) => {
                    format!("{p} (denied: traps)")
                }
                Some(p) => p.to_owned(),
            };
            let _ = writeln!(
                out,
                "| {name} | `{}` | {provider} | {granted} |",
                wire.import
            );
        }
    }
    if !fused.denied.is_empty() {
        let _ = writeln!(out, "\n## What is denied\n");
        let _ = writeln!(
            out,
            "Imports a component has but must never reach. A stub generated from the \
             component's own WIT answers each inside the artifact, and every one of its \
             functions traps, naming the caller and the call: the host never provides them.\n"
        );
        let _ = writeln!(
            out,
            "| component | denied imports | answered by | denied at |"
        );
        let _ = writeln!(out, "|---|---|---|---|");
        for denial in &fused.denied {
            let imports: Vec<String> = denial.imports.iter().map(|i| format!("`{i}`")).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | `{}` |",
                denial.component,
                imports.join(", "),
                denial.stub,
                denial.at
            );
        }
    }
    if !fused.left_out.is_empty() {
        let _ = writeln!(
            out,
            "\nLeft out, because nothing imports from them: {}.",
            fused.left_out.join(", ")
        );
    }
    out
}
