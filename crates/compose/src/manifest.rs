//! `fusebox.toml`, the composition manifest: the whole description of a fused artifact.
//!
//! A manifest has one `[artifact]` section and one `[components.<name>]` section per
//! component. Each component says where its `.wasm` comes from (`source`) and what it may
//! import (`imports`, its capability grant); `[artifact]` says what the fused artifact
//! exports, which world its host provides (`world`, read from WIT) and what else the
//! host grants it (`imports`). The composer wires everything else itself:
//! see [`crate::wiring`]. `docs/manifest.md` documents every key.
//!
//! ```toml
//! [artifact]
//! out = "target/fusebox/service.wasm"
//! world = "wasi:http/proxy@0.2.6"
//! export = "wasi:http/incoming-handler"
//! imports = ["wasi:config/store"]
//!
//! [components.calculator]
//! source = { crate = "calculator" }
//! imports = ["fusebox:logger/log"]
//! ```
//!
//! Every item read from the file keeps its `file:line`, so that an error can name the
//! line to change. Unknown keys are refused, with their line.

use crate::ComposeError;
use crate::limits::{MAX_COMPONENTS, MAX_MANIFEST_BYTES};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// `name` without its `@version` suffix.
pub fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(base, _)| base)
}

/// The `@version` suffix of `name`, if any.
pub fn version(name: &str) -> Option<&str> {
    name.split_once('@').map(|(_, v)| v)
}

/// A parsed, checked `fusebox.toml`.
#[derive(Debug, Clone)]
pub struct Manifest {
    path: PathBuf,
    dir: PathBuf,
    /// The `[artifact]` section.
    pub artifact: Artifact,
    /// The `[components.<name>]` sections, in the order the file lists them.
    pub components: Vec<ComponentSpec>,
}

/// The `[artifact]` section: what the fused artifact is.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// Where the CLI writes the artifact (`out`), resolved against the manifest's
    /// directory.
    pub out: PathBuf,
    /// The interface the artifact exports (`export`), without a version; it is taken
    /// from the one component that exports it.
    pub export: String,
    /// Where `export` is written, as `file:line`.
    pub export_at: String,
    /// The handler chain (`chain`): component names, outermost first. The artifact
    /// exports `export` from the first; each one's import of `export` is wired to the
    /// next one's export, as middleware in front of a service. Empty without the key.
    pub chain: Vec<String>,
    /// Where `chain` is written, as `file:line` (`export_at` without the key).
    pub chain_at: String,
    /// The WAC package name of the composition (`package`), such as `fusebox:service`.
    /// Its namespace also names the components' packages in `--emit-wac`.
    pub package: String,
    /// The world the artifact must target (`world`), such as `wasi:http/proxy@0.2.6`:
    /// what its host provides. See [`crate::world`].
    pub world: Option<WorldRef>,
    /// What the host grants beside the world (`imports`). The world and this are the
    /// artifact's closed world.
    pub grant: Grant,
}

impl Artifact {
    /// What the host grants the artifact, in words: `the world wasi:http/proxy@0.2.6,
    /// plus wasi:config/store`, or the grant alone when there is no world.
    pub fn host_grant(&self) -> String {
        let extra = self.grant.entries.join(", ");
        match (&self.world, extra.is_empty()) {
            (Some(world), true) => format!("the world {}", world.name),
            (Some(world), false) => format!("the world {}, plus {extra}", world.name),
            (None, true) => "nothing".to_owned(),
            (None, false) => extra,
        }
    }
}

/// `[artifact].world`: a world by its full name, and the WIT it is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldRef {
    /// `namespace:package/world`, with a version where the WIT has several.
    pub name: String,
    /// The WIT directory (`wit`): every package in it and in its `deps/`, relative to
    /// the manifest, as written. Without it, the nearest `wit/` directory at or above the
    /// manifest's (as git finds `.git`), so that a manifest in `examples/x/` needs no
    /// line of its own.
    pub wit: Option<PathBuf>,
    /// Where `world` is written, as `file:line`.
    pub at: String,
}

