//! The capability policy: which interfaces each component, and the fused artifact, may
//! import.
//!
//! A [`Policy`] is read from a TOML file, `compose/policy.toml` by default (also built in
//! as [`Policy::builtin`]). Each `[components.<name>]` section grants one component a list
//! of interfaces; `[artifact]` grants the fused artifact what the host must provide. The
//! composer refuses a component that imports anything its section does not grant, and an
//! artifact left importing anything outside `[artifact]`, naming the line to change.
//!
//! ```toml
//! [artifact]
//! imports = ["wasi:http/proxy", "wasi:config/store"]
//!
//! [components.calculator]
//! imports = ["fusebox:logger/log"]
//! ```

use crate::{ComposeError, Role};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The policy entry that stands for every import of the `wasi:http/proxy` world.
pub const PROXY_WORLD: &str = "wasi:http/proxy";

/// The interfaces of the `wasi:http/proxy` world's imports, without versions.
///
/// A test checks this list against the vendored `wit/deps/http@*/proxy.wit`, so it cannot
/// drift from the WIT it stands for.
pub const PROXY_IMPORTS: &[&str] = &[
    "wasi:cli/stderr",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:http/outgoing-handler",
    "wasi:http/types",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/random",
];

/// Runtime configuration, which the auth component reads its key from. Spin, wasmCloud
/// and `wasmtime serve -Sconfig` provide it alongside the proxy world.
pub const CONFIG_STORE: &str = "wasi:config/store";

/// The `wasi:cli` interfaces that Rust std links but the proxy world lacks. The composer
/// wires every component's imports of these to the `cli-virt` component.
pub const STRAY_CLI: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
];

/// `name` without its `@version` suffix.
pub fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(base, _)| base)
}

/// The `@version` suffix of `name`, if any.
pub fn version(name: &str) -> Option<&str> {
    name.split_once('@').map(|(_, v)| v)
}

/// Whether `name` is one of Rust std's stray `wasi:cli` imports.
pub fn is_stray_cli(name: &str) -> bool {
    STRAY_CLI.contains(&unversioned(name))
}

/// Whether `name` carries a WASI 0.2 version, the only line the proxy hosts implement.
pub fn is_wasi_0_2(name: &str) -> bool {
    version(name).is_some_and(|v| v.starts_with("0.2."))
}

/// A capability policy, as read from a TOML file.
#[derive(Debug, Clone)]
pub struct Policy {
    origin: PathBuf,
    artifact: Grant,
    components: BTreeMap<String, Grant>,
}

/// What one section of a policy grants, and where the file says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The section header as written in the file, such as `[components.auth]`.
    pub section: String,
    /// The `imports` entries: interfaces, `package/*` wildcards, or [`PROXY_WORLD`].
    pub entries: Vec<String>,
    /// Where the `imports` list starts, as `file:line`.
    pub location: String,
}

impl Grant {
    /// Whether this grant covers the import `name` (at any version).
    pub fn allows(&self, name: &str) -> bool {
        let interface = unversioned(name);
        self.entries.iter().any(|entry| {
            entry == interface
                || (entry == PROXY_WORLD && PROXY_IMPORTS.contains(&interface))
                || entry
                    .strip_suffix('*')
                    .is_some_and(|package| interface.starts_with(package))
        })
    }
}

/// The file format: `[artifact]` and `[components.<name>]`, each with `imports`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    artifact: Option<Section>,
    #[serde(default)]
    components: BTreeMap<String, Section>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    imports: Spanned<Vec<String>>,
}

impl Policy {
    /// The policy file that ships with fusebox, as compiled into the composer.
    pub const BUILTIN: &str = include_str!("../policy.toml");

    /// fusebox's own policy ([`Policy::BUILTIN`]), attributed to `compose/policy.toml`.
    pub fn builtin() -> Policy {
        Policy::parse(Self::BUILTIN, "compose/policy.toml").expect("the built-in policy is valid")
    }

