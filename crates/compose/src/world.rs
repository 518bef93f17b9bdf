//! The host's side of the contract: `[artifact].world`, read from WIT, plus the extra
//! interfaces `[artifact].imports` grants beside it.
//!
//! The composer hard-codes no WASI version and no namespace. The manifest names the world
//! the artifact must target (`wasi:http/proxy@0.2.6`, `wasi:http/service@0.3.0`, or a
//! platform's own world from WIT under `wit/`), and [`HostWorld`] holds the artifact to
//! it twice:
//! - while composing, every import left for the host must be one of the world's imports
//!   (at a semver-compatible version) or granted by `[artifact].imports`;
//! - once encoded, the artifact must pass wit-component's [`targets`] check against the
//!   world plus those extra imports: the same check `wasm-tools component targets` runs.
//!
//! [`targets`]: wit_component::targets

use crate::ComposeError;
use crate::manifest::{Grant, Manifest, unversioned, version};
use std::collections::BTreeSet;
use std::path::Path;
use wit_parser::{Resolve, UnresolvedPackageGroup, WorldId, WorldItem};

/// The package the composer writes the target world into: its own, so that it clashes
/// with nothing a manifest's WIT declares.
const TARGET_PACKAGE: &str = "fusebox-compose:target";

/// What the artifact's host provides: the world's imports and the extra grant.
#[derive(Debug, Clone)]
pub struct HostWorld {
    /// `[artifact].world` as written, with the WIT directory it is read from, if any.
    world: Option<(String, std::path::PathBuf)>,
    /// The world's imports, with their versions, such as `wasi:io/poll@0.2.6`.
    imports: Vec<String>,
    /// `[artifact].imports`.
    grant: Grant,
}

impl HostWorld {
    /// Read `[artifact].world` from the manifest's WIT directory. Without a world, the
    /// host is `[artifact].imports` alone.
    pub fn load(manifest: &Manifest) -> Result<HostWorld, ComposeError> {
        let artifact = &manifest.artifact;
        let mut host = HostWorld {
            world: None,
            imports: Vec::new(),
            grant: artifact.grant.clone(),
        };
        if let Some(world) = &artifact.world {
            let error = |detail: String| ComposeError::World {
                world: world.name.clone(),
                at: world.at.clone(),
                detail,
            };
            let wit = match &world.wit {
                Some(wit) => manifest.resolve(wit),
                None => nearest_wit(manifest.dir()).ok_or_else(|| {
                    error(format!(
                        "no `wit/` directory at or above {} to read it from; say where with \
                         `wit = \"…\"` in [artifact]",
                        manifest.dir().display()
                    ))
                })?,
            };
            let (resolve, id) =
                target_world(&wit, &world.name, &[]).map_err(|e| error(format!("{e:#}")))?;
            host.imports = interface_names(&resolve, id, true);
            host.world = Some((world.name.clone(), wit));
        }
        Ok(host)
    }

    /// `[artifact].imports`: what the host grants beside the world.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// The world's name as the manifest writes it, if there is one.
    pub fn name(&self) -> Option<&str> {
        self.world.as_ref().map(|(name, _)| name.as_str())
    }

    /// Whether the host provides `import`: one of the world's imports at a
    /// semver-compatible version, or an interface `[artifact].imports` grants.
    pub fn allows(&self, import: &str) -> bool {
        self.in_world(import) || self.grant.allows(import)
    }

    fn in_world(&self, import: &str) -> bool {
        self.imports.iter().any(|offered| {
            unversioned(offered) == unversioned(import)
                && semver_compatible(version(offered), version(import))
        })
    }

    /// Whether `import` belongs to a namespace the host provides anything from (`wasi`
    /// for the proxy world). An import from such a namespace that the host does not
    /// provide is a capability the artifact may not have; one from elsewhere should
    /// have come from a component.
    pub fn knows_namespace(&self, import: &str) -> bool {
        let namespace = |name: &str| name.split(':').next().unwrap_or("").to_owned();
        let ours: BTreeSet<String> = self
            .imports
            .iter()
            .map(String::as_str)
            .chain(self.grant.entries.iter().map(String::as_str))
            .map(namespace)
            .collect();
        ours.contains(&namespace(import))
    }

    /// What the host grants, for messages: `the world wasi:http/proxy@0.2.6, plus
    /// wasi:config/store`.
    pub fn describe(&self) -> String {
        let extra = self.grant.entries.join(", ");
        match (self.name(), extra.is_empty()) {
            (Some(world), true) => format!("the world {world}"),
            (Some(world), false) => format!("the world {world}, plus {extra}"),
            (None, true) => "nothing".to_owned(),
            (None, false) => extra,
        }
    }

