//! Fuse the components a manifest names into one deployable component.
//!
//! `fusebox.toml` ([`Manifest`]) lists the components: where each comes from and what it
//! may import. [`compose`] builds a [wac-graph](wac_graph) composition graph from it,
//! knowing no component or interface by name:
//!
//! 1. register every component as a package, holding its imports to its grant;
//! 2. resolve the wiring ([`wiring::plan`]): each import comes from the one component
//!    that exports it, or from the host;
//! 3. instantiate each fused component **once**, providers first, so that one instance
//!    serves every consumer (what `wac plug` cannot express);
//! 4. wire each import to its provider's export (wac-graph checks the types);
//! 5. export `[artifact].export`;
//! 6. hold whatever is left for the host to `[artifact].world` and `[artifact].imports`,
//!    the closed world ([`HostWorld`]);
//! 7. encode, validate, check the result against the world with wit-component's
//!    `targets`, and embed the [`Provenance`].
//!
//! Every call between the fused components is then a function call inside one artifact,
//! while each keeps its own linear memory. Errors name the component, the interface and,
//! where a manifest line is to blame, that line. [`write_atomically`] puts the artifact in place without
//! ever leaving a partial file.
//!
//! ```no_run
//! use fusebox_compose::{compose, read_inputs, write_atomically, Manifest};
//! use std::path::Path;
//!
//! let manifest = Manifest::from_file(Path::new("fusebox.toml"))?;
//! let inputs = read_inputs(
//!     &manifest,
//!     Path::new("target/guests/wasm32-wasip2/component"),
//!     Path::new("target/fusebox/oci"),
//! )?;
//! let fused = compose(&manifest, &inputs)?;
//! write_atomically(&manifest.artifact.out, &fused.bytes)?;
//! # Ok::<(), fusebox_compose::ComposeError>(())
//! ```

pub mod build;
mod capabilities;
pub mod deny;
mod dot;
mod error;
mod inputs;
pub mod limits;
pub mod lock;
pub mod manifest;
pub mod provenance;
mod wac;
pub mod wiring;
pub mod world;

pub use error::{ComposeError, StrayImport};
pub use inputs::{
    GUEST_COMPONENTS_DIR, GUEST_TARGET_DIR, Input, OCI_STORE_DIR, crate_file, hex, read_inputs,
};
pub use lock::{InputRecord, Lock};
pub use manifest::Manifest;
pub use provenance::Provenance;
pub use world::HostWorld;

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::Path;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, InstantiationArgumentError, NodeId, PackageId};
use wiring::{Interfaces, Plan};

/// One satisfied import: `consumer` gets `import` from `provider`, or from the host
/// when `provider` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    /// The exporting component, or `None` for the host.
    pub provider: Option<String>,
    /// The importing component.
    pub consumer: String,
    /// The consumer's import name.
    pub import: String,
    /// The provider's export name, when it is not the host: the same interface, at the
    /// same or a semver-compatible version.
    pub export: Option<String>,
}

/// Imports a component may not reach, answered inside the artifact by a generated stub
/// whose functions trap (its `deny` list; see [`deny`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// The component whose imports are denied.
    pub component: String,
    /// The stub fused to answer them, such as `calculator-deny`.
    pub stub: String,
    /// The denied imports, with their versions.
    pub imports: Vec<String>,
    /// Where the `deny` list is written, as `file:line`.
    pub at: String,
}

/// A fused artifact and what went into it.
#[derive(Debug, Clone)]
pub struct Fused {
    /// The encoded, validated component, with its provenance section.
    pub bytes: Vec<u8>,
    /// The artifact's imports, as the host must satisfy them.
    pub imports: Vec<String>,
    /// The artifact's exports.
    pub exports: Vec<String>,
    /// The component the artifact's export comes from.
    pub exporter: String,
    /// The path a call to the export takes: the exporter, then each component it passes
    /// the call on to through the same interface (`[artifact].chain`): `auth-middleware`,
    /// `http-service`. Just the exporter when nothing is chained.
    pub chain: Vec<String>,
    /// Every import of every fused component and what satisfies it: host imports first,
    /// then by provider and consumer in instantiation order.
    pub wiring: Vec<Wire>,
    /// The components fused into the artifact, in instantiation order.
    pub components: Vec<String>,
    /// Optional components that nothing needed, so they were left out.
    pub left_out: Vec<String>,
    /// The imports answered by deny stubs, one record per component with a `deny` list
    /// that matched something.
    pub denied: Vec<Denial>,
    /// Things worth a look that did not stop the composition, such as unused components.
    pub warnings: Vec<String>,
    /// How the artifact was made, as embedded in it.
    pub provenance: Provenance,
}

