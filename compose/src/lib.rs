//! Fuse the fusebox components into one deployable `wasi:http/proxy` component.
//!
//! [`compose`] builds a [wac-graph](wac_graph) composition graph: it instantiates
//! **one** logger and plugs it into the calculator, auth and http-handler, plugs the
//! calculator and auth into the http-handler, answers the stray `wasi:cli` imports of
//! any component built with Rust std with the `cli-virt` component, and exports only
//! `wasi:http/incoming-handler`. Every call between the fused components is then a
//! function call inside one artifact, while each keeps its own linear memory.
//!
//! A capability [`Policy`] (`compose/policy.toml`) says what each component may import
//! and what the artifact may ask of its host, by default the closed world of
//! `wasi:http/proxy` plus `wasi:config/store`. A component that imports more is refused
//! before anything is wired, and so is an artifact left with a stray import; each error
//! names the component, the interface and the policy line. [`Fused::capability_report`]
//! tells who can touch what. [`write_atomically`] puts the artifact in place without
//! ever leaving a partial file.
//!
//! ```no_run
//! use fusebox_compose::{compose, write_atomically, Components, Policy};
//! use std::path::Path;
//!
//! let components = Components::from_dir(Path::new("target/guests/wasm32-wasip2/component"))?;
//! let policy = Policy::from_file(Path::new("compose/policy.toml"))?;
//! let fused = compose(&components, &policy)?;
//! write_atomically(Path::new("target/fusebox/service.wasm"), &fused.bytes)?;
//! # Ok::<(), fusebox_compose::ComposeError>(())
//! ```

mod capabilities;
mod dot;
mod error;
mod inputs;
pub mod policy;

pub use error::{ComposeError, StrayImport};
pub use inputs::{Components, Input};
pub use policy::Policy;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, InstantiationArgumentError, NodeId, PackageId};

/// The interfaces the fusebox components exchange, without versions.
pub mod interfaces {
    /// Exported by the logger, imported by everyone else.
    pub const LOG: &str = "fusebox:logger/log";
    /// Exported by the calculator.
    pub const MATH: &str = "fusebox:calculator/math";
    /// Exported by auth: owns the `principal` resource.
    pub const AUTH_TYPES: &str = "fusebox:auth/types";
    /// Exported by auth.
    pub const VERIFIER: &str = "fusebox:auth/verifier";
    /// Exported by the http-handler, and the fused artifact's only export.
    pub const INCOMING_HANDLER: &str = "wasi:http/incoming-handler";
}
use interfaces::*;

/// The part a component plays in the composition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `components/logger`.
    Logger,
    /// `components/calculator`.
    Calculator,
    /// `components/auth`.
    Auth,
    /// `components/http-handler`.
    HttpHandler,
    /// `compose/cli-virt`.
    CliVirt,
}

impl Role {
    /// Every role, in the order the components are wired.
    pub const ALL: [Role; 5] = [
        Role::Logger,
        Role::Calculator,
        Role::Auth,
        Role::HttpHandler,
        Role::CliVirt,
    ];

    /// The component's name, as in the crate and the WIT package.
    pub fn name(self) -> &'static str {
        match self {
            Role::Logger => "logger",
            Role::Calculator => "calculator",
            Role::Auth => "auth",
            Role::HttpHandler => "http-handler",
            Role::CliVirt => "cli-virt",
        }
    }

    /// The file a build writes the component to.
    pub fn file_name(self) -> &'static str {
        match self {
            Role::Logger => "logger.wasm",
            Role::Calculator => "calculator.wasm",
            Role::Auth => "auth.wasm",
            Role::HttpHandler => "http_handler.wasm",
            Role::CliVirt => "cli_virt.wasm",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One satisfied import: `consumer` gets `import` from `provider`, or from the host
/// when `provider` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wire {
    /// The exporting component, or `None` for the host.
    pub provider: Option<Role>,
    /// The importing component.
    pub consumer: Role,
    /// The consumer's import name.
    pub import: String,
}

