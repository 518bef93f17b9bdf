//! Resolving the wiring: which component satisfies each import, and in what order the
//! components are instantiated.
//!
//! This is pure logic over names, so the rules can be read (and tested) without building
//! a single component:
//!
//! 1. **The export.** `[artifact].export` comes from the one component that exports it,
//!    or, with `[artifact].chain`, from the chain's first component.
//! 2. **The chain.** Each component of `[artifact].chain` but the last imports the
//!    exported interface from the next: middleware in front of a service. A chain member
//!    that does not import it, or a last one that does, is an error.
//! 3. **Automatic matching.** Each import of each fused component comes from the one
//!    *other* component that exports the same interface: at the same version if one does,
//!    otherwise at a semver-compatible one (same major; same minor below 1.0; pre-releases
//!    only exactly). A `[components.<name>.wire]` entry names the provider instead.
//!    A deny stub ([`crate::deny`]) is never matched automatically: it answers only the
//!    component whose `deny` list it was made for.
//! 4. **The host.** An import that no component exports is left to the host; the closed
//!    world check then holds it to `[artifact].imports`.
//! 5. **Optional components** (`optional = true`) are fused only when something imports
//!    from them. Every other component is fused, and one that nothing imports from and
//!    that is not exported gets a warning.
//! 6. **Order.** Providers are instantiated before their consumers; ties keep the
//!    manifest's order. A cycle is an error that prints it.
//!
//! One instance per component serves every consumer: the plan names components, never
//! copies of them.

use crate::ComposeError;
use crate::manifest::{Manifest, unversioned, version};
use std::collections::BTreeSet;

/// A component's outer interface: its import and export names, with versions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interfaces {
    /// Import names, such as `fusebox:logger/log@0.1.0`.
    pub imports: Vec<String>,
    /// Export names, such as `wasi:http/incoming-handler@0.2.6`.
    pub exports: Vec<String>,
}

/// What satisfies one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedWire {
    /// The importing component.
    pub consumer: String,
    /// Its import name.
    pub import: String,
    /// The providing component and the name of its export, or `None` for the host.
    pub provider: Option<(String, String)>,
}

/// The resolved composition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The fused components, in instantiation order.
    pub order: Vec<String>,
    /// Every import of every fused component, sorted by provider (host first), then
    /// consumer, each in instantiation order, then import name.
    pub wires: Vec<PlannedWire>,
    /// The component that provides the artifact's export, and that export's name.
    pub export: (String, String),
    /// Optional components that nothing needed, left out of the artifact.
    pub left_out: Vec<String>,
    /// Things worth a look that do not stop the composition.
    pub warnings: Vec<String>,
}