/// One `[components.<name>]` section.
#[derive(Debug, Clone)]
pub struct ComponentSpec {
    /// The component's name: the key of its section.
    pub name: String,
    /// Where its section starts, as `file:line`.
    pub at: String,
    /// Where its `.wasm` comes from.
    pub source: Source,
    /// Where `source` is written, as `file:line`.
    pub source_at: String,
    /// What it may import.
    pub grant: Grant,
    /// What it imports but must never reach (`deny`): each import these entries match,
    /// and `grant` does not, is answered inside the artifact by a generated stub whose
    /// functions trap ([`crate::deny`]). No entries when the section has no `deny`.
    pub deny: Grant,
    /// Explicit providers for some of its imports, from `[components.<name>.wire]`.
    pub wire: Vec<WireRule>,
    /// Fused only when another component imports from it (`optional = true`), and then
    /// without an "unused" warning: for adapters such as `cli-virt`.
    pub optional: bool,
}

impl ComponentSpec {
    /// Whether this is a deny stub the composer generated, rather than a component the
    /// manifest names.
    pub fn is_deny_stub(&self) -> bool {
        matches!(self.source, Source::DenyStub { .. })
    }
}

/// Where a component's `.wasm` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `{ crate = "name" }`: a crate of this workspace, built for `wasm32-wasip2` with the
    /// `component` profile (`make compose` builds it).
    Crate(String),
    /// `{ path = "file.wasm" }`: a component built elsewhere, as written: relative to the
    /// manifest's directory ([`Manifest::resolve`]). Kept as written, so that the lock and
    /// the provenance do not depend on where the composer was run from.
    Path(PathBuf),
    /// Not written in a manifest: the deny stub the composer generates for the component
    /// `consumer` ([`crate::deny`]).
    DenyStub {
        /// The component whose denied imports the stub answers.
        consumer: String,
    },
    /// `{ oci = "registry/repo@sha256:…", key = "publisher.pub" }`: a component in an OCI
    /// registry, pinned by digest, that must carry a cosign-format signature made with
    /// `key` (a public key file, relative to the manifest like a `path`). It is pulled,
    /// checked and verified before the composer looks at it, and kept by digest in the
    /// composer's store so that later composes work offline.
    Oci {
        /// The pinned reference, as written.
        reference: String,
        /// The public key file, as written.
        key: PathBuf,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Crate(name) => write!(f, "crate {name}"),
            Source::Path(path) => write!(f, "path {}", path.display()),
            Source::DenyStub { consumer } => {
                write!(f, "generated: traps for what {consumer} is denied")
            }
            Source::Oci { reference, key } => {
                write!(f, "oci {reference} (key {})", key.display())
            }
        }
    }
}

/// One entry of a `[components.<name>.wire]` table: the consumer's import of `import`
/// (an interface, with or without a version) comes from the component `provider`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRule {
    /// The interface, as written.
    pub import: String,
    /// The providing component's name.
    pub provider: String,
    /// Where the entry is written, as `file:line`.
    pub at: String,
}

impl WireRule {
    /// Whether this rule is about the import `name`.
    pub fn matches(&self, name: &str) -> bool {
        self.import == name || self.import == unversioned(name)
    }
}

/// What one `imports` list grants, and where the file says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The section header as written in the file, such as `[components.auth]`.
    pub section: String,
    /// The entries: interfaces, or `package/*` wildcards.
    pub entries: Vec<String>,
    /// Where the `imports` list starts, as `file:line`.
    pub location: String,
}

impl Grant {
    /// Whether this grant covers the import `name` (at any version).
    pub fn allows(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|entry| Grant::entry_allows(entry, name))
    }

    /// Whether the one entry `entry` covers the import `name` (at any version):
    /// `wasi:io/streams` and `wasi:io/*` cover `wasi:io/streams@0.2.6`, and `*` covers
    /// everything.
    pub fn entry_allows(entry: &str, name: &str) -> bool {
        let interface = unversioned(name);
        entry == interface
            || entry
                .strip_suffix('*')
                .is_some_and(|package| interface.starts_with(package))
    }
}