/// A fused artifact and what went into it.
#[derive(Debug, Clone)]
pub struct Fused {
    /// The encoded, validated component.
    pub bytes: Vec<u8>,
    /// The artifact's imports, as the host must satisfy them.
    pub imports: Vec<String>,
    /// The artifact's exports.
    pub exports: Vec<String>,
    /// Every import of every component, and what satisfies it, sorted.
    pub wiring: Vec<Wire>,
    /// The components fused into the artifact, in wiring order.
    pub components: Vec<Role>,
}

impl Fused {
    /// The wiring as Graphviz DOT: one node per component plus the host, one edge per
    /// interface.
    pub fn to_dot(&self) -> String {
        dot::render(self)
    }

    /// Who can touch what: the host interfaces the artifact needs and which components
    /// use them, then every component's imports with their provider and the policy line
    /// that grants them, as Markdown.
    pub fn capability_report(&self, policy: &Policy) -> String {
        capabilities::render(self, policy)
    }

    /// The wiring as plain text, one `provider -> consumer: import` line per wire.
    pub fn wiring_text(&self) -> String {
        self.wiring
            .iter()
            .map(|w| {
                let from = w.provider.map_or("host", Role::name);
                format!("{from} -> {}: {}\n", w.consumer, w.import)
            })
            .collect()
    }
}

/// Fuse `components` into one component that exports only `wasi:http/incoming-handler`,
/// refusing any component or artifact import that `policy` does not grant.
pub fn compose(components: &Components, policy: &Policy) -> Result<Fused, ComposeError> {
    let mut graph = Graph::default();

    // 1. Register each component as a package of the graph, and hold its imports to the
    //    policy before wiring anything.
    let logger = graph.register(&components.logger, policy)?;
    let calculator = graph.register(&components.calculator, policy)?;
    let auth = graph.register(&components.auth, policy)?;
    let handler = graph.register(&components.http_handler, policy)?;
    let cli_virt = graph.register(&components.cli_virt, policy)?;

    // 2. Instantiate one logger; every other component shares this instance.
    let logger = graph.instantiate(logger);

    // 3. The calculator and auth each get the shared logger.
    let calculator = graph.instantiate(calculator);
    graph.plug(&logger, &calculator, LOG)?;
    let auth = graph.instantiate(auth);
    graph.plug(&logger, &auth, LOG)?;

    // 4. The http-handler gets the logger, the calculator, and auth (whose `types`
    //    interface carries the `principal` resource across the boundary).
    let handler = graph.instantiate(handler);
    graph.plug(&logger, &handler, LOG)?;
    graph.plug(&calculator, &handler, MATH)?;
    graph.plug(&auth, &handler, AUTH_TYPES)?;
    graph.plug(&auth, &handler, VERIFIER)?;

    // 5. Components built with std import stray wasi:cli interfaces; one cli-virt
    //    instance answers them all. (fusebox's own components are no_std and import
    //    none, so then cli-virt is left out of the artifact.)
    let components = [&logger, &calculator, &auth, &handler];
    let cli_virt = match components.iter().any(|p| graph.has_stray_cli(p)) {
        true => Some(graph.instantiate(cli_virt)),
        false => None,
    };
    if let Some(cli_virt) = &cli_virt {
        for consumer in components {
            graph.plug_stray_cli(cli_virt, consumer)?;
        }
    }

    // 6. Export the handler, and nothing else.
    graph.export(&handler, INCOMING_HANDLER)?;

    // 7. Whatever is still unplugged becomes an import of the artifact: the policy's
    //    [artifact] section (by default wasi:http/proxy plus wasi:config/store) must
    //    grant it.
    let placed: Vec<&Placed> = components.into_iter().chain(cli_virt.as_ref()).collect();
    graph.check_closed_world(&placed, policy)?;

    // 8. Encode, with wasmparser validation of the result.
    let roles = placed.iter().map(|p| p.role).collect();
    graph.encode(policy, roles)
}

/// A component instantiated in the graph.
struct Placed {
    role: Role,
    package: PackageId,
    instance: NodeId,
}

/// The composition graph plus the record of what was wired to what.
#[derive(Default)]
struct Graph {
    graph: CompositionGraph,
    wiring: Vec<Wire>,
}