impl Fused {
    /// The wiring as Graphviz DOT: one node per component plus the host, one edge per
    /// pair that share interfaces.
    pub fn to_dot(&self, manifest: &Manifest) -> String {
        dot::render(self, manifest)
    }

    /// Who can touch what: the host interfaces the artifact needs and which components
    /// use them, then every component's imports with their provider and the manifest
    /// line that grants them, as Markdown.
    pub fn capability_report(&self, manifest: &Manifest) -> String {
        capabilities::render(self, manifest)
    }

    /// The resolved graph as a WAC document (`let logger = new ns:logger { … };`), which
    /// `wac compose` turns into the same composition.
    pub fn to_wac(&self, manifest: &Manifest) -> String {
        wac::render(self, manifest)
    }

    /// The wiring as plain text, one `provider -> consumer: import` line per wire.
    pub fn wiring_text(&self) -> String {
        self.wiring
            .iter()
            .map(|w| {
                let from = w.provider.as_deref().unwrap_or("host");
                format!("{from} -> {}: {}\n", w.consumer, w.import)
            })
            .collect()
    }
}

/// Fuse `inputs`, one per component of `manifest` in any order, as the manifest says:
/// refusing any import its component's grant does not cover, and any artifact import
/// outside `[artifact].imports`.
pub fn compose(manifest: &Manifest, inputs: &[Input]) -> Result<Fused, ComposeError> {
    let host = HostWorld::load(manifest)?;
    let mut graph = Graph::new(manifest);

    // 1. Register each component as a package of the graph, and hold its imports to its
    //    grant (or its `deny` list) before wiring anything.
    let mut interfaces = Vec::with_capacity(manifest.components.len());
    let mut denied = Vec::new();
    let mut warnings = Vec::new();
    for spec in &manifest.components {
        let input = inputs.iter().find(|i| i.name == spec.name).ok_or_else(|| {
            ComposeError::Graph(anyhow::anyhow!("no input for the {} component", spec.name))
        })?;
        let found = graph.register(input)?;
        let imports = manifest.check_component(&spec.name, &found.imports)?;
        for entry in &spec.deny.entries {
            if !found
                .imports
                .iter()
                .any(|i| manifest::Grant::entry_allows(entry, i))
            {
                warnings.push(format!(
                    "{}'s deny entry `{entry}` at {} matches none of its imports",
                    spec.name, spec.deny.location
                ));
            }
        }
        if !imports.is_empty() {
            denied.push(Denial {
                component: spec.name.clone(),
                stub: deny::stub_name(&spec.name),
                imports,
                at: spec.deny.location.clone(),
            });
        }
        interfaces.push(found);
    }

    // 1b. A generated stub for each component's denied imports, wired to it alone.
    let with_stubs;
    let mut all_inputs = inputs.to_vec();
    let manifest = match denied.is_empty() {
        true => manifest,
        false => {
            let mut extended = manifest.clone();
            for denial in &denied {
                let input = deny_stub(manifest, inputs, denial)?;
                interfaces.push(graph.register(&input)?);
                extended.add_deny_stub(&denial.component, &denial.stub, &denial.imports);
                all_inputs.push(input);
            }
            with_stubs = extended;
            &with_stubs
        }
    };
    let inputs = all_inputs.as_slice();

    // 2. Resolve the wiring from the components' own imports and exports.
    let mut plan = wiring::plan(manifest, &interfaces)?;
    plan.warnings.extend(warnings);
    plan.warnings.extend(split_versions(&plan));

    // 3. Instantiate each fused component once, providers first: every consumer of a
    //    component shares its one instance.
    for name in &plan.order {
        graph.instantiate(name);
    }

    // 4. Wire each import to its provider's export; wac-graph checks that the types agree.
    for wire in &plan.wires {
        if let Some((provider, export)) = &wire.provider {
            graph.wire(provider, export, &wire.consumer, &wire.import)?;
        }
    }

    // 5. Export the one interface the artifact offers.
    let (exporter, export) = &plan.export;
    graph.export(exporter, export)?;

    // 6. Whatever is left unwired is the host's to provide: [artifact].world or
    //    [artifact].imports must grant it.
    let from_host = plan.wires.iter().filter(|w| w.provider.is_none());
    check_closed_world(&host, &plan, from_host.map(|w| w.import.as_str()))?;

    // 7. Encode (wac-graph validates the result), check it against the world, then
    //    embed the provenance.
    let mut fused = graph.encode(manifest, &host, inputs, plan)?;
    fused.denied = denied;
    Ok(fused)
}

