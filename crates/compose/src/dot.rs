//! The composition as a Graphviz picture.

use crate::{Fused, Manifest};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One line per package: `wasi:cli/{exit,stderr}@0.2.6`.
fn label(imports: &[String]) -> String {
    let mut packages: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for import in imports {
        let (path, version) = import.split_once('@').unwrap_or((import, ""));
        let (package, interface) = path.split_once('/').unwrap_or((path, ""));
        packages
            .entry((package.to_owned(), version.to_owned()))
            .or_default()
            .push(interface.to_owned());
    }
    let lines: Vec<String> = packages
        .into_iter()
        .map(|((package, version), interfaces)| {
            let interfaces = match interfaces.as_slice() {
                [one] => one.clone(),
                many => format!("{{{}}}", many.join(",")),
            };
            let version = if version.is_empty() {
                String::new()
            } else {
                format!("@{version}")
            };
            format!("{package}/{interfaces}{version}")
        })
        .collect();
    lines.join("\\n")
}

/// Render `fused` as DOT. Edges point from provider to consumer, the way values flow;
/// several interfaces between the same two nodes share one edge label.
pub fn render(fused: &Fused, manifest: &Manifest) -> String {
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for wire in &fused.wiring {
        let from = wire.provider.clone().unwrap_or_else(|| "host".to_owned());
        edges
            .entry((from, wire.consumer.clone()))
            .or_default()
            .push(wire.import.clone());
    }
    let artifact = manifest
        .artifact
        .out
        .file_name()
        .map_or("artifact".into(), |n| n.to_string_lossy());
    let mut out = String::new();
    out.push_str("digraph fusebox {\n");
    out.push_str("  rankdir=TB;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3ff\", fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let _ = writeln!(
        out,
        "  host [label=\"host\\n({})\", shape=component, fillcolor=\"#f4f4f4\"];",
        manifest.artifact.host_grant()
    );
    out.push_str("  clients [label=\"clients\", shape=plaintext, style=\"\"];\n");
    let _ = writeln!(
        out,
        "  subgraph cluster_artifact {{\n    label=\"{artifact}\";\n    style=dashed;"
    );
    // Top to bottom as Graphviz ranks them: the exporter first, then each component by
    // its longest distance from the exporter, ties in instantiation order.
    let mut rank: BTreeMap<&str, usize> = BTreeMap::from([(fused.exporter.as_str(), 0)]);
    for consumer in fused.components.iter().rev() {
        let Some(&below) = rank.get(consumer.as_str()) else {
            continue;
        };
        for wire in fused.wiring.iter().filter(|w| &w.consumer == consumer) {
            if let Some(provider) = &wire.provider {
                let r = rank.entry(provider).or_default();
                *r = (*r).max(below + 1);
            }
        }
    }
    let mut nodes: Vec<&String> = fused.components.iter().collect();
    nodes.sort_by_key(|name| rank.get(name.as_str()).copied().unwrap_or(usize::MAX));
    for name in nodes {
        let _ = writeln!(out, "    \"{name}\" [label=\"{name}\"];");
    }
    out.push_str("  }\n");
    for ((from, to), imports) in &edges {
        let _ = writeln!(
            out,
            "  \"{from}\" -> \"{to}\" [label=\"{}\"];",
            label(imports)
        );
    }
    for export in &fused.exports {
        let _ = writeln!(
            out,
            "  \"{}\" -> clients [label=\"{export}\", style=bold];",
            fused.exporter
        );
    }
    out.push_str("}\n");
    out
}