impl Graph {
    fn register(
        &mut self,
        input: &Input,
        policy: &Policy,
    ) -> Result<(Role, PackageId), ComposeError> {
        let name = format!("fusebox:{}", input.role.name());
        let package = Package::from_bytes(&name, None, input.bytes.clone(), self.graph.types_mut())
            .map_err(|e| ComposeError::Invalid {
                role: input.role,
                path: input.path.clone(),
                detail: format!("{e:#}"),
            })?;
        let id = self
            .graph
            .register_package(package)
            .map_err(|e| ComposeError::Graph(e.into()))?;
        let world = &self.graph.types()[self.graph[id].ty()];
        let imports: Vec<String> = world.imports.keys().cloned().collect();
        policy.check_component(input.role, &imports)?;
        Ok((input.role, id))
    }

    fn instantiate(&mut self, (role, package): (Role, PackageId)) -> Placed {
        let instance = self.graph.instantiate(package);
        Placed {
            role,
            package,
            instance,
        }
    }

    /// The import or export names of a registered component.
    fn names(&self, placed: &Placed, exports: bool) -> Vec<String> {
        let world = &self.graph.types()[self.graph[placed.package].ty()];
        let names = if exports {
            &world.exports
        } else {
            &world.imports
        };
        names.keys().cloned().collect()
    }

    /// Satisfy `consumer`'s import of `interface` (any version) with `provider`'s
    /// export of it, at exactly the same version. A consumer that does not import the
    /// interface is left alone.
    fn plug(
        &mut self,
        provider: &Placed,
        consumer: &Placed,
        interface: &str,
    ) -> Result<(), ComposeError> {
        self.plug_matching(provider, consumer, interface, |import, export| {
            import == export
        })
    }

    /// Whether `placed` imports any of std's stray `wasi:cli` interfaces.
    fn has_stray_cli(&self, placed: &Placed) -> bool {
        self.names(placed, false)
            .iter()
            .any(|name| policy::is_stray_cli(name))
    }

    /// Satisfy each of `consumer`'s stray `wasi:cli` imports from `cli_virt`. Its
    /// exports may be an older 0.2 patch release than the import: same interface, and
    /// wac-graph still checks the types.
    fn plug_stray_cli(&mut self, cli_virt: &Placed, consumer: &Placed) -> Result<(), ComposeError> {
        for import in self.names(consumer, false) {
            if policy::is_stray_cli(&import) {
                let interface = policy::unversioned(&import);
                self.plug_matching(cli_virt, consumer, interface, |import, export| {
                    let minor = |name: &str| {
                        policy::version(name)
                            .and_then(|v| v.rsplit_once('.'))
                            .map(|(mm, _)| mm.to_owned())
                    };
                    minor(import) == minor(export)
                })?;
            }
        }
        Ok(())
    }

    fn plug_matching(
        &mut self,
        provider: &Placed,
        consumer: &Placed,
        interface: &str,
        versions_match: impl Fn(&str, &str) -> bool,
    ) -> Result<(), ComposeError> {
        let Some(import) = self
            .names(consumer, false)
            .into_iter()
            .find(|name| policy::unversioned(name) == interface)
        else {
            return Ok(());
        };
        let export = self.find_export(provider, interface, consumer.role.name())?;
        if !versions_match(&import, &export) {
            return Err(ComposeError::VersionMismatch {
                consumer: consumer.role,
                import,
                provider: provider.role,
                export,
            });
        }
        let node = self
            .graph
            .alias_instance_export(provider.instance, &export)
            .map_err(|e| ComposeError::Graph(e.into()))?;
        self.graph
            .set_instantiation_argument(consumer.instance, &import, node)
            .map_err(|e| match e {
                InstantiationArgumentError::ArgumentTypeMismatch { name, source } => {
                    ComposeError::TypeMismatch {
                        consumer: consumer.role,
                        import: name,
                        provider: provider.role,
                        detail: format!("{source:#}"),
                    }
                }
                other => ComposeError::Graph(other.into()),
            })?;
        self.wiring.push(Wire {
            provider: Some(provider.role),
            consumer: consumer.role,
            import,
        });
        Ok(())
    }