    /// wit-component's `targets` check of the encoded artifact against the world plus
    /// the artifact's imports that `[artifact].imports` grants beside it.
    pub fn check_targets(&self, artifact: &[u8], imports: &[String]) -> Result<(), ComposeError> {
        let Some((name, wit)) = &self.world else {
            return Ok(());
        };
        let extra: Vec<String> = imports
            .iter()
            .filter(|import| !self.in_world(import))
            .cloned()
            .collect();
        let error = |detail: String| ComposeError::Targets {
            world: name.clone(),
            detail,
        };
        let (resolve, world) =
            target_world(wit, name, &extra).map_err(|e| error(format!("{e:#}")))?;
        wit_component::targets(&resolve, world, artifact).map_err(|e| error(format!("{e:#}")))
    }
}

/// Whether an import at version `wanted` is satisfied by one at `offered`, by the
/// component model's rule: the same major version (or, before 1.0, the same minor, and
/// before 0.1, the same patch), and no prerelease unless both are the same.
fn semver_compatible(offered: Option<&str>, wanted: Option<&str>) -> bool {
    let (Some(offered), Some(wanted)) = (offered, wanted) else {
        return offered == wanted;
    };
    let (Ok(a), Ok(b)) = (
        semver::Version::parse(offered),
        semver::Version::parse(wanted),
    ) else {
        return offered == wanted;
    };
    if !a.pre.is_empty() || !b.pre.is_empty() {
        return a == b;
    }
    match (a.major, a.minor) {
        (0, 0) => b.major == 0 && b.minor == 0 && a.patch == b.patch,
        (0, minor) => b.major == 0 && b.minor == minor,
        (major, _) => b.major == major,
    }
}

/// The interfaces a world imports (or exports), as versioned names.
pub fn interface_names(resolve: &Resolve, world: WorldId, imports: bool) -> Vec<String> {
    let world = &resolve.worlds[world];
    let items = if imports {
        &world.imports
    } else {
        &world.exports
    };
    items
        .iter()
        .filter(|(_, item)| matches!(item, WorldItem::Interface { .. }))
        .map(|(key, _)| resolve.name_world_key(key))
        .collect()
}

/// Every WIT package under `wit` (each directory of `.wit` files in it and in its
/// `deps/`), resolved together with the composer's own target world: `world`, plus an
/// import of each of `extra`.
pub fn target_world(
    wit: &Path,
    world: &str,
    extra: &[String],
) -> anyhow::Result<(Resolve, WorldId)> {
    let mut groups = Vec::new();
    for dir in package_dirs(wit)? {
        groups.push(UnresolvedPackageGroup::parse_dir(&dir)?);
    }
    let mut text = format!("package {TARGET_PACKAGE};\nworld target {{\n    include {world};\n");
    for import in extra {
        text.push_str(&format!("    import {import};\n"));
    }
    text.push_str("}\n");
    let main = UnresolvedPackageGroup::parse("fusebox-compose-target.wit", &text)
        .map_err(|(map, e)| anyhow::anyhow!("{}", e.render(&map)))?;
    let mut resolve = Resolve::default();
    let main = resolve.push_groups(main, groups)?;
    let id = resolve.select_world(&[main], Some("target"))?;
    Ok((resolve, id))
}

/// The nearest directory called `wit` at or above `dir`.
fn nearest_wit(dir: &Path) -> Option<std::path::PathBuf> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .map(|dir| dir.join("wit"))
        .find(|wit| wit.is_dir())
}

/// The directories under `wit` and `wit/deps` that hold `.wit` files, sorted.
fn package_dirs(wit: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut dirs = Vec::new();
    for parent in [wit.to_owned(), wit.join("deps")] {
        let entries = match std::fs::read_dir(&parent) {
            Ok(entries) => entries,
            Err(_) if parent != wit => continue,
            Err(e) => anyhow::bail!("cannot read the WIT directory {}: {e}", wit.display()),
        };
        for entry in entries {
            let path = entry?.path();
            let has_wit = path.is_dir()
                && std::fs::read_dir(&path)?
                    .any(|f| f.is_ok_and(|f| f.path().extension().is_some_and(|e| e == "wit")));
            if has_wit {
                dirs.push(path);
            }
        }
    }
    dirs.sort();
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_match_by_the_component_model_rule() {
        let ok = |a, b| semver_compatible(Some(a), Some(b));
        assert!(ok("0.2.6", "0.2.0") && ok("0.2.0", "0.2.12") && ok("1.2.0", "1.0.5"));
        assert!(!ok("0.2.6", "0.3.0") && !ok("0.0.1", "0.0.2") && !ok("1.0.0", "2.0.0"));
        assert!(ok("0.2.0-rc.1", "0.2.0-rc.1") && !ok("0.2.0-rc.1", "0.2.0-draft"));
        assert!(semver_compatible(None, None) && !semver_compatible(Some("0.2.6"), None));
    }
}
