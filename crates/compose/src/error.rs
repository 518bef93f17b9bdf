//! Everything that can go wrong while fusing, each naming the component, the item at
//! fault and, where one exists, the manifest line to change, so that the message alone
//! tells a user what to fix.

use crate::manifest::{Grant, WireRule};
use std::path::PathBuf;

/// An import of the fused artifact that the manifest does not allow, with the components
/// that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrayImport {
    /// The import name, such as `wasi:filesystem/types@0.2.6`.
    pub import: String,
    /// The components that import it and that nothing in the composition satisfies.
    pub components: Vec<String>,
}

fn list_stray(imports: &[StrayImport]) -> String {
    imports
        .iter()
        .map(|s| {
            format!(
                "\n  - `{}`, imported by {}",
                s.import,
                s.components.join(", ")
            )
        })
        .collect()
}

fn quoted(names: &[String]) -> String {
    match names {
        [] => "nothing".into(),
        names => names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn with_lines(components: &[(String, String)]) -> String {
    components
        .iter()
        .map(|(name, at)| format!("{name} ({at})"))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn exports_by_component(exports: &[(String, Vec<String>)]) -> String {
    exports
        .iter()
        .map(|(name, exports)| format!("\n  - {name}: {}", quoted(exports)))
        .collect()
}

/// Why a composition failed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The manifest cannot be read, or does not say what a manifest must.
    #[error("invalid manifest: {detail}")]
    ManifestInvalid {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong with it, starting with `file:line`, or the file where no line
        /// is to blame.
        detail: String,
    },
    /// An input was handed to the composer under a name the manifest does not have.
    #[error("{name} is not a component of {}; its components are {known}", manifest.display())]
    UnknownComponent {
        /// The name.
        name: String,
        /// The manifest.
        manifest: PathBuf,
        /// The manifest's component names.
        known: String,
    },
    /// An input file could not be read.
    #[error(
        "cannot read the {component} component at {}{}: {source}{hint}",
        path.display(), parenthesized(source_at)
    )]
    Read {
        /// The component.
        component: String,
        /// The path that was read.
        path: PathBuf,
        /// Where the manifest names the source, as `file:line`.
        source_at: String,
        /// What to do about it, such as how to build a crate source; may be empty.
        hint: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A component from a registry could not be fetched, or was refused: a digest that
    /// does not match, no signature made with the key, not a component, no registry.
    #[error("the {component} component ({source_at}) from {reference}, key {}: {source}", key.display())]
    Registry {
        /// The component.
        component: String,
        /// The reference, as the manifest gives it.
        reference: String,
        /// The public key it must be signed with, resolved against the manifest.
        key: PathBuf,
        /// Where the manifest names the source, as `file:line`.
        source_at: String,
        /// What went wrong.
        #[source]
        source: Box<fusebox_registry::RegistryError>,
    },
    /// An input file is not WebAssembly at all.
    #[error("the {component} input {} is not a WebAssembly binary (it does not start with `\\0asm`)", path.display())]
    NotWasm {
        /// The component.
        component: String,
        /// The offending file.
        path: PathBuf,
    },
    /// An input is a core module, not a component.
    #[error(
        "the {component} input {} is a core WebAssembly module, not a component; {}",
        path.display(), fusebox_registry::CORE_MODULE_ADVICE
    )]
    CoreModule {
        /// The component.
        component: String,
        /// The offending file.
        path: PathBuf,
    },
    /// An input is a component that does not parse or validate.
    #[error("the {component} input {} is not a valid component: {detail}", path.display())]
    Invalid {
        /// The component.
        component: String,
        /// The offending file.
        path: PathBuf,
        /// What the parser or validator said.
        detail: String,
    },
    /// An input is larger than the composer reads ([`crate::limits::MAX_COMPONENT_BYTES`]).
    #[error(
        "the {component} input {} is {size} bytes, more than the {limit}-byte limit on a \
         component; fusebox does not read it (see docs/security.md, \"Limits\")",
        path.display()
    )]
    TooLarge {
        /// The component.
        component: String,
        /// The offending file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An input declares more imports and exports than the composer takes
    /// ([`crate::limits::MAX_EXTERNS`]).
    #[error(
        "the {component} input {} declares {count} imports and exports, more than the limit \
         of {limit}; no real component needs that many (see docs/security.md, \"Limits\")",
        path.display()
    )]
    TooManyExterns {
        /// The component.
        component: String,
        /// The offending file.
        path: PathBuf,
        /// Its imports plus exports.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A component imports interfaces its grant does not cover.
    #[error(
        "policy refused the {component} component: it imports {}, which {} at {} does not \
         grant; if {component} should have this capability, add it to that `imports` list, \
         and if it should not but its toolchain imports it anyway, list it in a `deny` entry \
         there (the composer then answers it with a stub that traps)",
        quoted(imports), grant.section, grant.location
    )]
    Refused {
        /// The over-privileged component.
        component: String,
        /// The imports the grant does not cover, with their versions.
        imports: Vec<String>,
        /// The `imports` list that would have to change.
        grant: Box<Grant>,
    },
    /// A component's `deny` list names an import its grant covers.
    #[error(
        "[components.{component}] both grants `{import}` (imports at {grant_at}) and \
         denies it (deny at {deny_at}); keep it in one list"
    )]
    DeniedAndGranted {
        /// The component.
        component: String,
        /// The import, with its version.
        import: String,
        /// Where the grant is written.
        grant_at: String,
        /// Where the `deny` list is written.
        deny_at: String,
    },
    /// A granted import uses types from a denied one, so the two would come from
    /// different places and their types could never agree.
    #[error(
        "[components.{component}] denies `{denied}` (deny at {deny_at}), but `{granted}`, \
         which it is granted, uses types from it: deny both, or neither"
    )]
    DenyEntangled {
        /// The component.
        component: String,
        /// The granted import.
        granted: String,
        /// The denied interface it depends on.
        denied: String,
        /// Where the `deny` list is written.
        deny_at: String,
    },
    /// The deny stub for a component could not be generated.
    #[error("cannot generate the deny stub for {component}: {detail}")]
    DenyStub {
        /// The component whose imports are denied.
        component: String,
        /// What went wrong.
        detail: String,
    },
    /// No component exports the interface `[artifact].export` names.
    #[error(
        "no component exports `{interface}`, which [artifact] export at {at} names; the \
         components export:{}",
        exports_by_component(exports)
    )]
    NoExporter {
        /// The interface, without a version.
        interface: String,
        /// Where the manifest names it.
        at: String,
        /// What each component does export.
        exports: Vec<(String, Vec<String>)>,
    },
    /// More than one component exports the interface `[artifact].export` names.
    #[error(
        "ambiguous export: both {} export `{interface}`, which [artifact] export at {at} \
         names; a composition exports it from one component: leave the other out, or, for \
         middleware in front of a service, list them outermost first in [artifact] chain",
        with_lines(providers)
    )]
    AmbiguousExport {
        /// The interface, without a version.
        interface: String,
        /// Where the manifest names it.
        at: String,
        /// The exporting components, with their sections' lines.
        providers: Vec<(String, String)>,
    },
    /// A member of `[artifact].chain` cannot take its place in it.
    #[error("[artifact] chain at {at} cannot have {component} where it is: {why}")]
    ChainConflict {
        /// The chain member.
        component: String,
        /// What is wrong, and what to change.
        why: String,
        /// Where the chain is written.
        at: String,
    },
    /// A component lacks an export that a `wire` entry says it provides.
    #[error(
        "the {component} component does not export `{interface}`, which {needed_by} needs; it exports: {}",
        quoted(exports)
    )]
    MissingExport {
        /// The component expected to provide the interface.
        component: String,
        /// The interface, without a version.
        interface: String,
        /// Who needs it, and where the manifest says so.
        needed_by: String,
        /// What the component does export.
        exports: Vec<String>,
    },
    /// Two or more components export an interface that a component imports.
    #[error(
        "ambiguous: {consumer} imports `{import}`, which {} {} export; say which one in \
         [components.{consumer}.wire], below [components.{consumer}] at {consumer_at}, for \
         example:\n  [components.{consumer}.wire]\n  \"{}\" = \"{}\"",
        with_lines(providers), if providers.len() == 2 { "both" } else { "all" },
        crate::manifest::unversioned(import), providers[0].0
    )]
    Ambiguous {
        /// The importing component.
        consumer: String,
        /// Its import name.
        import: String,
        /// The exporting components, with their sections' lines.
        providers: Vec<(String, String)>,
        /// Where the consumer's section starts.
        consumer_at: String,
    },
    /// A `wire` entry names a provider the manifest does not have.
    #[error(
        "{}: [components.{consumer}.wire] takes `{}` from `{}`, which is not a component \
         of the manifest; the components are {known}", rule.at, rule.import, rule.provider
    )]
    UnknownWireProvider {
        /// The importing component.
        consumer: String,
        /// The entry.
        rule: Box<WireRule>,
        /// The manifest's component names.
        known: String,
    },
    /// A `wire` entry names its own component as the provider.
    #[error(
        "{}: [components.{consumer}.wire] takes `{}` from {consumer} itself; an import comes \
         from another component or from the host", rule.at, rule.import
    )]
    WireToSelf {
        /// The component whose `wire` table has the entry.
        consumer: String,
        /// The entry.
        rule: Box<WireRule>,
    },
    /// A `wire` entry names an interface its component does not import.
    #[error(
        "{at}: [components.{consumer}.wire] names `{import}`, which {consumer} does not \
         import; it imports: {}",
        quoted(imports)
    )]
    WireMatchesNothing {
        /// The component whose `wire` table has the entry.
        consumer: String,
        /// The entry's interface.
        import: String,
        /// Where the entry is written.
        at: String,
        /// What the component does import.
        imports: Vec<String>,
    },
    /// Components import from each other in a circle, so none can be instantiated first.
    #[error(
        "dependency cycle: {} ({}); a component is instantiated after everything it imports \
         from, so one of these imports must come from somewhere else",
        cycle.join(" -> "), steps.join("; ")
    )]
    Cycle {
        /// The components along the cycle, the first repeated at the end.
        cycle: Vec<String>,
        /// One `a imports x from b` per step.
        steps: Vec<String>,
    },
    /// Two components name the same interface at incompatible versions.
    #[error(
        "version mismatch: {consumer} imports `{import}` but {provider} exports `{export}`; \
         rebuild both against the same WIT package version"
    )]
    VersionMismatch {
        /// The importing component.
        consumer: String,
        /// Its import name.
        import: String,
        /// The exporting component.
        provider: String,
        /// Its export name.
        export: String,
    },
    /// Two components name the same interface but disagree on its types.
    #[error(
        "type mismatch: {consumer} imports `{import}` with types that {provider}'s export does not satisfy: {detail}"
    )]
    TypeMismatch {
        /// The importing component.
        consumer: String,
        /// The import name.
        import: String,
        /// The exporting component.
        provider: String,
        /// The type checker's explanation.
        detail: String,
    },
    /// Components import interfaces that no component exports and the host is not
    /// expected to grant.
    #[error(
        "unsatisfied imports: no component in the composition exports{}\nadd a component \
         that exports it to the manifest",
        list_stray(.0)
    )]
    Unsatisfied(Vec<StrayImport>),
    /// The fused artifact would import interfaces that its host is not meant to grant.
    #[error(
        "closed world violated: the fused artifact may import only what {} at {} grants \
         ({host}), but it would import{}",
        grant.section, grant.location, list_stray(imports)
    )]
    ClosedWorld {
        /// The imports outside the grant, with the components that asked for them.
        imports: Vec<StrayImport>,
        /// What the host provides, in words: the world and the extra grant.
        host: String,
        /// The manifest's `[artifact]` grant.
        grant: Box<Grant>,
    },
    /// `[artifact].world` cannot be read from its WIT.
    #[error("[artifact] world `{world}` at {at}: {detail}")]
    World {
        /// The world, as written.
        world: String,
        /// Where the manifest names it, as `file:line`.
        at: String,
        /// What went wrong: an unreadable directory, a WIT error, or no such world.
        detail: String,
    },
    /// The encoded artifact does not fit its world, by wit-component's `targets`.
    #[error("the fused artifact does not target the world {world}: {detail}")]
    Targets {
        /// The world, with the version the WIT gives it.
        world: String,
        /// wit-component's explanation.
        detail: String,
    },
    /// `--locked` was given and an input differs from `fusebox.lock`.
    #[error("{} is out of date: {detail}; compose without --locked to update it", lock.display())]
    LockMismatch {
        /// The lock file.
        lock: PathBuf,
        /// Which input differs, and how.
        detail: String,
    },
    /// wac-graph refused a step of the wiring, or could not encode the graph.
    #[error("composition failed: {0:#}")]
    Graph(anyhow::Error),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The destination.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// ` (text)`, or nothing when `text` is empty.
fn parenthesized(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" ({text})")
    }
}