    /// `placed`'s export of `interface` (any version), or an error saying who needed it.
    fn find_export(
        &self,
        placed: &Placed,
        interface: &str,
        needed_by: &str,
    ) -> Result<String, ComposeError> {
        let exports = self.names(placed, true);
        match exports
            .iter()
            .find(|name| policy::unversioned(name) == interface)
        {
            Some(export) => Ok(export.clone()),
            None => Err(ComposeError::MissingExport {
                role: placed.role,
                interface: interface.to_owned(),
                needed_by: needed_by.to_owned(),
                exports,
            }),
        }
    }

    fn export(&mut self, placed: &Placed, interface: &str) -> Result<(), ComposeError> {
        let export = self.find_export(placed, interface, "the fused artifact")?;
        let node = self
            .graph
            .alias_instance_export(placed.instance, &export)
            .map_err(|e| ComposeError::Graph(e.into()))?;
        self.graph
            .export(node, export)
            .map_err(|e| ComposeError::Graph(e.into()))
    }

    /// Record the imports left for the host, refusing any outside the allowed world.
    fn check_closed_world(
        &mut self,
        placed: &[&Placed],
        policy: &Policy,
    ) -> Result<(), ComposeError> {
        let mut unsatisfied: BTreeMap<String, Vec<Role>> = BTreeMap::new();
        for p in placed {
            for import in self.names(p, false) {
                let wired = self
                    .wiring
                    .iter()
                    .any(|w| w.consumer == p.role && w.import == import);
                if !wired {
                    unsatisfied.entry(import).or_default().push(p.role);
                }
            }
        }
        let stray = |keep: &dyn Fn(&str) -> bool| -> Vec<StrayImport> {
            unsatisfied
                .iter()
                .filter(|(import, _)| !policy.artifact_may_import(import) && keep(import))
                .map(|(import, components)| StrayImport {
                    import: import.clone(),
                    components: components.clone(),
                })
                .collect()
        };
        // Interfaces of other packages should have come from a sibling component; wasi
        // interfaces outside the policy are capabilities the artifact may not have.
        let missing = stray(&|import| !import.starts_with("wasi:"));
        if !missing.is_empty() {
            return Err(ComposeError::Unsatisfied(missing));
        }
        let forbidden = stray(&|_| true);
        if !forbidden.is_empty() {
            return Err(ComposeError::ClosedWorld {
                imports: forbidden,
                grant: policy.artifact().clone(),
            });
        }
        for (import, components) in unsatisfied {
            for consumer in components {
                self.wiring.push(Wire {
                    provider: None,
                    consumer,
                    import: import.clone(),
                });
            }
        }
        Ok(())
    }

    fn encode(mut self, policy: &Policy, components: Vec<Role>) -> Result<Fused, ComposeError> {
        let options = EncodeOptions {
            processor: Some(wac_graph::Processor {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            }),
            ..EncodeOptions::default()
        };
        let bytes = self
            .graph
            .encode(options)
            .map_err(|e| ComposeError::Graph(e.into()))?;
        let (imports, exports) = component_externs(&bytes).map_err(ComposeError::Graph)?;
        // Belt and braces: the encoded artifact itself must respect the closed world.
        let stray: Vec<StrayImport> = imports
            .iter()
            .filter(|import| !policy.artifact_may_import(import))
            .map(|import| StrayImport {
                import: import.clone(),
                components: self
                    .wiring
                    .iter()
                    .filter(|w| w.provider.is_none() && &w.import == import)
                    .map(|w| w.consumer)
                    .collect(),
            })
            .collect();
        if !stray.is_empty() {
            return Err(ComposeError::ClosedWorld {
                imports: stray,
                grant: policy.artifact().clone(),
            });
        }
        self.wiring.sort();
        Ok(Fused {
            bytes,
            imports,
            exports,
            wiring: self.wiring,
            components,
        })
    }
}

/// The top-level import and export names of a component, read with wasmparser.
pub fn component_externs(bytes: &[u8]) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    use wasmparser::{Parser, Payload};
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    // Nested modules and components have sections of their own; only depth 1 is the
    // artifact's outer interface.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::ComponentImportSection(section) if depth == 1 => {
                for import in section {
                    imports.push(import?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(section) if depth == 1 => {
                for export in section {
                    exports.push(export?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
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
