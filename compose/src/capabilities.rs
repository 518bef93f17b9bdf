//! The capability report: who in the fused artifact can touch what, as Markdown tables
//! that read the same in a terminal and in `target/fusebox/capabilities.md`.

use crate::policy::Policy;
use crate::{Fused, Role};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Render the report for `fused`, composed under `policy`.
pub fn render(fused: &Fused, policy: &Policy) -> String {
    let mut out = String::new();
    let artifact = policy.artifact();
    let _ = writeln!(out, "# Capabilities of the fused artifact\n");
    let _ = writeln!(
        out,
        "Policy: `{}`. A component can reach only what it imports, and every import is \
         satisfied either by a sibling inside the artifact or by the host.\n",
        policy.origin().display()
    );

    let _ = writeln!(out, "## What the host must grant the artifact\n");
    let _ = writeln!(
        out,
        "Granted by `{}` at `{}`: {}.\n",
        artifact.section,
        artifact.location,
        artifact.entries.join(", ")
    );
    let mut from_host: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for wire in fused.wiring.iter().filter(|w| w.provider.is_none()) {
        from_host
            .entry(&wire.import)
            .or_default()
            .push(wire.consumer.name());
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
    for &role in &fused.components {
        let wires: Vec<_> = fused.wiring.iter().filter(|w| w.consumer == role).collect();
        let granted = policy
            .component(role)
            .map_or("(imports nothing)".to_owned(), |g| {
                format!("`{}`", g.location)
            });
        if wires.is_empty() {
            let _ = writeln!(out, "| {role} | nothing | | {granted} |");
        }
        for wire in wires {
            let provider = wire.provider.map_or("host", Role::name);
            let _ = writeln!(
                out,
                "| {role} | `{}` | {provider} | {granted} |",
                wire.import
            );
        }
    }
    out
}