/// A warning for each interface the host would have to provide at more than one
/// version, naming the versions and who imports each: `wasi:io/poll` at 0.2.6 for the
/// logger and 0.2.12 for a calculator built with a newer toolchain. Hosts that link
/// semver-compatible versions to one implementation (wasmtime, and the runtimes built on
/// it) serve both, but the artifact's imports say more than they need to.
fn split_versions(plan: &Plan) -> Vec<String> {
    use std::collections::BTreeMap;
    let mut by_interface: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for wire in plan.wires.iter().filter(|w| w.provider.is_none()) {
        let version = manifest::version(&wire.import).unwrap_or("unversioned");
        let users = by_interface
            .entry(manifest::unversioned(&wire.import))
            .or_default()
            .entry(version)
            .or_default();
        if !users.contains(&wire.consumer.as_str()) {
            users.push(&wire.consumer);
        }
    }
    by_interface
        .into_iter()
        .filter(|(_, versions)| versions.len() > 1)
        .map(|(interface, versions)| {
            let mut versions: Vec<_> = versions.into_iter().collect();
            versions.sort_by_key(|(version, _)| semver::Version::parse(version).ok());
            let each: Vec<String> = versions
                .iter()
                .map(|(version, users)| format!("{version} ({})", users.join(", ")))
                .collect();
            format!(
                "the artifact imports `{interface}` at {} versions: {}; a host that links \
                 semver-compatible versions to one implementation (wasmtime does) serves \
                 them all, but rebuilding against one version, or denying the import where \
                 it is not called, makes the artifact ask for less",
                versions.len(),
                each.join(" and ")
            )
        })
        .collect()
}

/// The deny stub for `denial`, as an input of its own.
fn deny_stub(
    manifest: &Manifest,
    inputs: &[Input],
    denial: &Denial,
) -> Result<Input, ComposeError> {
    let failed = |detail: String| ComposeError::DenyStub {
        component: denial.component.clone(),
        detail,
    };
    if let Some(taken) = manifest.component(&denial.stub) {
        return Err(failed(format!(
            "the stub is called {}, and so is the component at {}; rename that one",
            denial.stub, taken.at
        )));
    }
    let consumer = inputs
        .iter()
        .find(|i| i.name == denial.component)
        .expect("registered");
    let wanted = denial.imports.iter().cloned().collect();
    let bytes = deny::stub(&denial.component, &consumer.bytes, &wanted).map_err(|e| match e {
        deny::StubError::Entangled(granted, denied) => ComposeError::DenyEntangled {
            component: denial.component.clone(),
            granted,
            denied,
            deny_at: denial.at.clone(),
        },
        deny::StubError::Encoding(e) => failed(format!("{e:#}")),
    })?;
    Ok(Input {
        name: denial.stub.clone(),
        path: format!("(generated for {})", denial.component).into(),
        bytes,
    })
}

/// The composition graph, with each component's package and instance by name.
struct Graph<'a> {
    manifest: &'a Manifest,
    graph: CompositionGraph,
    packages: HashMap<String, PackageId>,
    instances: HashMap<String, NodeId>,
    aliases: HashMap<(String, String), NodeId>,
}

impl<'a> Graph<'a> {
    fn new(manifest: &'a Manifest) -> Self {
        Graph {
            manifest,
            graph: CompositionGraph::default(),
            packages: HashMap::new(),
            instances: HashMap::new(),
            aliases: HashMap::new(),
        }
    }

    /// Register `input` as the package `<namespace>:<name>`, and return its imports and
    /// exports.
    fn register(&mut self, input: &Input) -> Result<Interfaces, ComposeError> {
        let key = package_key(self.manifest, &input.name);
        let package = Package::from_bytes(&key, None, input.bytes.clone(), self.graph.types_mut())
            .map_err(|e| ComposeError::Invalid {
                component: input.name.clone(),
                path: input.path.clone(),
                detail: format!("{e:#}"),
            })?;
        let id = self
            .graph
            .register_package(package)
            .map_err(|e| ComposeError::Graph(e.into()))?;
        let world = &self.graph.types()[self.graph[id].ty()];
        let interfaces = Interfaces {
            imports: world.imports.keys().cloned().collect(),
            exports: world.exports.keys().cloned().collect(),
        };
        self.packages.insert(input.name.clone(), id);
        Ok(interfaces)
    }

