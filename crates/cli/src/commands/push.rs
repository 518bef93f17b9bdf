//! `fusebox push`: a component or a fused artifact to a registry.

use anyhow::Context as _;
use fusebox_registry::Registry;
use std::path::PathBuf;

/// Push a component or a fused artifact to a registry as a wasm OCI artifact.
///
/// Prints the pinned reference, REF@sha256:<digest>, on stdout: what `sign`, `pull` and a
/// manifest's `oci` source take. Registries on loopback are spoken to over plain HTTP;
/// credentials come from FUSEBOX_REGISTRY_USERNAME and FUSEBOX_REGISTRY_PASSWORD.
#[derive(clap::Args)]
pub struct Push {
    /// The component file.
    file: PathBuf,
    /// Where to push it: registry/repository[:tag] (tag `latest` if none).
    reference: String,
    /// The world to record in the artifact's config; a component exporting
    /// wasi:http/incoming-handler is recorded as targeting wasi:http/proxy.
    #[arg(long)]
    target: Option<String>,
}

impl Push {
    /// Push, then print the pinned reference.
    pub fn run(self) -> anyhow::Result<()> {
        let bytes = std::fs::read(&self.file)
            .with_context(|| format!("cannot read the component {}", self.file.display()))?;
        let size = bytes.len();
        let reference = fusebox_registry::parse_reference(&self.reference)?;
        let pinned = Registry::new()?.push(bytes, &reference, self.target)?;
        eprintln!(
            "pushed {} ({size} bytes) to {}",
            self.file.display(),
            reference.whole()
        );
        println!("{pinned}");
        Ok(())
    }
}
