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
use std::path::{Path, PathBuf};
use wit_parser::{Resolve, UnresolvedPackageGroup, WorldId, WorldItem};

/// The package the composer writes the target world into: its own, so that it clashes
/// with nothing a manifest's WIT declares.
const TARGET_PACKAGE: &str = "fusebox-compose:target";

/// What the artifact's host provides: the world's imports and the extra grant.
#[derive(Debug, Clone)]
pub struct HostWorld {
    /// `[artifact].world` with its version, and the WIT directories it is read from, if
    /// any: its own, then the manifest's nearest `wit/` (the components' WASI versions).
    world: Option<(String, Vec<PathBuf>)>,
    /// The world's imports, with their versions, such as `wasi:io/poll@0.2.6`.
    imports: Vec<String>,
    /// The world's exports, likewise.
    exports: Vec<String>,
    /// Whether the world holds anything but interfaces (functions, types), which the
    /// version-aligned check below cannot list one by one.
    only_interfaces: bool,
    /// `[artifact].imports`.
    grant: Grant,
    /// The two, in words ([`crate::manifest::Artifact::host_grant`]).
    described: String,
}

impl HostWorld {
    /// Read `[artifact].world` from the manifest's WIT directory. Without a world, the
    /// host is `[artifact].imports` alone.
    pub fn load(manifest: &Manifest) -> Result<HostWorld, ComposeError> {
        let artifact = &manifest.artifact;
        let mut host = HostWorld {
            world: None,
            imports: Vec::new(),
            exports: Vec::new(),
            only_interfaces: true,
            grant: artifact.grant.clone(),
            described: artifact.host_grant(),
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
            let mut roots = vec![wit];
            if let Some(nearest) = nearest_wit(manifest.dir())
                && !roots.contains(&nearest)
            {
                roots.push(nearest);
            }
            // The world's own WIT, read once: for its version, then its imports and exports.
            let packages = read_packages(&roots[..1]).map_err(|e| error(format!("{e:#}")))?;
            let name = versioned(&world.name, &packages).map_err(|e| error(format!("{e:#}")))?;
            let body = format!("include {name};");
            let (resolve, id) =
                target_world(packages, &body).map_err(|e| error(format!("{e:#}")))?;
            host.imports = interface_names(&resolve, id, true);
            host.exports = interface_names(&resolve, id, false);
            let items = &resolve.worlds[id];
            host.only_interfaces = items
                .imports
                .values()
                .chain(items.exports.values())
                .all(|item| matches!(item, WorldItem::Interface { .. }));
            host.world = Some((name, roots));
        }
        Ok(host)
    }

    /// `[artifact].imports`: what the host grants beside the world.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// The world's full name, with the version the WIT gives it, if there is one.
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

    /// What the host grants, in words, for messages.
    pub fn describe(&self) -> &str {
        &self.described
    }

