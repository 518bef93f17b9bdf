//! `fusebox pull`: a component by digest, checked, to a file.

use fusebox_registry::{Pinned, PublicKey, Registry};
use std::path::PathBuf;

/// Pull a component by digest, check the digest and that it is a component, and write it
/// to a file (atomically).
#[derive(clap::Args)]
pub struct Pull {
    /// registry/repository@sha256:<digest>.
    reference: String,
    /// The file to write.
    #[arg(long, short)]
    out: PathBuf,
    /// Also require a signature made with this public key.
    #[arg(long)]
    key: Option<PathBuf>,
}

impl Pull {
    /// Verify (with `--key`), pull, check, and write.
    pub fn run(self) -> anyhow::Result<()> {
        let pinned = Pinned::parse(&self.reference)?;
        let registry = Registry::new()?;
        if let Some(key) = &self.key {
            registry.verify(&pinned, &PublicKey::read(key)?)?;
        }
        let artifact = registry.pull(&pinned)?;
        fusebox_compose::write_atomically(&self.out, &artifact.component)?;
        eprintln!(
            "pulled {pinned} ({} bytes{}) to {}",
            artifact.component.len(),
            if self.key.is_some() {
                ", signature verified"
            } else {
                ""
            },
            self.out.display()
        );
        Ok(())
    }
}