/// Resolve the wiring of `manifest`, whose components have the `interfaces` given in the
/// manifest's order.
pub fn plan(manifest: &Manifest, interfaces: &[Interfaces]) -> Result<Plan, ComposeError> {
    assert_eq!(manifest.components.len(), interfaces.len());
    let names = manifest.names();
    let index = |name: &str| names.iter().position(|n| *n == name);

    // 1. The artifact's export.
    let wanted = &manifest.artifact.export;
    let export_of = |i: usize| {
        interfaces[i]
            .exports
            .iter()
            .find(|e| unversioned(e) == wanted)
            .cloned()
    };
    let chain: Vec<usize> = manifest
        .artifact
        .chain
        .iter()
        .map(|name| index(name).expect("the manifest checks chain names"))
        .collect();
    let (exporter, export) = match chain.first() {
        Some(&first) => match export_of(first) {
            Some(export) => (first, export),
            None => {
                return Err(ComposeError::MissingExport {
                    component: names[first].to_owned(),
                    interface: wanted.clone(),
                    needed_by: format!(
                        "[artifact] (its chain at {} starts with {})",
                        manifest.artifact.chain_at, names[first]
                    ),
                    exports: interfaces[first].exports.clone(),
                });
            }
        },
        None => {
            let exporters: Vec<(usize, String)> = (0..interfaces.len())
                .filter(|i| !manifest.components[*i].is_deny_stub())
                .filter_map(|i| export_of(i).map(|e| (i, e)))
                .collect();
            match exporters.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Err(ComposeError::NoExporter {
                        interface: wanted.clone(),
                        at: manifest.artifact.export_at.clone(),
                        exports: names
                            .iter()
                            .zip(interfaces)
                            .map(|(n, c)| (n.to_string(), c.exports.clone()))
                            .collect(),
                    });
                }
                many => {
                    return Err(ComposeError::AmbiguousExport {
                        interface: wanted.clone(),
                        at: manifest.artifact.export_at.clone(),
                        providers: many
                            .iter()
                            .map(|(i, _)| {
                                (names[*i].to_owned(), manifest.components[*i].at.clone())
                            })
                            .collect(),
                    });
                }
            }
        }
    };

    // 2. The chain: each member's import of the export comes from the next member.
    let mut next_in_chain: Vec<Option<usize>> = vec![None; names.len()];
    for (position, &member) in chain.iter().enumerate() {
        let spec = &manifest.components[member];
        let imports_it = interfaces[member]
            .imports
            .iter()
            .any(|i| unversioned(i) == wanted);
        let at = &manifest.artifact.chain_at;
        if let Some(rule) = spec.wire.iter().find(|r| unversioned(&r.import) == wanted) {
            return Err(ComposeError::ChainConflict {
                component: spec.name.clone(),
                why: format!(
                    "its [components.{}.wire] entry at {} also says where its `{wanted}` \
                     comes from; the chain decides that for its members, so remove the entry",
                    spec.name, rule.at
                ),
                at: at.clone(),
            });
        }
        match chain.get(position + 1) {
            Some(&next) => {
                if !imports_it {
                    return Err(ComposeError::ChainConflict {
                        component: spec.name.clone(),
                        why: format!(
                            "it does not import `{wanted}`, so it cannot pass requests on to \
                             {}; only the last member of a chain may be a plain service",
                            names[next]
                        ),
                        at: at.clone(),
                    });
                }
                if export_of(next).is_none() {
                    return Err(ComposeError::MissingExport {
                        component: names[next].to_owned(),
                        interface: wanted.clone(),
                        needed_by: format!(
                            "{} (the member before it in the chain at {at})",
                            spec.name
                        ),
                        exports: interfaces[next].exports.clone(),
                    });
                }
                next_in_chain[member] = Some(next);
            }
            None if imports_it => {
                return Err(ComposeError::ChainConflict {
                    component: spec.name.clone(),
                    why: format!(
                        "it is the last member, but it imports `{wanted}` too; add the \
                         component that serves its requests to the end of the chain"
                    ),
                    at: at.clone(),
                });
            }
            None => {}
        }
    }

    // Every wire rule must name a component, and an import of its consumer.
    for (spec, interface) in manifest.components.iter().zip(interfaces) {
        for rule in &spec.wire {
            if index(&rule.provider).is_none() {
                return Err(ComposeError::UnknownWireProvider {
                    consumer: spec.name.clone(),
                    rule: Box::new(rule.clone()),
                    known: names.join(", "),
                });
            }
            if rule.provider == spec.name {
                return Err(ComposeError::WireToSelf {
                    consumer: spec.name.clone(),
                    rule: Box::new(rule.clone()),
                });
            }
            if !interface.imports.iter().any(|i| rule.matches(i)) {
                return Err(ComposeError::WireMatchesNothing {
                    consumer: spec.name.clone(),
                    import: rule.import.clone(),
                    at: rule.at.clone(),
                    imports: interface.imports.clone(),
                });
            }
        }
    }

    // 3-5. Resolve imports, starting from every non-optional component and the exporter,
    //      and taking in each optional component the first time something needs it.
    let mut included: Vec<bool> = manifest.components.iter().map(|c| !c.optional).collect();
    included[exporter] = true;
    let mut queue: Vec<usize> = (0..names.len()).filter(|i| included[*i]).collect();
    let mut wires: Vec<Resolved> = Vec::new();
    while let Some(consumer) = queue.pop() {
        for import in &interfaces[consumer].imports {
            let provider = match next_in_chain[consumer] {
                Some(next) if unversioned(import) == wanted => {
                    let export = export_of(next).expect("checked with the chain");
                    if export != *import && !compatible(import, &export) {
                        return Err(ComposeError::VersionMismatch {
                            consumer: names[consumer].to_owned(),
                            import: import.clone(),
                            provider: names[next].to_owned(),
                            export,
                        });
                    }
                    Some((next, export))
                }
                _ => provider_of(manifest, interfaces, consumer, import)?,
            };
            if let Some((p, _)) = &provider
                && !included[*p]
            {
                included[*p] = true;
                queue.push(*p);
            }
            wires.push(Resolved {
                consumer,
                import: import.clone(),
                provider,
            });
        }
    }

    // 6. Instantiation order: providers first, ties in the manifest's order.
    let edges: BTreeSet<(usize, usize)> = wires
        .iter()
        .filter_map(|w| w.provider.as_ref().map(|(p, _)| (*p, w.consumer)))
        .collect();
    let order = topological_order(&included, &edges).map_err(|cycle| {
        let steps = cycle
            .windows(2)
            .map(|pair| {
                let import = wires
                    .iter()
                    .find(|w| {
                        w.consumer == pair[0] && w.provider.as_ref().is_some_and(|p| p.0 == pair[1])
                    })
                    .map(|w| w.import.as_str())
                    .unwrap_or_default();
                format!(
                    "{} imports `{import}` from {}",
                    names[pair[0]], names[pair[1]]
                )
            })
            .collect();
        ComposeError::Cycle {
            cycle: cycle.iter().map(|i| names[*i].to_owned()).collect(),
            steps,
        }
    })?;

    let position = |i: usize| order.iter().position(|o| *o == i).unwrap_or(usize::MAX);
    wires.sort_by(|a, b| {
        let key = |w: &Resolved| {
            (
                w.provider.as_ref().map(|(p, _)| position(*p)),
                position(w.consumer),
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.import.cmp(&b.import))
    });

    let mut warnings = Vec::new();
    for &i in &order {
        let used = i == exporter || edges.iter().any(|(p, _)| *p == i);
        if !used {
            warnings.push(format!(
                "{} ({}) is fused, but no component imports from it and [artifact] does not \
                 export it",
                names[i], manifest.components[i].at
            ));
        }
    }
    Ok(Plan {
        wires: wires
            .into_iter()
            .map(|w| PlannedWire {
                consumer: names[w.consumer].to_owned(),
                import: w.import,
                provider: w.provider.map(|(p, export)| (names[p].to_owned(), export)),
            })
            .collect(),
        order: order.iter().map(|i| names[*i].to_owned()).collect(),
        export: (names[exporter].to_owned(), export),
        left_out: (0..names.len())
            .filter(|i| !included[*i])
            .map(|i| names[i].to_owned())
            .collect(),
        warnings,
    })
}

