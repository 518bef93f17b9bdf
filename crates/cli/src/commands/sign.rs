//! `fusebox sign`: a cosign-format signature for a pushed manifest.

use fusebox_registry::{Pinned, PrivateKey, Registry};
use std::path::PathBuf;

/// Sign a pushed manifest in cosign's format, under the tag sha256-<hex>.sig.
#[derive(clap::Args)]
pub struct Sign {
    /// registry/repository@sha256:<digest>.
    reference: String,
    /// The private key (PKCS#8 PEM, as `fusebox keygen` writes).
    #[arg(long)]
    key: PathBuf,
}

impl Sign {
    /// Sign, then print the signature's reference.
    pub fn run(self) -> anyhow::Result<()> {
        let pinned = Pinned::parse(&self.reference)?;
        let signature = Registry::new()?.sign(&pinned, &PrivateKey::read(&self.key)?)?;
        eprintln!("signed {pinned} with {}", self.key.display());
        println!("{signature}");
        Ok(())
    }
}
