//! Synthetic components for composer tests, made from WIT alone.
//!
//! `wit_component::dummy_module` produces a core module with the imports and exports of
//! a world (its functions just trap); encoding it gives a real component whose interface
//! is exactly that WIT. So a test describes a broken component in a few lines of WIT
//! instead of building one.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use wit_component::{ComponentEncoder, StringEncoding, dummy_module, embed_component_metadata};
use wit_parser::{ManglingAndAbi, PackageId, Resolve, WorldId};

/// The components of the real manifests (`fusebox.toml`, `examples/p3`) whose worlds the
/// tests can synthesise.
pub const NAMES: [&str; 7] = [
    "logger",
    "calculator",
    "auth",
    "http-handler",
    "cli-virt",
    "http-service",
    "auth-middleware",
];

/// The repository: the nearest directory above the crate under test that has `wit/`
/// (this module is shared by crates at different depths).
pub fn repo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("wit").is_dir())
        .expect("the crate is inside the repository")
        .to_owned()
}

/// The repository's `wit/` directory.
pub fn wit_dir() -> PathBuf {
    repo_dir().join("wit")
}

/// Each real component's WIT: (directory under `wit/`, package name, world name).
pub fn real_world(name: &str) -> (&'static str, &'static str, &'static str) {
    match name {
        "logger" => ("logger", "logger", "logger"),
        "calculator" => ("calculator", "calculator", "calculator"),
        "auth" => ("auth", "auth", "authenticator"),
        "http-handler" => ("http-handler", "service", "http-handler"),
        "cli-virt" => ("cli-virt", "cli-virt", "cli-virt"),
        "http-service" => ("http-service", "http-service", "http-service"),
        "auth-middleware" => ("auth-middleware", "auth-middleware", "auth-middleware"),
        other => panic!("no real world for a component called {other}: give the case {other}.wit"),
    }
}

/// The repository's `fusebox.toml`.
pub fn real_manifest_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fusebox.toml"))
        .unwrap()
}

/// A resolve with the vendored wasi packages and the fusebox packages, except the
/// fusebox packages named in `skip` (so that a test can define its own version).
pub fn resolve(skip: &[&str]) -> Resolve {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(wit_dir().join("deps"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    for name in NAMES {
        let (dir, package, _) = real_world(name);
        if !skip.contains(&package) {
            dirs.push(wit_dir().join(dir));
        }
    }
    // Push packages in rounds: one whose dependencies are not in yet is tried again.
    // Packages that depend on a skipped one never resolve and are left out.
    let mut resolve = Resolve::default();
    while !dirs.is_empty() {
        let before = dirs.len();
        dirs.retain(|dir| {
            let mut attempt = resolve.clone();
            match attempt.push_dir(dir) {
                Ok(_) => {
                    resolve = attempt;
                    false
                }
                Err(_) => true,
            }
        });
        if dirs.len() == before {
            assert!(
                !skip.is_empty() && dirs.iter().all(|d| !d.starts_with(wit_dir().join("deps"))),
                "cannot resolve the WIT packages in {dirs:?}"
            );
            break;
        }
    }
    resolve
}

/// The fusebox package called `name` in `resolve`.
pub fn fusebox_package(resolve: &Resolve, name: &str) -> PackageId {
    resolve
        .packages
        .iter()
        .find(|(_, p)| p.name.namespace == "fusebox" && p.name.name == name)
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("no fusebox:{name} package"))
}

/// A component for `world` whose functions all trap.
pub fn component(resolve: &Resolve, world: WorldId) -> Vec<u8> {
    let mut module = dummy_module(resolve, world, ManglingAndAbi::Standard32);
    embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8).unwrap();
    ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}

/// A directory holding a synthetic component for every crate of the real manifest.
pub fn components_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in NAMES {
        let file = fusebox_compose::crate_file(dir.path(), name);
        std::fs::write(file, real_component(name)).unwrap();
    }
    dir
}

/// The real world of the component `name`, as a synthetic component.
pub fn real_component(name: &str) -> Vec<u8> {
    let resolve = resolve(&[]);
    let (_, package, world) = real_world(name);
    let package = fusebox_package(&resolve, package);
    let world = resolve.select_world(&[package], Some(world)).unwrap();
    component(&resolve, world)
}

/// A component for the world named `world` in the WIT file `source`. A nested
/// `package fusebox:x@<version> { … }` block with the same name and version as a real
/// fusebox package replaces it.
pub fn component_from_wit(path: &Path, source: &str, world: &str) -> Vec<u8> {
    let skip: Vec<&str> = NAMES
        .iter()
        .map(|name| real_world(name))
        .filter(|(dir, package, _)| {
            let real = std::fs::read_to_string(wit_dir().join(dir).join("world.wit")).unwrap();
            let version = real
                .lines()
                .find_map(|line| line.strip_prefix(&format!("package fusebox:{package}@")))
                .and_then(|rest| rest.strip_suffix(';'))
                .expect("every fusebox package declares a version");
            source.contains(&format!("package fusebox:{package}@{version} {{"))
        })
        .map(|(_, package, _)| package)
        .collect();
    let mut resolve = resolve(&skip);
    let package = resolve
        .push_str(path, source)
        .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    let world = resolve.select_world(&[package], Some(world)).unwrap();
    component(&resolve, world)
}
