//! The composition as a Graphviz picture.

use crate::{Fused, Role};
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
    out.push_str("  rankdir=TB;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3ff\", fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    out.push_str("  host [label=\"host\\n(wasi:http/proxy + wasi:config/store)\", shape=component, fillcolor=\"#f4f4f4\"];\n");
    out.push_str("  clients [label=\"HTTP clients\", shape=plaintext, style=\"\"];\n");
    out.push_str("  subgraph cluster_artifact {\n    label=\"service.wasm\";\n    style=dashed;\n");
    // Only the components actually fused: cli-virt is there only when something needs it.
    let fused_roles = [
        Role::HttpHandler,
        Role::Calculator,
        Role::Auth,
        Role::Logger,
        Role::CliVirt,
    ];
    for role in fused_roles.into_iter().filter(|role| {
        *role == Role::HttpHandler
            || fused
                .wiring
                .iter()
                .any(|w| w.consumer == *role || w.provider == Some(*role))
    }) {
        let _ = writeln!(out, "    \"{0}\" [label=\"{0}\"];", role.name());
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
            "  \"http-handler\" -> clients [label=\"{export}\", style=bold];"
        );
    }
    out.push_str("}\n");
    out
}