/// A [`PlannedWire`] with components by index into the manifest.
struct Resolved {
    consumer: usize,
    import: String,
    provider: Option<(usize, String)>,
}

/// The component (by index) and export that satisfy `consumer`'s `import`, or `None` for
/// the host.
fn provider_of(
    manifest: &Manifest,
    interfaces: &[Interfaces],
    consumer: usize,
    import: &str,
) -> Result<Option<(usize, String)>, ComposeError> {
    let spec = &manifest.components[consumer];
    let interface = unversioned(import);
    let export_of = |i: usize| {
        interfaces[i]
            .exports
            .iter()
            .find(|e| unversioned(e) == interface)
            .cloned()
    };
    let mismatch = |provider: usize, export: String| ComposeError::VersionMismatch {
        consumer: spec.name.clone(),
        import: import.to_owned(),
        provider: manifest.components[provider].name.clone(),
        export,
    };

    // An explicit `wire` entry decides.
    if let Some(rule) = spec.wire.iter().find(|r| r.matches(import)) {
        let provider = manifest
            .components
            .iter()
            .position(|c| c.name == rule.provider)
            .expect("wire providers are checked first");
        let Some(export) = export_of(provider) else {
            return Err(ComposeError::MissingExport {
                component: rule.provider.clone(),
                interface: interface.to_owned(),
                needed_by: format!(
                    "{} (as [components.{}.wire] at {} says)",
                    spec.name, spec.name, rule.at
                ),
                exports: interfaces[provider].exports.clone(),
            });
        };
        if export != import && !compatible(import, &export) {
            return Err(mismatch(provider, export));
        }
        return Ok(Some((provider, export)));
    }

    // Otherwise the one other component that exports the interface.
    // A deny stub answers only the component it was made for (through `wire` rules).
    let candidates: Vec<(usize, String)> = (0..interfaces.len())
        .filter(|i| *i != consumer && !manifest.components[*i].is_deny_stub())
        .filter_map(|i| export_of(i).map(|e| (i, e)))
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    let exact: Vec<_> = candidates.iter().filter(|(_, e)| e == import).collect();
    let compatible: Vec<_> = candidates
        .iter()
        .filter(|(_, e)| compatible(import, e))
        .collect();
    let chosen = if exact.is_empty() {
        &compatible
    } else {
        &exact
    };
    match chosen.as_slice() {
        [(provider, export)] => Ok(Some((*provider, export.clone()))),
        [] => {
            let (provider, export) = candidates[0].clone();
            Err(mismatch(provider, export))
        }
        many => Err(ComposeError::Ambiguous {
            consumer: spec.name.clone(),
            import: import.to_owned(),
            providers: many
                .iter()
                .map(|(i, _)| {
                    (
                        manifest.components[*i].name.clone(),
                        manifest.components[*i].at.clone(),
                    )
                })
                .collect(),
            consumer_at: spec.at.clone(),
        }),
    }
}

