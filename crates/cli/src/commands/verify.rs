//! `fusebox verify`: check a pushed manifest's signature.

use fusebox_registry::{Pinned, PublicKey, Registry};
use std::path::PathBuf;

/// Check that a pushed manifest carries a signature made with a public key.
#[derive(clap::Args)]
pub struct Verify {
    /// registry/repository@sha256:<digest>.
    reference: String,
    /// The public key (PEM).
    #[arg(long)]
    key: PathBuf,
}

impl Verify {
    /// Verify, or fail naming what is wrong.
    pub fn run(self) -> anyhow::Result<()> {
        let pinned = Pinned::parse(&self.reference)?;
        let public = PublicKey::read(&self.key)?;
        Registry::new()?.verify(&pinned, &public)?;
        println!(
            "verified {pinned}: signed with {} ({})",
            self.key.display(),
            public.fingerprint()
        );
        Ok(())
    }
}