    /// Read and check the policy file at `path`.
    pub fn from_file(path: &Path) -> Result<Policy, ComposeError> {
        let text = std::fs::read_to_string(path).map_err(|e| ComposeError::PolicyInvalid {
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
        Policy::parse(&text, path)
    }

    /// Parse policy `text`; `origin` names the file in messages.
    pub fn parse(text: &str, origin: impl Into<PathBuf>) -> Result<Policy, ComposeError> {
        let origin = origin.into();
        let invalid = |detail: String| ComposeError::PolicyInvalid {
            path: origin.clone(),
            detail,
        };
        let file: PolicyFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let line = |span: std::ops::Range<usize>| 1 + text[..span.start].matches('\n').count();
        let grant =
            |section: String, imports: Spanned<Vec<String>>| -> Result<Grant, ComposeError> {
                let location = format!("{}:{}", origin.display(), line(imports.span()));
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

        let artifact = match file.artifact {
            Some(section) => grant("[artifact]".into(), section.imports)?,
            None => Grant {
                section: "[artifact]".into(),
                entries: vec![PROXY_WORLD.into(), CONFIG_STORE.into()],
                location: format!("{} (no [artifact] section: the default)", origin.display()),
            },
        };
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        let mut components = BTreeMap::new();
        for (name, section) in file.components {
            if !known.contains(&name.as_str()) {
                return Err(invalid(format!(
                    "[components.{name}] names no fusebox component; the components are {}",
                    known.join(", ")
                )));
            }
            let grant = grant(format!("[components.{name}]"), section.imports)?;
            components.insert(name, grant);
        }
        Ok(Policy {
            origin,
            artifact,
            components,
        })
    }

    /// The file this policy was read from.
    pub fn origin(&self) -> &Path {
        &self.origin
    }

    /// What the fused artifact may import from its host.
    pub fn artifact(&self) -> &Grant {
        &self.artifact
    }

    /// What `role` may import, if the policy has a section for it.
    pub fn component(&self, role: Role) -> Option<&Grant> {
        self.components.get(role.name())
    }

    /// Refuse `role`'s `imports` unless the policy grants every one of them. A component
    /// that imports nothing needs no section.
    pub fn check_component(&self, role: Role, imports: &[String]) -> Result<(), ComposeError> {
        if imports.is_empty() {
            return Ok(());
        }
        let Some(grant) = self.component(role) else {
            return Err(ComposeError::NoPolicy {
                role,
                policy: self.origin.clone(),
                imports: imports.to_vec(),
            });
        };
        let refused: Vec<String> = imports
            .iter()
            .filter(|i| !grant.allows(i))
            .cloned()
            .collect();
        match refused.is_empty() {
            true => Ok(()),
            false => Err(ComposeError::Refused {
                role,
                imports: refused,
                grant: grant.clone(),
            }),
        }
    }

    /// Whether the fused artifact may import `name`: granted by `[artifact]`, and a WASI
    /// 0.2 interface, the line the proxy hosts implement.
    pub fn artifact_may_import(&self, name: &str) -> bool {
        self.artifact.allows(name) && is_wasi_0_2(name)
    }
}

/// `namespace:package/interface` or `namespace:package/*`, without a version.
fn is_valid_entry(entry: &str) -> bool {
    let Some((package, interface)) = entry.split_once('/') else {
        return false;
    };
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let Some((namespace, name)) = package.split_once(':') else {
        return false;
    };
    word(namespace) && word(name) && (interface == "*" || word(interface))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_artifact_grant_is_proxy_and_config_at_wasi_0_2() {
        let policy = Policy::builtin();
        assert!(policy.artifact_may_import("wasi:http/types@0.2.4"));
        assert!(policy.artifact_may_import("wasi:io/streams@0.2.6"));
        assert!(policy.artifact_may_import("wasi:config/store@0.2.0-rc.1"));
        for refused in [
            "wasi:filesystem/types@0.2.6",
            "wasi:sockets/tcp@0.2.6",
            "wasi:cli/environment@0.2.6",
            "wasi:http/types@0.3.0",
            "wasi:http/types",
            "fusebox:logger/log@0.1.0",
        ] {
            assert!(!policy.artifact_may_import(refused), "{refused}");
        }
    }

    #[test]
    fn a_missing_artifact_section_means_the_same_default() {
        let policy = Policy::parse("[components.calculator]\nimports = []\n", "p.toml").unwrap();
        assert_eq!(policy.artifact().entries, [PROXY_WORLD, CONFIG_STORE]);
        assert!(policy.artifact_may_import("wasi:http/types@0.2.6"));
    }

    #[test]
    fn grants_match_interfaces_wildcards_and_the_proxy_world() {
        let policy = Policy::parse(
            "[components.auth]\nimports = [\"wasi:io/*\", \"fusebox:logger/log\"]\n",
            "p.toml",
        )
        .unwrap();
        let auth = policy.component(Role::Auth).unwrap();
        assert!(auth.allows("wasi:io/streams@0.2.6"));
        assert!(auth.allows("fusebox:logger/log@0.1.0"));
        assert!(!auth.allows("wasi:iox/streams@0.2.6"));
        assert!(!auth.allows("fusebox:logger/logs@0.1.0"));
        assert_eq!(auth.location, "p.toml:2");
        assert!(policy.component(Role::Logger).is_none());
    }

    #[test]
    fn refusals_name_the_component_the_interface_and_the_line() {
        let policy = Policy::builtin();
        let error = policy
            .check_component(
                Role::Calculator,
                &[
                    "fusebox:logger/log@0.1.0".into(),
                    "wasi:sockets/tcp@0.2.6".into(),
                ],
            )
            .unwrap_err()
            .to_string();
        assert!(error.contains("calculator"), "{error}");
        assert!(error.contains("`wasi:sockets/tcp@0.2.6`"), "{error}");
        assert!(!error.contains("logger/log"), "{error}");
        let line = Policy::BUILTIN
            .lines()
            .position(|l| l == "[components.calculator]")
            .unwrap()
            + 2;
        assert!(
            error.contains(&format!("compose/policy.toml:{line}")),
            "{error}"
        );
    }

    #[test]
    fn bad_policies_are_refused_with_the_reason() {
        for (text, reason) in [
            (
                "[components.calculater]\nimports = []\n",
                "names no fusebox component",
            ),
            (
                "[components.auth]\nimports = [\"wasi:io/streams@0.2.6\"]\n",
                "without a version",
            ),
            (
                "[components.auth]\nimports = [\"streams\"]\n",
                "is not `namespace:package/interface`",
            ),
            ("[components.auth]\nimport = []\n", "unknown field"),
            ("[components.auth\n", "p.toml"),
        ] {
            let error = Policy::parse(text, "p.toml").unwrap_err().to_string();
            assert!(error.contains(reason), "{text:?}: {error}");
        }
    }

    #[test]
    fn splits_names() {
        assert_eq!(unversioned("wasi:cli/exit@0.2.6"), "wasi:cli/exit");
        assert_eq!(version("wasi:cli/exit@0.2.6"), Some("0.2.6"));
        assert_eq!(unversioned("plain"), "plain");
        assert!(is_stray_cli("wasi:cli/terminal-stdout@0.2.0"));
        assert!(!is_stray_cli("wasi:cli/stdout@0.2.0"));
    }
}
