//! Building a manifest's `{ crate = … }` sources: each a crate of the Cargo workspace that
//! holds the manifest, built for `wasm32-wasip2` with the size-tuned `component` profile
//! into [`GUEST_TARGET_DIR`](crate::GUEST_TARGET_DIR).

use crate::Manifest;
use crate::manifest::Source;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Cargo workspace that holds `dir`.
pub fn workspace_root(dir: &Path) -> anyhow::Result<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let output = Command::new(cargo())
        .current_dir(dir)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .context("failed to run `cargo locate-project`")?;
    anyhow::ensure!(
        output.status.success(),
        "{} is not in a Cargo workspace, so its `crate` sources cannot be built (pass \
         --components DIR to use components built elsewhere): {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let manifest = PathBuf::from(String::from_utf8(output.stdout)?.trim());
    Ok(manifest.parent().unwrap_or(Path::new(".")).to_owned())
}

/// Build every `{ crate = … }` source for wasm32-wasip2 with the size-tuned `component`
/// profile, in one cargo run, into `target/guests`.
pub fn build_crates(manifest: &Manifest, workspace: &Path) -> anyhow::Result<()> {
    let crates: Vec<&str> = manifest
        .components
        .iter()
        .filter_map(|c| match &c.source {
            Source::Crate(krate) => Some(krate.as_str()),
            Source::Path(_) | Source::Oci { .. } | Source::DenyStub { .. } => None,
        })
        .collect();
    if crates.is_empty() {
        return Ok(());
    }
    let mut cargo = Command::new(cargo());
    cargo
        .current_dir(workspace)
        .args(["build", "--quiet", "--profile", "component"])
        .args(["--target", "wasm32-wasip2", "--target-dir"])
        .arg(workspace.join(crate::GUEST_TARGET_DIR))
        // Flags meant for the host build must not leak into the guest build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS");
    for krate in &crates {
        cargo.args(["-p", krate]);
    }
    println!("building {}", crates.join(", "));
    let status = cargo.status().context("failed to run cargo")?;
    anyhow::ensure!(
        status.success(),
        "building the crate sources of {} failed (see above)",
        manifest.path().display()
    );
    Ok(())
}

/// The cargo that runs us (`$CARGO`), or the one on `PATH`.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}
