//! Everything that can go wrong while fusing, each naming the component and the item at
//! fault, so that the message alone tells a user what to fix.

use crate::Role;
use crate::policy::Grant;
use std::path::PathBuf;

/// An import of the fused artifact that the policy does not allow, with the components
/// that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrayImport {
    /// The import name, such as `wasi:filesystem/types@0.2.6`.
    pub import: String,
    /// The components that import it and that nothing in the composition satisfies.
    pub components: Vec<Role>,
}

fn list_stray(imports: &[StrayImport]) -> String {
    imports
        .iter()
        .map(|s| {
            let who: Vec<&str> = s.components.iter().map(|r| r.name()).collect();
            format!("\n  - `{}`, imported by {}", s.import, who.join(", "))
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

/// Why a composition failed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// An input file could not be read.
    #[error("cannot read the {role} component at {}: {source}", path.display())]
    Read {
        /// The input's role.
        role: Role,
        /// The path that was read.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An input file is not WebAssembly at all.
    #[error("the {role} input {} is not a WebAssembly binary (it does not start with `\\0asm`)", path.display())]
    NotWasm {
        /// The input's role.
        role: Role,
        /// The offending file.
        path: PathBuf,
    },
    /// An input is a core module, not a component.
    #[error(
        "the {role} input {} is a core WebAssembly module, not a component; build it for \
         wasm32-wasip2 (or with `cargo component build`) to get a component", path.display()
    )]
    CoreModule {
        /// The input's role.
        role: Role,
        /// The offending file.
        path: PathBuf,
    },
    /// An input is a component that does not parse or validate.
    #[error("the {role} input {} is not a valid component: {detail}", path.display())]
    Invalid {
        /// The input's role.
        role: Role,
        /// The offending file.
        path: PathBuf,
        /// What the parser or validator said.
        detail: String,
    },
    /// A component lacks an export that the wiring needs.
    #[error(
        "the {role} component does not export `{interface}`, which {needed_by} needs; it exports: {}",
        if exports.is_empty() { "nothing".to_string() } else { exports.join(", ") }
    )]
    MissingExport {
        /// The component expected to provide the interface.
        role: Role,
        /// The interface, without a version.
        interface: String,
        /// Who needs it: a component's name, or "the fused artifact".
        needed_by: String,
        /// What the component does export.
        exports: Vec<String>,
    },
    /// Two components name the same interface at different versions.
    #[error(
        "version mismatch: {consumer} imports `{import}` but {provider} exports `{export}`; \
         rebuild both against the same WIT package version"
    )]
    VersionMismatch {
        /// The importing component.
        consumer: Role,
        /// Its import name.
        import: String,
        /// The exporting component.
        provider: Role,
        /// Its export name.
        export: String,
    },
    /// Two components name the same interface but disagree on its types.
    #[error(
        "type mismatch: {consumer} imports `{import}` with types that {provider}'s export does not satisfy: {detail}"
    )]
    TypeMismatch {
        /// The importing component.
        consumer: Role,
        /// The import name.
        import: String,
        /// The exporting component.
        provider: Role,
        /// The type checker's explanation.
        detail: String,
    },
    /// Components import interfaces that no component exports and the host is not
    /// expected to grant.
    #[error(
        "unsatisfied imports: no component in the composition exports{}",
        list_stray(.0)
    )]
    Unsatisfied(Vec<StrayImport>),
    /// The policy file cannot be read, or does not say what a policy must.
    #[error("invalid policy {}: {detail}", path.display())]
    PolicyInvalid {
        /// The policy file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The policy has no section for a component, so it grants that component nothing.
    #[error(
        "the policy {} has no [components.{role}] section, so the {role} component may \
         import nothing; add the section, listing what it may import: {}",
        policy.display(), quoted(imports)
    )]
    NoPolicy {
        /// The component without a section.
        role: Role,
        /// The policy file.
        policy: PathBuf,
        /// What the component imports.
        imports: Vec<String>,
    },
    /// A component imports interfaces its policy section does not grant.
    #[error(
        "policy refused the {role} component: it imports {}, which {} at {} does not \
         grant; if {role} should have this capability, add it to that `imports` list",
        quoted(imports), grant.section, grant.location
    )]
    Refused {
        /// The over-privileged component.
        role: Role,
        /// The imports the policy does not grant, with their versions.
        imports: Vec<String>,
        /// The policy section that would have to change.
        grant: Grant,
    },
    /// The fused artifact would import interfaces that its host is not meant to grant.
    #[error(
        "closed world violated: the fused artifact may import only WASI 0.2 interfaces that \
         {} at {} grants ({}), but it would import{}",
        grant.section, grant.location, grant.entries.join(", "), list_stray(imports)
    )]
    ClosedWorld {
        /// The imports outside the grant, with the components that asked for them.
        imports: Vec<StrayImport>,
        /// The policy's `[artifact]` grant.
        grant: Grant,
    },
    /// wac-graph refused a step of the wiring, or could not encode the graph.
    #[error("composition failed: {0:#}")]
    Graph(anyhow::Error),
    /// The fused artifact could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The destination.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