/// Whether an export at `export`'s version can satisfy an import at `import`'s: the same
/// major version, or below 1.0 the same minor; pre-releases only match exactly. The
/// types are still checked, by wac-graph, when the wire is made.
pub fn compatible(import: &str, export: &str) -> bool {
    let parse = |name: &str| version(name).and_then(|v| semver::Version::parse(v).ok());
    match (parse(import), parse(export)) {
        (Some(a), Some(b)) if !a.pre.is_empty() || !b.pre.is_empty() => a == b,
        (Some(a), Some(b)) if a.major > 0 => a.major == b.major,
        (Some(a), Some(b)) if a.minor > 0 => b.major == 0 && a.minor == b.minor,
        (Some(a), Some(b)) => a == b,
        (None, None) => unversioned(import) == unversioned(export),
        _ => false,
    }
}

/// The included nodes in an order where every edge's source comes before its target,
/// picking the lowest index whenever there is a choice; or a cycle, as the node indices
/// along it (first and last the same), following edges from consumer to provider.
fn topological_order(
    included: &[bool],
    edges: &BTreeSet<(usize, usize)>,
) -> Result<Vec<usize>, Vec<usize>> {
    let mut placed = vec![false; included.len()];
    let mut order = Vec::new();
    loop {
        let ready = (0..included.len()).find(|&n| {
            included[n] && !placed[n] && edges.iter().all(|&(p, c)| c != n || placed[p])
        });
        match ready {
            Some(n) => {
                placed[n] = true;
                order.push(n);
            }
            None => break,
        }
    }
    if order.len() == included.iter().filter(|i| **i).count() {
        return Ok(order);
    }
    // Every unplaced node waits on another unplaced one: walk those waits until a node
    // repeats.
    let start = (0..included.len())
        .find(|&n| included[n] && !placed[n])
        .expect("some node is unplaced");
    let mut path = vec![start];
    loop {
        let last = *path.last().unwrap();
        let next = edges
            .iter()
            .find(|&&(p, c)| c == last && !placed[p])
            .map(|&(p, _)| p)
            .expect("an unplaced node waits on an unplaced provider");
        if let Some(at) = path.iter().position(|&n| n == next) {
            let mut cycle = path[at..].to_vec();
            cycle.push(next);
            return Err(cycle);
        }
        path.push(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(components: &[(&str, &str)]) -> Manifest {
        let mut text =
            String::from("[artifact]\nexport = \"x:app/run\"\nimports = [\"wasi:http/proxy\"]\n");
        for (name, extra) in components {
            text.push_str(&format!(
                "\n[components.{name}]\nsource = {{ crate = \"{name}\" }}\nimports = []\n{extra}\n"
            ));
        }
        Manifest::parse(&text, "m.toml", ".").unwrap()
    }

    fn component(imports: &[&str], exports: &[&str]) -> Interfaces {
        Interfaces {
            imports: imports.iter().map(|s| s.to_string()).collect(),
            exports: exports.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn wiring(plan: &Plan) -> Vec<String> {
        plan.wires
            .iter()
            .map(|w| match &w.provider {
                Some((p, e)) => format!("{p} -> {}: {} = {e}", w.consumer, w.import),
                None => format!("host -> {}: {}", w.consumer, w.import),
            })
            .collect()
    }

    #[test]
    fn shares_one_provider_and_orders_providers_first() {
        let m = manifest(&[("app", ""), ("log", ""), ("math", "")]);
        let plan = plan(
            &m,
            &[
                component(
                    &["x:log/log@0.1.0", "x:math/ops@1.0.0"],
                    &["x:app/run@0.1.0"],
                ),
                component(&["wasi:cli/stderr@0.2.6"], &["x:log/log@0.1.0"]),
                component(&["x:log/log@0.1.0"], &["x:math/ops@1.2.0"]),
            ],
        )
        .unwrap();
        assert_eq!(plan.order, ["log", "math", "app"]);
        assert_eq!(plan.export, ("app".into(), "x:app/run@0.1.0".into()));
        assert_eq!(
            wiring(&plan),
            [
                "host -> log: wasi:cli/stderr@0.2.6",
                "log -> math: x:log/log@0.1.0 = x:log/log@0.1.0",
                "log -> app: x:log/log@0.1.0 = x:log/log@0.1.0",
                "math -> app: x:math/ops@1.0.0 = x:math/ops@1.2.0",
            ]
        );
        assert!(plan.warnings.is_empty() && plan.left_out.is_empty());
    }

    #[test]
    fn the_same_version_wins_over_a_compatible_one() {
        let m = manifest(&[("app", ""), ("old", ""), ("new", "")]);
        let plan = plan(
            &m,
            &[
                component(&["x:log/log@0.1.1"], &["x:app/run"]),
                component(&[], &["x:log/log@0.1.0"]),
                component(&[], &["x:log/log@0.1.1"]),
            ],
        )
        .unwrap();
        assert_eq!(
            wiring(&plan)[0],
            "new -> app: x:log/log@0.1.1 = x:log/log@0.1.1"
        );
        assert_eq!(plan.warnings.len(), 1, "old is unused: {:?}", plan.warnings);
        assert!(
            plan.warnings[0].starts_with("old (m.toml:"),
            "{:?}",
            plan.warnings
        );
    }

    #[test]
    fn two_providers_are_ambiguous_until_a_wire_entry_settles_it() {
        let interfaces = [
            component(&["x:log/log@0.1.0"], &["x:app/run"]),
            component(&[], &["x:log/log@0.1.0"]),
            component(&[], &["x:log/log@0.1.0"]),
        ];
        let m = manifest(&[("app", ""), ("a", ""), ("b", "")]);
        let error = plan(&m, &interfaces).unwrap_err().to_string();
        assert!(
            error.starts_with("ambiguous: app imports `x:log/log@0.1.0`, which a (m.toml:"),
            "{error}"
        );
        assert!(error.contains("\"x:log/log\" = \"a\""), "{error}");

        let m = manifest(&[
            ("app", "wire = { \"x:log/log\" = \"b\" }"),
            ("a", ""),
            ("b", ""),
        ]);
        let plan = plan(&m, &interfaces).unwrap();
        assert_eq!(
            wiring(&plan)[0],
            "b -> app: x:log/log@0.1.0 = x:log/log@0.1.0"
        );
    }

    #[test]
    fn a_component_cannot_provide_its_own_import() {
        let m = manifest(&[("app", "wire = { \"x:log/log\" = \"app\" }")]);
        let error = plan(
            &m,
            &[component(
                &["x:log/log@0.1.0"],
                &["x:app/run", "x:log/log@0.1.0"],
            )],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.ends_with("[components.app.wire] takes `x:log/log` from app itself; an import comes from another component or from the host"),
            "{error}"
        );
    }

    #[test]
    fn optional_components_are_fused_only_when_needed() {
        let m = manifest(&[("app", ""), ("virt", "optional = true")]);
        let unneeded = plan(
            &m,
            &[
                component(&[], &["x:app/run"]),
                component(&[], &["wasi:cli/exit@0.2.6"]),
            ],
        )
        .unwrap();
        assert_eq!(
            (unneeded.order.as_slice(), unneeded.left_out.as_slice()),
            (&["app".to_owned()][..], &["virt".to_owned()][..])
        );
        assert!(unneeded.warnings.is_empty());
        let needed = plan(
            &m,
            &[
                component(&["wasi:cli/exit@0.2.3"], &["x:app/run"]),
                component(&[], &["wasi:cli/exit@0.2.6"]),
            ],
        )
        .unwrap();
        assert_eq!(needed.order, ["virt", "app"]);
        assert_eq!(
            wiring(&needed),
            ["virt -> app: wasi:cli/exit@0.2.3 = wasi:cli/exit@0.2.6"]
        );
    }

    #[test]
    fn a_cycle_is_printed() {
        let m = manifest(&[("app", ""), ("a", ""), ("b", "")]);
        let error = plan(
            &m,
            &[
                component(&["x:a/a@0.1.0"], &["x:app/run"]),
                component(&["x:b/b@0.1.0"], &["x:a/a@0.1.0"]),
                component(&["x:a/a@0.1.0"], &["x:b/b@0.1.0"]),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("dependency cycle: a -> b -> a (a imports `x:b/b@0.1.0` from b; b imports `x:a/a@0.1.0` from a)"),
            "{error}"
        );
    }

    #[test]
    fn incompatible_versions_are_a_mismatch() {
        let m = manifest(&[("app", ""), ("log", "")]);
        let error = plan(
            &m,
            &[
                component(&["x:log/log@0.2.0"], &["x:app/run"]),
                component(&[], &["x:log/log@0.1.0"]),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with(
                "version mismatch: app imports `x:log/log@0.2.0` but log exports `x:log/log@0.1.0`"
            ),
            "{error}"
        );
    }

    /// A manifest whose `[artifact]` has `chain = [...]`.
    fn chained(chain: &[&str], components: &[&str]) -> Manifest {
        let mut text = format!("[artifact]\nexport = \"x:http/handler\"\nchain = {chain:?}\n");
        for name in components {
            text.push_str(&format!(
                "\n[components.{name}]\nsource = {{ crate = \"{name}\" }}\nimports = []\n"
            ));
        }
        Manifest::parse(&text, "m.toml", ".").unwrap()
    }

    const HANDLER: &str = "x:http/handler@0.3.0";

    #[test]
    fn a_chain_wires_each_member_to_the_next() {
        let m = chained(
            &["outer", "inner", "service"],
            &["service", "inner", "outer"],
        );
        let middleware = || component(&[HANDLER], &[HANDLER]);
        let plan = plan(
            &m,
            &[component(&[], &[HANDLER]), middleware(), middleware()],
        )
        .unwrap();
        assert_eq!(plan.export, ("outer".into(), HANDLER.into()));
        assert_eq!(plan.order, ["service", "inner", "outer"]);
        let from = |consumer: &str| {
            plan.wires
                .iter()
                .find(|w| w.consumer == consumer)
                .and_then(|w| w.provider.clone())
                .map(|(p, _)| p)
        };
        assert_eq!(from("outer").as_deref(), Some("inner"));
        assert_eq!(from("inner").as_deref(), Some("service"));
    }

    #[test]
    fn without_a_chain_two_handlers_are_an_ambiguous_export_that_names_the_key() {
        let m = manifest(&[("mw", ""), ("service", "")]);
        let error = plan(
            &m,
            &[
                component(&["x:app/run@0.1.0"], &["x:app/run@0.1.0"]),
                component(&[], &["x:app/run@0.1.0"]),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("ambiguous export: both mw (m.toml:5) and service"),
            "{error}"
        );
        assert!(error.contains("[artifact] chain"), "{error}");
    }

    #[test]
    fn a_chain_member_out_of_place_is_named() {
        let service = || component(&[], &[HANDLER]);
        let middleware = || component(&[HANDLER], &[HANDLER]);
        for (chain, interfaces, expected) in [
            (
                vec!["a", "b"],
                vec![service(), service()],
                "[artifact] chain at m.toml:3 cannot have a where it is: it does not import \
                 `x:http/handler`, so it cannot pass requests on to b",
            ),
            (
                vec!["a", "b"],
                vec![middleware(), middleware()],
                "[artifact] chain at m.toml:3 cannot have b where it is: it is the last \
                 member, but it imports `x:http/handler` too",
            ),
            (
                vec!["a", "b"],
                vec![middleware(), component(&[], &[])],
                "the b component does not export `x:http/handler`, which a (the member \
                 before it in the chain at m.toml:3) needs",
            ),
            (
                vec!["b"],
                vec![service(), component(&[], &[])],
                "the b component does not export `x:http/handler`, which [artifact] (its \
                 chain at m.toml:3 starts with b) needs",
            ),
        ] {
            let m = chained(&chain, &["a", "b"]);
            let error = plan(&m, &interfaces).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{chain:?}: {error}");
        }
    }

    #[test]
    fn a_chain_that_names_no_component_or_one_twice_is_refused() {
        for (chain, expected) in [
            (
                "[\"a\", \"c\"]",
                "m.toml:3: [artifact] chain names `c`, which is not a component here; the \
                 components are: a, b",
            ),
            (
                "[\"a\", \"a\"]",
                "m.toml:3: [artifact] chain names `a` twice",
            ),
            ("[]", "m.toml:3: [artifact] chain is empty"),
        ] {
            let text = format!(
                "[artifact]\nexport = \"x:http/handler\"\nchain = {chain}\n\
                 [components.a]\nsource = {{ crate = \"a\" }}\nimports = []\n\
                 [components.b]\nsource = {{ crate = \"b\" }}\nimports = []\n"
            );
            let error = Manifest::parse(&text, "m.toml", ".")
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{chain}: {error}");
        }
    }

    #[test]
    fn semver_compatibility() {
        for (import, export, ok) in [
            ("a:b/c@0.2.6", "a:b/c@0.2.0", true),
            ("a:b/c@0.2.0", "a:b/c@0.3.0", false),
            ("a:b/c@1.0.0", "a:b/c@1.4.2", true),
            ("a:b/c@1.0.0", "a:b/c@2.0.0", false),
            ("a:b/c@0.0.1", "a:b/c@0.0.2", false),
            ("a:b/c@0.2.0-rc.1", "a:b/c@0.2.0-draft", false),
            ("a:b/c@0.2.0-rc.1", "a:b/c@0.2.0-rc.1", true),
            ("a:b/c", "a:b/c", true),
            ("a:b/c", "a:b/c@0.1.0", false),
        ] {
            assert_eq!(compatible(import, export), ok, "{import} from {export}");
        }
    }
}