    fn instantiate(&mut self, name: &str) {
        let instance = self.graph.instantiate(self.packages[name]);
        self.instances.insert(name.to_owned(), instance);
    }

    /// The node for `provider`'s export `export`, aliased once and shared.
    fn alias(&mut self, provider: &str, export: &str) -> Result<NodeId, ComposeError> {
        let key = (provider.to_owned(), export.to_owned());
        if let Some(node) = self.aliases.get(&key) {
            return Ok(*node);
        }
        let node = self
            .graph
            .alias_instance_export(self.instances[provider], export)
            .map_err(|e| ComposeError::Graph(e.into()))?;
        self.aliases.insert(key, node);
        Ok(node)
    }

    /// Satisfy `consumer`'s `import` with `provider`'s `export`.
    fn wire(
        &mut self,
        provider: &str,
        export: &str,
        consumer: &str,
        import: &str,
    ) -> Result<(), ComposeError> {
        let node = self.alias(provider, export)?;
        self.graph
            .set_instantiation_argument(self.instances[consumer], import, node)
            .map_err(|e| match e {
                InstantiationArgumentError::ArgumentTypeMismatch { name, source } => {
                    ComposeError::TypeMismatch {
                        consumer: consumer.to_owned(),
                        import: name,
                        provider: provider.to_owned(),
                        detail: format!("{source:#}"),
                    }
                }
                other => ComposeError::Graph(other.into()),
            })
    }

    fn export(&mut self, component: &str, export: &str) -> Result<(), ComposeError> {
        let node = self.alias(component, export)?;
        self.graph
            .export(node, export)
            .map_err(|e| ComposeError::Graph(e.into()))
    }

    fn encode(
        self,
        manifest: &Manifest,
        host: &HostWorld,
        inputs: &[Input],
        plan: Plan,
    ) -> Result<Fused, ComposeError> {
        let options = EncodeOptions {
            processor: Some(wac_graph::Processor {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            }),
            ..EncodeOptions::default()
        };
        let mut bytes = self
            .graph
            .encode(options)
            .map_err(|e| ComposeError::Graph(e.into()))?;
        let (imports, exports) = component_externs(&bytes).map_err(ComposeError::Graph)?;
        // Belt and braces: the encoded artifact itself must respect the closed world, and
        // fit the world as wit-component's `targets` sees it.
        check_closed_world(host, &plan, imports.iter().map(String::as_str))?;
        host.check_targets(&bytes, &imports, &exports)?;

        let wiring: Vec<Wire> = plan
            .wires
            .into_iter()
            .map(|w| {
                let (provider, export) = w.provider.unzip();
                Wire {
                    provider,
                    consumer: w.consumer,
                    import: w.import,
                    export,
                }
            })
            .collect();
        let records: Vec<InputRecord> = manifest
            .components
            .iter()
            .filter(|spec| plan.order.contains(&spec.name))
            .map(|spec| {
                let input = inputs
                    .iter()
                    .find(|i| i.name == spec.name)
                    .expect("registered");
                InputRecord::new(input, &spec.source)
            })
            .collect::<Result<_, _>>()?;
        let chain = request_path(&plan.export.0, &manifest.artifact.export, &wiring);
        let mut fused = Fused {
            bytes: Vec::new(),
            imports,
            exports,
            exporter: plan.export.0,
            chain,
            wiring,
            components: plan.order,
            left_out: plan.left_out,
            denied: Vec::new(),
            warnings: plan.warnings,
            provenance: Provenance::default(),
        };
        fused.provenance = Provenance::new(manifest, &fused, records);
        fused.provenance.append_to(&mut bytes);
        fused.bytes = bytes;
        Ok(fused)
    }
}

/// `exporter`, then each component that the last one gets `interface` from, in turn.
fn request_path(exporter: &str, interface: &str, wiring: &[Wire]) -> Vec<String> {
    let mut chain = vec![exporter.to_owned()];
    while let Some(next) = wiring.iter().find_map(|w| {
        (w.consumer == *chain.last().expect("never empty")
            && manifest::unversioned(&w.import) == interface)
            .then_some(w.provider.as_ref())
            .flatten()
    }) {
        // The wiring has no cycles (the plan refuses them); stop anyway on a repeat.
        if chain.contains(next) {
            break;
        }
        chain.push(next.clone());
    }
    chain
}

