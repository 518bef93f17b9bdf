//! The capability sandbox, proven on real components:
//!
//! - the composer refuses components that reach for more than their `fusebox.toml`
//!   section grants (`tests/components/overreaching-*`), naming the component, the
//!   interface and the manifest line;
//! - the host refuses the same components when handed them directly, without the composer;
//! - the capability report says who can touch what (golden file);
//! - in the fused artifact each component keeps its memory to itself: nothing at the top
//!   level can name a core memory, and no component imports or exports one.

use fusebox_compose::{ComposeError, Manifest};
use fusebox_tests::{Artifact, TestHost, components, fused, manifest, swapped};
use wasmparser::{ComponentTypeRef, Parser, Payload};

/// The overreaching test components, and the interface each reaches for.
const OVERREACHING: &[(&str, &str)] = &[
    (
        components::OVERREACHING_FILESYSTEM,
        "wasi:filesystem/types@",
    ),
    (components::OVERREACHING_SOCKETS, "wasi:sockets/tcp@"),
    (
        components::OVERREACHING_ENVIRONMENT,
        "wasi:cli/environment@",
    ),
];

/// The real manifest, with the calculator's source replaced by the component at `path`.
fn with_calculator(path: &str) -> Manifest {
    swapped("calculator", &format!(r#"{{ path = "{path}" }}"#))
}

/// The line of fusebox.toml that lists the calculator's imports.
fn calculator_grant_line() -> String {
    let line = fusebox_tests::manifest_text()
        .lines()
        .position(|l| l == "[components.calculator]")
        .expect("the manifest has a calculator section")
        + 3;
    format!("fusebox.toml:{line}")
}

#[test]
fn the_composer_refuses_each_overreaching_component_naming_the_manifest_line() {
    for (path, interface) in OVERREACHING {
        let error = fusebox_tests::compose(&with_calculator(path))
            .expect_err("an overreaching calculator must be refused");
        let message = error.to_string();
        match &error {
            ComposeError::Refused {
                component,
                imports,
                grant,
            } => {
                assert_eq!(component, "calculator", "{message}");
                assert!(
                    imports.iter().any(|i| i.starts_with(interface)),
                    "{interface} not among the refused imports: {message}"
                );
                assert_eq!(grant.section, "[components.calculator]");
            }
            other => panic!("{path}: expected a policy refusal, got: {other}"),
        }
        assert!(message.contains(interface), "{message}");
        assert!(message.contains(&calculator_grant_line()), "{message}");
        assert!(!message.contains("fusebox:logger/log"), "{message}");
    }
}

#[test]
fn granting_the_component_is_not_enough_when_the_artifact_may_not_import_it() {
    // The calculator's own section now grants the filesystem, but [artifact] (the proxy
    // world plus config) does not, so the artifact check still refuses it.
    let source = format!(r#"{{ path = "{}" }}"#, components::OVERREACHING_FILESYSTEM);
    let text = fusebox_tests::swapped_text("calculator", &source).replace(
        &format!("source = {source}\nimports = [\"fusebox:logger/log\"]"),
        &format!(
            "source = {source}\nimports = [\"fusebox:logger/log\", \"wasi:filesystem/*\", \
             \"wasi:cli/*\", \"wasi:io/*\", \"wasi:clocks/*\"]"
        ),
    );
    let granting = Manifest::parse(&text, "granting.toml", fusebox_tests::repo()).unwrap();
    assert!(
        granting
            .component("calculator")
            .unwrap()
            .grant
            .allows("wasi:filesystem/types")
    );
    let error =
        fusebox_tests::compose(&granting).expect_err("the artifact may not import the filesystem");
    let message = error.to_string();
    assert!(
        matches!(error, ComposeError::ClosedWorld { .. }),
        "{message}"
    );
    assert!(
        message.contains("`wasi:filesystem/types@0.2.6`, imported by calculator"),
        "{message}"
    );
}

#[tokio::test]
async fn a_denied_import_is_answered_inside_the_artifact_and_traps_naming_the_call() {
    // overreaching-sockets' `add` sends its operands over TCP. Denied wasi:sockets (and
    // granted only what std needs besides), it fuses with an honest grant: the artifact
    // does not import sockets, a generated stub answers them, and the call traps there.
    let source = format!(r#"{{ path = "{}" }}"#, components::OVERREACHING_SOCKETS);
    let text = fusebox_tests::swapped_text("calculator", &source).replace(
        &format!("source = {source}\nimports = [\"fusebox:logger/log\"]"),
        &format!(
            "source = {source}\nimports = [\"fusebox:logger/log\", \"wasi:cli/*\", \
             \"wasi:io/*\", \"wasi:clocks/*\"]\ndeny = [\"wasi:sockets/*\"]"
        ),
    );
    let denying = Manifest::parse(&text, "denying.toml", fusebox_tests::repo()).unwrap();
    let fused = fusebox_tests::compose(&denying).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        fused.imports.iter().all(|i| !i.starts_with("wasi:sockets")),
        "the artifact imports sockets: {:?}",
        fused.imports
    );
    let denial = match fused.denied.as_slice() {
        [one] => one,
        other => panic!("expected one denial, got {other:?}"),
    };
    assert_eq!(
        (denial.component.as_str(), denial.stub.as_str()),
        ("calculator", "calculator-deny")
    );
    assert!(
        denial
            .imports
            .iter()
            .any(|i| i.starts_with("wasi:sockets/tcp@")),
        "{:?}",
        denial.imports
    );
    assert!(
        denial
            .imports
            .iter()
            .all(|i| i.starts_with("wasi:sockets/"))
    );
    let report = fused.capability_report(&denying);
    assert!(report.contains("## What is denied"), "{report}");
    assert!(
        report.contains(
            "| calculator | `wasi:sockets/tcp@0.2.6` | calculator-deny (denied: traps) |"
        ),
        "{report}"
    );

    let host = TestHost::new(
        &fused.bytes,
        &[(auth_token::KEY_CONFIG, fusebox_tests::TEST_KEY)],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let token = fusebox_tests::token("alice", &["calc"], 3600, fusebox_tests::TEST_KEY);
    let call = |path: &str| {
        hyper::Request::post(format!("http://fusebox.test{path}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(fusebox_tests::body(r#"{"a":40,"b":2}"#))
            .unwrap()
    };
    // What does not touch the network still works.
    let reply = host.send(call("/v1/subtract")).await;
    assert_eq!(
        reply.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&reply.body)
    );
    // `add` reaches for a socket: the stub traps, and says who asked for what.
    let reply = host.send(call("/v1/add")).await;
    assert_eq!(reply.status, 500);
    let fusebox_runtime::runtime::Outcome::Trapped(why) = &reply.outcome else {
        panic!("expected a trap, got {:?}", reply.outcome);
    };
    assert!(
        why.contains("in calculator-deny: denied: calculator may not call wasi:sockets/"),
        "{why}"
    );
}

#[test]
fn the_host_refuses_each_overreaching_component_handed_to_it_directly() {
    for (path, _) in OVERREACHING {
        let component = std::fs::read(path).unwrap();
        let message = TestHost::new(&component, &[])
            .err()
            .unwrap_or_else(|| panic!("the host instantiated {path}"))
            .to_string();
        assert!(message.contains("does not grant"), "{message}");
        // Wasmtime names the first import it cannot satisfy: one the proxy world lacks.
        assert!(
            ["wasi:cli/environment", "wasi:filesystem/", "wasi:sockets/"]
                .iter()
                .any(|i| message.contains(i)),
            "{message}"
        );
    }
}

#[test]
fn the_capability_report_matches_the_golden_file() {
    let report = fused().capability_report(manifest());
    fusebox_tests::golden("tests/golden/capabilities.md", &report);
}

#[test]
fn the_wasi_0_3_report_shows_the_middleware_chain() {
    let p3 = Artifact::P3.fused();
    assert_eq!(p3.chain, ["auth-middleware", "http-service"]);
    assert_eq!(p3.exporter, "auth-middleware");
    let report = Artifact::P3
        .fused()
        .capability_report(&Artifact::P3.manifest());
    fusebox_tests::golden("tests/golden/capabilities-p3.md", &report);
    assert!(
        report.contains("clients → `auth-middleware` → `http-service`"),
        "{report}"
    );
    // The artifact carries it too, for `fusebox inspect`.
    let provenance = fusebox_compose::provenance::Provenance::read(&p3.bytes)
        .unwrap()
        .expect("the artifact has its provenance");
    assert_eq!(provenance.chain, p3.chain);
    // Without middleware there is no chain to record.
    assert!(fused().provenance.chain.is_empty());
}

#[test]
fn the_pure_components_are_the_same_files_in_the_wasi_0_2_and_0_3_artifacts() {
    let digest = |fused: &fusebox_compose::Fused, name: &str| {
        fused
            .provenance
            .inputs
            .iter()
            .find(|input| input.name == name)
            .unwrap_or_else(|| panic!("{name} is fused"))
            .sha256
            .clone()
    };
    for name in ["logger", "calculator", "auth"] {
        assert_eq!(
            digest(fused(), name),
            digest(Artifact::P3.fused(), name),
            "{name} differs between the two artifacts"
        );
    }
}

/// What a component (at some nesting depth) holds and shares.
#[derive(Debug, Default)]
struct Census {
    /// Core memories its core modules define.
    memories_defined: usize,
    /// Core modules or core instances at this level.
    core_items: usize,
    /// Core modules imported or exported at the component level.
    modules_shared: usize,
}

/// Count, per nesting depth of components, what can hold or reach a linear memory.
fn census(bytes: &[u8]) -> Vec<(usize, Census)> {
    let mut stack: Vec<(bool, usize)> = Vec::new(); // (is component, census index)
    let mut censuses: Vec<(usize, Census)> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.expect("the artifact parses");
        let depth = stack.iter().filter(|(component, _)| *component).count();
        match payload {
            Payload::Version { encoding, .. } => {
                let is_component = matches!(encoding, wasmparser::Encoding::Component);
                let index = if is_component {
                    censuses.push((depth + 1, Census::default()));
                    censuses.len() - 1
                } else {
                    stack.last().map_or(0, |(_, i)| *i)
                };
                stack.push((is_component, index));
            }
            Payload::End(_) => {
                stack.pop();
            }
            Payload::MemorySection(section) => {
                let index = stack.last().unwrap().1;
                censuses[index].1.memories_defined += section.count() as usize;
            }
            Payload::ModuleSection { .. } | Payload::InstanceSection(_) => {
                let index = stack.last().unwrap().1;
                censuses[index].1.core_items += 1;
            }
            Payload::ComponentImportSection(section) => {
                let index = stack.last().unwrap().1;
                for import in section {
                    if matches!(import.unwrap().ty, ComponentTypeRef::Module(_)) {
                        censuses[index].1.modules_shared += 1;
                    }
                }
            }
            Payload::ComponentExportSection(section) => {
                let index = stack.last().unwrap().1;
                for export in section {
                    if export.unwrap().kind == wasmparser::ComponentExternalKind::Module {
                        censuses[index].1.modules_shared += 1;
                    }
                }
            }
            _ => {}
        }
    }
    censuses
}

#[test]
fn each_fused_component_keeps_its_memory_to_itself() {
    let censuses = census(&fused().bytes);
    let (outer_depth, outer) = &censuses[0];
    assert_eq!(*outer_depth, 1);
    // The artifact's own level only instantiates components and wires their functions:
    // it holds no core module or instance, so nothing there can name a memory.
    assert_eq!(outer.core_items, 0, "{outer:?}");
    assert_eq!(outer.memories_defined, 0, "{outer:?}");

    // Each fused component brings its own memory, defined inside it, and neither
    // imports nor exports a core module (the only way to share one). What crosses
    // between them is component functions, whose arguments the canonical ABI copies
    // from one memory into the other.
    let inner: Vec<&Census> = censuses
        .iter()
        .filter(|(depth, _)| *depth == 2)
        .map(|(_, c)| c)
        .collect();
    assert_eq!(inner.len(), fused().components.len(), "{censuses:?}");
    for census in &inner {
        assert!(census.memories_defined >= 1, "{census:?}");
        assert_eq!(census.modules_shared, 0, "{census:?}");
    }
}
