//! The composition as a Graphviz picture.

use crate::{Fused, Role};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Render `fused` as DOT. Edges point from provider to consumer, the way values flow;
/// several interfaces between the same two nodes share one edge label.
pub fn render(fused: &Fused) -> String {
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for wire in &fused.wiring {
        let from = wire
            .provider
            .map_or("host".to_owned(), |r| r.name().to_owned());
        edges
            .entry((from, wire.consumer.name().to_owned()))
            .or_default()
            .push(wire.import.clone());
    }
    let mut out = String::new();
    out.push_str("digraph fusebox {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3ff\", fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    out.push_str("  host [label=\"host\\n(wasi:http/proxy + wasi:config/store)\", shape=component, fillcolor=\"#f4f4f4\"];\n");
    out.push_str("  clients [label=\"HTTP clients\", shape=plaintext, style=\"\"];\n");
    out.push_str("  subgraph cluster_artifact {\n    label=\"service.wasm\";\n    style=dashed;\n");
    for role in [
        Role::HttpHandler,
        Role::Calculator,
        Role::Auth,
        Role::Logger,
        Role::CliVirt,
    ] {
        let _ = writeln!(out, "    \"{0}\" [label=\"{0}\"];", role.name());
    }
    out.push_str("  }\n");
    for ((from, to), imports) in &edges {
        let _ = writeln!(
            out,
            "  \"{from}\" -> \"{to}\" [label=\"{}\"];",
            imports.join("\\n")
        );
    }
    for export in &fused.exports {
        let _ = writeln!(
            out,
            "  \"http-handler\" -> clients [label=\"{export}\", style=bold];"
        );
    }
    out.push_str("}\n");
    out
}