/// The package name a component is registered under: the namespace of
/// `[artifact].package` and the component's name, such as `fusebox:logger`.
pub fn package_key(manifest: &Manifest, component: &str) -> String {
    let namespace = manifest
        .artifact
        .package
        .split_once(':')
        .map_or("local", |(namespace, _)| namespace);
    format!("{namespace}:{component}")
}

/// Refuse `imports` (what the host would have to provide) that the host does not
/// provide: one from a namespace the host offers nothing from should have come from a
/// component; one from the host's namespaces is a capability the artifact may not have.
/// `plan` says which components import each.
fn check_closed_world<'a>(
    host: &HostWorld,
    plan: &Plan,
    imports: impl IntoIterator<Item = &'a str>,
) -> Result<(), ComposeError> {
    let imports: BTreeSet<&str> = imports.into_iter().collect();
    let stray: Vec<StrayImport> = imports
        .into_iter()
        .filter(|import| !host.allows(import))
        .map(|import| StrayImport {
            import: import.to_owned(),
            components: plan
                .wires
                .iter()
                .filter(|w| w.provider.is_none() && w.import == import)
                .map(|w| w.consumer.clone())
                .collect(),
        })
        .collect();
    let (forbidden, missing): (Vec<_>, Vec<_>) = stray
        .into_iter()
        .partition(|s| host.knows_namespace(&s.import));
    if !missing.is_empty() {
        return Err(ComposeError::Unsatisfied(missing));
    }
    if !forbidden.is_empty() {
        return Err(ComposeError::ClosedWorld {
            imports: forbidden,
            host: host.describe().to_owned(),
            grant: Box::new(host.grant().clone()),
        });
    }
    Ok(())
}

/// The top-level import and export names of a component, read with wasmparser.
pub fn component_externs(bytes: &[u8]) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    use wasmparser::Payload;
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for_each_outer_payload(bytes, |payload| {
        match payload {
            Payload::ComponentImportSection(section) => {
                for import in section {
                    imports.push(import?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(section) => {
                for export in section {
                    exports.push(export?.name.name.to_owned());
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    Ok((imports, exports))
}

/// Call `visit` with each payload of the outermost component or module in `bytes`,
/// passing over the sections of the modules and components nested in it.
pub fn for_each_outer_payload(
    bytes: &[u8],
    mut visit: impl FnMut(wasmparser::Payload<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use wasmparser::{Parser, Payload};
    // parse_all flattens nesting: every nested module or component opens with a Version
    // payload and closes with an End, so depth 1 is the outermost one.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            payload if depth == 1 => visit(payload)?,
            _ => {}
        }
    }
    Ok(())
}

/// Write `bytes` to `path` atomically: into a temporary file beside it, then renamed
/// into place, so a reader never sees a partial artifact and a failure leaves none.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ComposeError> {
    let error = |source| ComposeError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(error)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(error)?;
    file.write_all(bytes).map_err(error)?;
    // A temporary file is private (0600); an artifact is meant to be read by whoever
    // deploys it.
    let readable = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    file.as_file().set_permissions(readable).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    file.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiring::PlannedWire;

    fn from_host(consumer: &str, import: &str) -> PlannedWire {
        PlannedWire {
            consumer: consumer.into(),
            import: import.into(),
            provider: None,
        }
    }

    #[test]
    fn an_interface_the_host_must_provide_at_two_versions_is_a_warning_naming_both() {
        let plan = Plan {
            order: vec!["logger".into(), "calculator".into(), "http-handler".into()],
            wires: vec![
                from_host("logger", "wasi:io/poll@0.2.6"),
                from_host("http-handler", "wasi:io/poll@0.2.6"),
                from_host("calculator", "wasi:io/poll@0.2.12"),
                from_host("logger", "wasi:io/streams@0.2.6"),
                PlannedWire {
                    consumer: "calculator".into(),
                    import: "wasi:io/streams@0.2.12".into(),
                    provider: Some(("calculator-deny".into(), "wasi:io/streams@0.2.12".into())),
                },
            ],
            export: (
                "http-handler".into(),
                "wasi:http/incoming-handler@0.2.6".into(),
            ),
            left_out: Vec::new(),
            warnings: Vec::new(),
        };
        // streams reaches the host at one version only: the other comes from a stub.
        assert_eq!(
            split_versions(&plan),
            [
                "the artifact imports `wasi:io/poll` at 2 versions: 0.2.6 (logger, http-handler) \
              and 0.2.12 (calculator); a host that links semver-compatible versions to \
              one implementation (wasmtime does) serves them all, but rebuilding against one \
              version, or denying the import where it is not called, makes the artifact ask \
              for less"
            ]
        );
    }
}