    /// wit-component's `targets` check of the encoded artifact against the world, plus
    /// the artifact's imports that `[artifact].imports` grants beside it.
    ///
    /// `targets` matches names exactly, while hosts link an import to any
    /// semver-compatible version they provide (wasmtime's linker does, and so Spin's and
    /// wasmCloud's hosts). So where the artifact uses a world's interface at another
    /// compatible version (WASI 0.2.6 against a world written for 0.2.0), the check
    /// holds it to the world's interfaces at the artifact's versions, read from the
    /// manifest's own WIT.
    pub fn check_targets(
        &self,
        artifact: &[u8],
        imports: &[String],
        exports: &[String],
    ) -> Result<(), ComposeError> {
        let Some((name, roots)) = &self.world else {
            return Ok(());
        };
        let error = |detail: String| ComposeError::Targets {
            world: name.clone(),
            detail,
        };
        // Each of the world's interfaces at every compatible version the artifact uses
        // (a component may import 0.2.0 and another 0.2.6), or at the world's own.
        let aligned = |wanted: &String, used: &[String]| -> Vec<String> {
            let matching: Vec<String> = used
                .iter()
                .filter(|u| {
                    unversioned(u) == unversioned(wanted)
                        && semver_compatible(version(wanted), version(u))
                })
                .cloned()
                .collect();
            match matching.is_empty() {
                true => vec![wanted.clone()],
                false => matching,
            }
        };
        let differs = self
            .imports
            .iter()
            .any(|i| aligned(i, imports) != [i.clone()])
            || self
                .exports
                .iter()
                .any(|e| aligned(e, exports) != [e.clone()]);
        let realign = self.only_interfaces && differs;
        let mut body = String::new();
        if realign {
            for import in self.imports.iter().flat_map(|i| aligned(i, imports)) {
                body.push_str(&format!("import {import};\n"));
            }
            for export in self.exports.iter().flat_map(|e| aligned(e, exports)) {
                body.push_str(&format!("export {export};\n"));
            }
        } else {
            body.push_str(&format!("include {name};\n"));
        }
        // What [artifact].imports grants beside the world; anything else fails the check.
        for import in imports
            .iter()
            .filter(|i| !self.in_world(i) && self.grant.allows(i))
        {
            body.push_str(&format!("import {import};\n"));
        }
        // The WIT may lack a version the artifact uses: that is the WIT's gap, not the
        // artifact's fault, and the message says what to vendor.
        let packages = read_packages(roots);
        let (resolve, world) = packages.and_then(|p| target_world(p, &body)).map_err(|e| {
            error(format!(
                "its interfaces at the versions the artifact uses cannot be read from {} \
                 ({e:#}); vendor the WIT of those versions",
                roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ))
        })?;
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

/// Every WIT package under `roots` (each directory of `.wit` files in a root and in its
/// `deps/`), parsed. Where two roots hold the same package, the first one's is taken.
pub fn read_packages(roots: &[PathBuf]) -> anyhow::Result<Vec<UnresolvedPackageGroup>> {
    let mut groups: Vec<UnresolvedPackageGroup> = Vec::new();
    let mut seen = BTreeSet::new();
    for root in roots {
        for dir in package_dirs(root)? {
            let group = UnresolvedPackageGroup::parse_dir(&dir)?;
            let names: Vec<String> = package_names(&group).map(|n| n.to_string()).collect();
            if names.iter().any(|name| seen.contains(name)) {
                continue;
            }
            seen.extend(names);
            groups.push(group);
        }
    }
    Ok(groups)
}

/// The composer's target world, `world target { <body> }`, resolved with `packages`.
pub fn target_world(
    packages: Vec<UnresolvedPackageGroup>,
    body: &str,
) -> anyhow::Result<(Resolve, WorldId)> {
    let text = format!("package {TARGET_PACKAGE};\nworld target {{\n{body}}}\n");
    let main = UnresolvedPackageGroup::parse("fusebox-compose-target.wit", &text)
        .map_err(|(map, e)| anyhow::anyhow!("{}", e.render(&map)))?;
    let mut resolve = Resolve::default();
    let main = resolve.push_groups(main, packages)?;
    let id = resolve.select_world(&[main], Some("target"))?;
    Ok((resolve, id))
}

fn package_names(group: &UnresolvedPackageGroup) -> impl Iterator<Item = &wit_parser::PackageName> {
    group.nested.iter().chain([&group.main]).map(|p| &p.name)
}

/// `world` with its package's version when it names none and `packages` hold exactly
/// one: a WIT `include` of a versioned package must say the version.
fn versioned(world: &str, packages: &[UnresolvedPackageGroup]) -> anyhow::Result<String> {
    let Some((package, name)) = world.split_once('/').filter(|_| !world.contains('@')) else {
        return Ok(world.to_owned());
    };
    let versions: BTreeSet<String> = packages
        .iter()
        .flat_map(package_names)
        .filter(|n| format!("{}:{}", n.namespace, n.name) == package)
        .filter_map(|n| n.version.as_ref().map(|v| v.to_string()))
        .collect();
    match versions.len() {
        0 => Ok(world.to_owned()),
        1 => Ok(format!("{package}/{name}@{}", versions.first().unwrap())),
        _ => anyhow::bail!(
            "the WIT has {package} at {}: name one, as `{world}@<version>`",
            versions.into_iter().collect::<Vec<_>>().join(" and ")
        ),
    }
}

/// The nearest directory called `wit` at or above `dir`.
fn nearest_wit(dir: &Path) -> Option<PathBuf> {
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

/// The directories that hold `.wit` files: `wit` itself (a WIT root whose main package
/// sits at the top, as published platforms lay theirs out), each directory under it
/// (fusebox's layout, one package per domain) and each under its `deps/`; sorted.
fn package_dirs(wit: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let has_wit = |dir: &Path| -> std::io::Result<bool> {
        Ok(dir.is_dir()
            && std::fs::read_dir(dir)?
                .any(|f| f.is_ok_and(|f| f.path().extension().is_some_and(|e| e == "wit"))))
    };
    let entries = std::fs::read_dir(wit)
        .map_err(|e| anyhow::anyhow!("cannot read the WIT directory {}: {e}", wit.display()))?;
    let mut dirs = Vec::new();
    if has_wit(wit)? {
        dirs.push(wit.to_owned());
    }
    let deps = std::fs::read_dir(wit.join("deps")).into_iter().flatten();
    for entry in entries.chain(deps) {
        let path = entry?.path();
        if has_wit(&path)? {
            dirs.push(path);
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