/// The file format. Every table refuses keys it does not know.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    artifact: ArtifactFile,
    #[serde(default)]
    components: BTreeMap<Spanned<String>, Spanned<ComponentFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArtifactFile {
    out: Option<String>,
    world: Option<Spanned<String>>,
    wit: Option<String>,
    export: Spanned<String>,
    chain: Option<Spanned<Vec<String>>>,
    imports: Option<Spanned<Vec<String>>>,
    package: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentFile {
    source: Spanned<SourceFile>,
    imports: Spanned<Vec<String>>,
    deny: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    wire: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    optional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    #[serde(rename = "crate")]
    krate: Option<String>,
    path: Option<String>,
    oci: Option<String>,
    key: Option<String>,
}

/// The artifact's default path, relative to the manifest.
const DEFAULT_OUT: &str = "target/fusebox/service.wasm";
/// The composition's default WAC package name.
const DEFAULT_PACKAGE: &str = "local:composition";

/// The error for a manifest over [`MAX_MANIFEST_BYTES`].
fn too_large(path: &Path, size: u64) -> ComposeError {
    ComposeError::ManifestInvalid {
        path: path.to_owned(),
        detail: format!(
            "{}: the file is {size} bytes, more than the {MAX_MANIFEST_BYTES}-byte limit on a \
             manifest (see docs/security.md, \"Limits\")",
            path.display()
        ),
    }
}

impl Manifest {
    /// Read and check the manifest at `path`.
    pub fn from_file(path: &Path) -> Result<Manifest, ComposeError> {
        let unreadable = |e: std::io::Error| ComposeError::ManifestInvalid {
            path: path.to_owned(),
            detail: format!("{}: {e}", path.display()),
        };
        // Refuse an oversized file before reading it; `parse` checks the text again.
        let size = std::fs::metadata(path).map_err(unreadable)?.len();
        if size > MAX_MANIFEST_BYTES {
            return Err(too_large(path, size));
        }
        // The length was only a hint: a pipe or a file still growing can give more.
        let bytes = crate::inputs::read_at_most(path, MAX_MANIFEST_BYTES).map_err(unreadable)?;
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(too_large(path, bytes.len() as u64));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            unreadable(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ))
        })?;
        // `fusebox.toml` alone has an empty parent: paths then stay relative, as written.
        Manifest::parse(&text, path, path.parent().unwrap_or(Path::new("")))
    }

    /// Parse manifest `text`. `path` names the file in messages; relative `path` sources
    /// and `out` resolve against `dir`.
    pub fn parse(
        text: &str,
        path: impl Into<PathBuf>,
        dir: impl Into<PathBuf>,
    ) -> Result<Manifest, ComposeError> {
        let path = path.into();
        let dir = dir.into();
        if text.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(too_large(&path, text.len() as u64));
        }
        // Where each line starts, so that `at` is a binary search, not a scan.
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let at = |span: Range<usize>| {
            let line = line_starts.partition_point(|&start| start <= span.start);
            format!("{}:{line}", path.display())
        };
        let invalid = |detail: String| ComposeError::ManifestInvalid {
            path: path.clone(),
            detail,
        };
        let file: ManifestFile = toml::from_str(text).map_err(|e| match e.span() {
            // `fusebox.toml:7: unknown field `imprts`, expected one of …`
            Some(span) => invalid(format!("{}: {}", at(span), e.message().trim())),
            None => invalid(format!("{}: {}", path.display(), e.message().trim())),
        })?;

        let grant = |section: String, imports: Spanned<Vec<String>>| -> Result<Grant, _> {
            let location = at(imports.span());
            let entries = imports.into_inner();
            if let Some(bad) = entries.iter().find(|e| !is_valid_entry(e)) {
                return Err(invalid(format!(
                    "{location}: `{bad}` in {section} is not `namespace:package/interface` or \
                     `namespace:package/*` (write interfaces without a version)"
                )));
            }
            Ok(Grant {
                section,
                entries,
                location,
            })
        };

        let artifact = file.artifact;
        let package = match artifact.package {
            Some(package) if !is_package_name(package.get_ref()) => {
                return Err(invalid(format!(
                    "{}: [artifact] package `{}` is not `namespace:name` in kebab-case",
                    at(package.span()),
                    package.get_ref()
                )));
            }
            Some(package) => package.into_inner(),
            None => DEFAULT_PACKAGE.to_owned(),
        };
        let export_at = at(artifact.export.span());
        let export = artifact.export.into_inner();
        if !is_interface_name(&export) {
            return Err(invalid(format!(
                "{export_at}: [artifact] export `{export}` is not `namespace:package/interface` \
                 (without a version)"
            )));
        }
        if let (None, Some(_)) = (&artifact.world, &artifact.wit) {
            return Err(invalid(format!(
                "{export_at}: [artifact] has `wit` but no `world`: `wit` says where the world \
                 is read from, so name the world too, such as `world = \"wasi:http/proxy@0.2.6\"`"
            )));
        }
        let world = match artifact.world {
            Some(world) if !is_world_name(world.get_ref()) => {
                return Err(invalid(format!(
                    "{}: [artifact] world `{}` is not `namespace:package/world`, with an \
                     optional `@version`, such as `wasi:http/proxy@0.2.6`",
                    at(world.span()),
                    world.get_ref()
                )));
            }
            Some(world) => Some(WorldRef {
                at: at(world.span()),
                name: world.into_inner(),
                wit: artifact.wit.map(PathBuf::from),
            }),
            None => None,
        };
        let (chain, chain_at) = match artifact.chain {
            Some(chain) if chain.get_ref().is_empty() => {
                return Err(invalid(format!(
                    "{}: [artifact] chain is empty: name the components a request passes \
                     through, outermost first, or leave the key out",
                    at(chain.span())
                )));
            }
            Some(chain) => (chain.get_ref().clone(), at(chain.span())),
            None => (Vec::new(), export_at.clone()),
        };
        let artifact = Artifact {
            out: normalize(&dir.join(artifact.out.as_deref().unwrap_or(DEFAULT_OUT))),
            export,
            export_at: export_at.clone(),
            chain,
            chain_at,
            package,
            world,
            grant: match artifact.imports {
                Some(imports) => grant("[artifact]".into(), imports)?,
                // Nothing beside the world: the grant is empty, and the section names it.
                None => Grant {
                    section: "[artifact]".into(),
                    entries: Vec::new(),
                    location: export_at.clone(),
                },
            },
        };

        // Keep the file's order: it breaks ties in the instantiation order.
        let mut sections: Vec<_> = file.components.into_iter().collect();
        sections.sort_by_key(|(name, _)| name.span().start);
        if let Some((name, _)) = sections.get(MAX_COMPONENTS) {
            return Err(invalid(format!(
                "{}: [components.{}] is component number {}, past the limit of \
                 {MAX_COMPONENTS} components in one manifest (see docs/security.md, \"Limits\")",
                at(name.span()),
                name.get_ref(),
                MAX_COMPONENTS + 1
            )));
        }
        let mut components = Vec::with_capacity(sections.len());
        for (name, section) in sections {
            let name_at = at(name.span());
            let name = name.into_inner();
            if name == "host" {
                return Err(invalid(format!(
                    "{name_at}: [components.host]: `host` stands for the host in the wiring; \
                     give the component another name"
                )));
            }
            if !is_kebab(&name) {
                return Err(invalid(format!(
                    "{name_at}: [components.{name}]: a component name is kebab-case, like \
                     `rate-limiter`"
                )));
            }
            let header = format!("[components.{name}]");
            let section = section.into_inner();
            let source_at = at(section.source.span());
            let source = match section.source.into_inner() {
                SourceFile {
                    krate: Some(krate),
                    path: None,
                    oci: None,
                    key: None,
                } => Source::Crate(krate),
                SourceFile {
                    krate: None,
                    path: Some(file),
                    oci: None,
                    key: None,
                } => Source::Path(file.into()),
                SourceFile {
                    krate: None,
                    path: None,
                    oci: Some(reference),
                    key,
                } => {
                    if let Err(e) = fusebox_registry::Pinned::parse(&reference) {
                        return Err(invalid(format!("{source_at}: {header} source: {e}")));
                    }
                    let Some(key) = key else {
                        return Err(invalid(format!(
                            "{source_at}: {header} source: an `oci` source needs `key`, the \
                             public key its publisher signs with: `source = {{ oci = \"…\", \
                             key = \"keys/publisher.pub\" }}`; fusebox composes no unsigned \
                             component from a registry"
                        )));
                    };
                    Source::Oci {
                        reference,
                        key: key.into(),
                    }
                }
                SourceFile {
                    key: Some(_),
                    oci: None,
                    ..
                } => {
                    return Err(invalid(format!(
                        "{source_at}: {header} source: `key` goes with `oci` only"
                    )));
                }
                _ => {
                    return Err(invalid(format!(
                        "{source_at}: {header} source must have exactly one of `crate`, `path` \
                         or `oci`: `source = {{ crate = \"{name}\" }}`, \
                         `source = {{ path = \"{name}.wasm\" }}` or \
                         `source = {{ oci = \"registry/{name}@sha256:…\", key = \"….pub\" }}`"
                    )));
                }
            };
            let mut wire = Vec::new();
            for (import, provider) in section.wire {
                let entry_at = at(import.span());
                let import = import.into_inner();
                if !is_interface_name(unversioned(&import)) {
                    return Err(invalid(format!(
                        "{entry_at}: `{import}` in [components.{name}.wire] is not an \
                         interface, like `namespace:package/interface`"
                    )));
                }
                wire.push(WireRule {
                    import,
                    provider: provider.into_inner(),
                    at: entry_at,
                });
            }
            let deny = match section.deny {
                Some(deny) => {
                    let deny_at = at(deny.span());
                    let entries = deny.into_inner();
                    if let Some(bad) = entries
                        .iter()
                        .find(|e| e.as_str() != "*" && !is_valid_entry(e))
                    {
                        return Err(invalid(format!(
                            "{deny_at}: `{bad}` in {header} deny is not                              `namespace:package/interface`, `namespace:package/*` or `*`                              (everything not granted)"
                        )));
                    }
                    if let Some(both) = entries
                        .iter()
                        .find(|e| section.imports.get_ref().contains(e))
                    {
                        return Err(invalid(format!(
                            "{deny_at}: {header} both grants and denies `{both}`; keep it in                              one list"
                        )));
                    }
                    Grant {
                        section: header.clone(),
                        entries,
                        location: deny_at,
                    }
                }
                None => Grant {
                    section: header.clone(),
                    entries: Vec::new(),
                    location: name_at.clone(),
                },
            };
            components.push(ComponentSpec {
                grant: grant(header, section.imports)?,
                deny,
                name,
                at: name_at,
                source,
                source_at,
                wire,
                optional: section.optional,
            });
        }
        if components.is_empty() {
            return Err(invalid(format!(
                "{}: the manifest has no [components.<name>] sections, so there is nothing \
                 to fuse",
                path.display()
            )));
        }
        let chain_at = &artifact.chain_at;
        for (i, name) in artifact.chain.iter().enumerate() {
            if !components.iter().any(|c| c.name == *name) {
                return Err(invalid(format!(
                    "{chain_at}: [artifact] chain names `{name}`, which is not a component \
                     here; the components are: {}",
                    components
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            if artifact.chain[..i].contains(name) {
                return Err(invalid(format!(
                    "{chain_at}: [artifact] chain names `{name}` twice; a request passes each \
                     component once"
                )));
            }
        }
        Ok(Manifest {
            path,
            dir,
            artifact,
            components,
        })
    }

    /// The file this manifest was read from, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory relative paths in the manifest resolve against.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `path`, relative to the manifest, as a path to open: `examples/polyglot` and
    /// `../../target/x.wasm` give `target/x.wasm`.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        normalize(&self.dir.join(path))
    }

    /// The section of the component called `name`.
    pub fn component(&self, name: &str) -> Option<&ComponentSpec> {
        self.components.iter().find(|c| c.name == name)
    }

    /// The names of the components, in the file's order.
    pub fn names(&self) -> Vec<&str> {
        self.components.iter().map(|c| c.name.as_str()).collect()
    }

    /// This manifest plus the deny stub `stub` for the component `consumer`, which
    /// answers its `denied` imports: a component section of its own, and a `wire` rule
    /// on the consumer for each denied import, written where its `deny` list is.
    pub(crate) fn add_deny_stub(&mut self, consumer: &str, stub: &str, denied: &[String]) {
        let spec = self
            .components
            .iter_mut()
            .find(|c| c.name == consumer)
            .expect("a component of this manifest");
        let at = spec.deny.location.clone();
        // What the stub imports is what the denied interfaces use from granted ones.
        let grant = spec.grant.clone();
        spec.wire.extend(denied.iter().map(|import| WireRule {
            import: import.clone(),
            provider: stub.to_owned(),
            at: at.clone(),
        }));
        let section = format!("[components.{consumer}] deny");
        self.components.push(ComponentSpec {
            name: stub.to_owned(),
            at: at.clone(),
            source: Source::DenyStub {
                consumer: consumer.to_owned(),
            },
            source_at: at.clone(),
            grant,
            deny: Grant {
                section: section.clone(),
                entries: Vec::new(),
                location: at,
            },
            wire: Vec::new(),
            optional: true,
        });
    }

    /// Refuse `component`'s `imports` unless its grant covers every one of them, or its
    /// `deny` list denies it; return the denied ones. An import that the grant covers and
    /// a `deny` entry other than `*` names is refused: the two lists contradict each other.
    pub fn check_component(
        &self,
        component: &str,
        imports: &[String],
    ) -> Result<Vec<String>, ComposeError> {
        let Some(spec) = self.component(component) else {
            return Err(ComposeError::UnknownComponent {
                name: component.to_owned(),
                manifest: self.path.clone(),
                known: self.names().join(", "),
            });
        };
        if let Some(both) = imports.iter().find(|i| {
            spec.grant.allows(i)
                && spec
                    .deny
                    .entries
                    .iter()
                    .any(|e| e != "*" && Grant::entry_allows(e, i))
        }) {
            return Err(ComposeError::DeniedAndGranted {
                component: component.to_owned(),
                import: both.clone(),
                grant_at: spec.grant.location.clone(),
                deny_at: spec.deny.location.clone(),
            });
        }
        let (denied, refused): (Vec<String>, Vec<String>) = imports
            .iter()
            .filter(|i| !spec.grant.allows(i))
            .cloned()
            .partition(|i| spec.deny.allows(i));
        match refused.is_empty() {
            true => Ok(denied),
            false => Err(ComposeError::Refused {
                component: component.to_owned(),
                imports: refused,
                grant: Box::new(spec.grant.clone()),
            }),
        }
    }
}

/// `path` with `.` and `dir/..` pairs removed, without touching the filesystem:
/// `examples/polyglot/../../target/x.wasm` is `target/x.wasm`.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A kebab-case word list, as WIT and the manifest name things: `rate-limiter`,
/// `http-handler`; each word starts with a letter.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|word| {
            word.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// `namespace:name`, both kebab-case.
fn is_package_name(s: &str) -> bool {
    s.split_once(':')
        .is_some_and(|(namespace, name)| is_kebab(namespace) && is_kebab(name))
}

/// `namespace:package/interface`, without a version.
fn is_interface_name(s: &str) -> bool {
    s.split_once('/')
        .is_some_and(|(package, interface)| is_package_name(package) && is_kebab(interface))
}

/// `namespace:package/world`, optionally `@version`.
fn is_world_name(s: &str) -> bool {
    let (name, version) = s.split_once('@').unwrap_or((s, ""));
    is_interface_name(name) && (version.is_empty() || semver::Version::parse(version).is_ok())
}

/// A grant entry: `namespace:package/interface` or `namespace:package/*`.
fn is_valid_entry(entry: &str) -> bool {
    match entry.strip_suffix("/*") {
        Some(package) => is_package_name(package),
        None => is_interface_name(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"[artifact]
export = "wasi:http/incoming-handler"
imports = ["wasi:config/store"]

[components.auth]
source = { crate = "auth" }
imports = ["wasi:io/*", "fusebox:logger/log"]

[components.calculator]
source = { path = "prebuilt/calc.wasm" }
imports = ["fusebox:logger/log"]

[components.calculator.wire]
"fusebox:logger/log" = "auth"
"#;

    fn parse(text: &str) -> Result<Manifest, ComposeError> {
        Manifest::parse(text, "m.toml", "/ws")
    }

    #[test]
    fn reads_every_key_with_its_line() {
        let m = parse(SMALL).unwrap();
        assert_eq!(m.names(), ["auth", "calculator"], "the file's order");
        assert_eq!(m.artifact.out, Path::new("/ws/target/fusebox/service.wasm"));
        assert_eq!(m.artifact.export, "wasi:http/incoming-handler");
        assert_eq!(m.artifact.export_at, "m.toml:2");
        assert_eq!(m.artifact.grant.location, "m.toml:3");
        let auth = &m.components[0];
        assert_eq!(auth.source, Source::Crate("auth".into()));
        assert_eq!(
            (auth.at.as_str(), auth.source_at.as_str()),
            ("m.toml:5", "m.toml:6")
        );
        assert_eq!(auth.grant.location, "m.toml:7");
        let calculator = &m.components[1];
        assert_eq!(calculator.source, Source::Path("prebuilt/calc.wasm".into()));
        assert_eq!(
            calculator.wire,
            [WireRule {
                import: "fusebox:logger/log".into(),
                provider: "auth".into(),
                at: "m.toml:14".into()
            }]
        );
        assert!(calculator.wire[0].matches("fusebox:logger/log@0.1.0"));
        assert!(!calculator.wire[0].matches("fusebox:logger/other@0.1.0"));
    }

    #[test]
    fn the_world_is_any_world_by_its_full_name() {
        for world in [
            "wasi:http/proxy@0.2.6",
            "wasi:http/service@0.3.0",
            "wasi:http/service@0.3.0-rc-2026-01-06",
            "fermyon:spin/http-trigger@2.0.0",
            "fusebox:wasmcloud/service",
        ] {
            let text = SMALL.replace(
                "[artifact]\n",
                &format!("[artifact]\nworld = \"{world}\"\n"),
            );
            let m = parse(&text).unwrap();
            let parsed = m.artifact.world.unwrap();
            assert_eq!(
                (parsed.name.as_str(), parsed.at.as_str()),
                (world, "m.toml:2")
            );
            assert_eq!(parsed.wit, None);
        }
        assert_eq!(parse(SMALL).unwrap().artifact.world, None);
    }

    #[test]
    fn grants_match_interfaces_and_wildcards() {
        let m = parse(SMALL).unwrap();
        let auth = &m.components[0].grant;
        assert!(auth.allows("wasi:io/streams@0.2.6"));
        assert!(auth.allows("fusebox:logger/log@0.1.0"));
        assert!(!auth.allows("wasi:iox/streams@0.2.6"));
        assert!(!auth.allows("fusebox:logger/logs@0.1.0"));
        assert!(m.artifact.grant.allows("wasi:config/store@0.2.0-rc.1"));
        assert!(!m.artifact.grant.allows("wasi:random/random@0.2.6"));
    }

    #[test]
    fn refusals_name_the_component_the_interface_and_the_line() {
        let m = parse(SMALL).unwrap();
        let error = m
            .check_component(
                "calculator",
                &[
                    "fusebox:logger/log@0.1.0".into(),
                    "wasi:sockets/tcp@0.2.6".into(),
                ],
            )
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "policy refused the calculator component: it imports `wasi:sockets/tcp@0.2.6`, \
             which [components.calculator] at m.toml:11 does not grant; if calculator should \
             have this capability, add it to that `imports` list, and if it should not but \
             its toolchain imports it anyway, list it in a `deny` entry there (the composer \
             then answers it with a stub that traps)"
        );
    }

    #[test]
    fn deny_lists_take_what_the_grant_does_not_and_nothing_it_does() {
        let text = SMALL.replace(
            "imports = [\"fusebox:logger/log\"]",
            "imports = [\"fusebox:logger/log\"]\ndeny = [\"wasi:http/*\", \"wasi:io/streams\"]",
        );
        let m = parse(&text).unwrap();
        let imports = [
            "fusebox:logger/log@0.1.0".to_owned(),
            "wasi:http/types@0.2.6".into(),
            "wasi:io/streams@0.2.6".into(),
        ];
        assert_eq!(
            m.check_component("calculator", &imports).unwrap(),
            ["wasi:http/types@0.2.6", "wasi:io/streams@0.2.6"]
        );
        // What neither list names is still refused.
        let error = m
            .check_component("calculator", &["wasi:io/poll@0.2.6".into()])
            .unwrap_err();
        assert!(matches!(error, ComposeError::Refused { .. }), "{error}");
        // `*` denies whatever is not granted, and never what is.
        let m = parse(&SMALL.replace(
            "imports = [\"fusebox:logger/log\"]",
            "imports = [\"fusebox:logger/log\"]\ndeny = [\"*\"]",
        ))
        .unwrap();
        assert_eq!(
            m.check_component("calculator", &imports).unwrap(),
            ["wasi:http/types@0.2.6", "wasi:io/streams@0.2.6"]
        );
        // A named entry that the grant covers too is a contradiction.
        let m = parse(&SMALL.replace(
            "imports = [\"fusebox:logger/log\"]",
            "imports = [\"fusebox:logger/*\"]\ndeny = [\"fusebox:logger/log\"]",
        ))
        .unwrap();
        let error = m.check_component("calculator", &imports[..1]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "[components.calculator] both grants `fusebox:logger/log@0.1.0` (imports at \
             m.toml:11) and denies it (deny at m.toml:12); keep it in one list"
        );
    }

    #[test]
    fn bad_manifests_are_refused_with_the_line() {
        let component = |body: &str| {
            format!("[artifact]\nexport = \"a:b/c\"\nimports = []\n\n[components.x]\n{body}\n")
        };
        for (text, reason) in [
            (
                component("source = { crate = \"x\" }\nimprts = []"),
                "m.toml:7: unknown field `imprts`, expected one of",
            ),
            (
                component("source = { crate = \"x\" }\nimports = [\"wasi:io/streams@0.2.6\"]"),
                "m.toml:7: `wasi:io/streams@0.2.6` in [components.x] is not",
            ),
            (
                component("source = { crate = \"x\", path = \"x.wasm\" }\nimports = []"),
                "m.toml:6: [components.x] source must have exactly one of `crate`, `path` or `oci`",
            ),
            (
                component("source = { crate = \"x\" }\nimports = []\nwire = { \"nonsense\" = \"y\" }"),
                "m.toml:8: `nonsense` in [components.x.wire] is not an interface",
            ),
            (
                component("source = { crate = \"x\" }"),
                "missing field `imports`",
            ),
            (
                component("source = { crate = \"x\" }\nimports = []\ndeny = [\"wasi:io\"]"),
                "m.toml:8: `wasi:io` in [components.x] deny is not",
            ),
            (
                component(
                    "source = { crate = \"x\" }\nimports = [\"wasi:io/*\"]\ndeny = [\"wasi:io/*\"]",
                ),
                "m.toml:8: [components.x] both grants and denies `wasi:io/*`",
            ),
            (
                "[artifact]\nexport = \"a:b/c\"\nimports = []\n[components.Bad_Name]\nsource = { crate = \"x\" }\nimports = []\n".into(),
                "m.toml:4: [components.Bad_Name]: a component name is kebab-case",
            ),
            (
                "[artifact]\nexport = \"wasi:http/incoming-handler@0.2.6\"\nimports = []\n".into(),
                "m.toml:2: [artifact] export `wasi:http/incoming-handler@0.2.6` is not",
            ),
            (
                "[artifact]\nexport = \"a:b/c\"\nimports = []\n".into(),
                "has no [components.<name>] sections",
            ),
            (
                "[artifact]\nworld = \"wasi:http\"\nexport = \"a:b/c\"\n".into(),
                "m.toml:2: [artifact] world `wasi:http` is not `namespace:package/world`",
            ),
            (
                "[artifact]\nworld = \"wasi:http/proxy@0.2\"\nexport = \"a:b/c\"\n".into(),
                "m.toml:2: [artifact] world `wasi:http/proxy@0.2` is not",
            ),
            (
                "[artifact]\nexport = \"a:b/c\"\nimports = []\n[components.host]\nsource = { crate = \"x\" }\nimports = []\n".into(),
                "m.toml:4: [components.host]: `host` stands for the host",
            ),
            ("[components.x\n".into(), "m.toml:1:"),
        ] {
            let error = parse(&text).unwrap_err().to_string();
            assert!(error.contains(reason), "{text:?}:\n{error}");
            assert!(error.starts_with("invalid manifest: m.toml"), "{error}");
        }
    }

    #[test]
    fn path_sources_resolve_against_the_manifest() {
        let text = SMALL.replace("prebuilt/calc.wasm", "../../target/calc.wasm");
        // Kept as written (the lock and the provenance record it so), opened resolved.
        let written = Path::new("../../target/calc.wasm");
        let m = Manifest::parse(&text, "examples/x/m.toml", "examples/x").unwrap();
        assert_eq!(m.components[1].source, Source::Path(written.into()));
        let out = text.replace(
            "[artifact]\n",
            "[artifact]\nout = \"../../target/a.wasm\"\n",
        );
        let with_out = Manifest::parse(&out, "examples/x/m.toml", "examples/x").unwrap();
        assert_eq!(with_out.artifact.out, Path::new("target/a.wasm"));
        assert_eq!(m.resolve(written), Path::new("target/calc.wasm"));
        let m = Manifest::parse(&text, "m.toml", "").unwrap();
        assert_eq!(m.resolve(written), written);
    }

    #[test]
    fn splits_names() {
        assert_eq!(unversioned("wasi:cli/exit@0.2.6"), "wasi:cli/exit");
        assert_eq!(version("wasi:cli/exit@0.2.6"), Some("0.2.6"));
        assert_eq!(unversioned("plain"), "plain");
        assert!(is_kebab("http-handler") && is_kebab("a1") && !is_kebab("a--b"));
        assert!(!is_kebab("Http") && !is_kebab("1a") && !is_kebab(""));
    }
}
