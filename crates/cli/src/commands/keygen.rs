//! `fusebox keygen`: a P-256 key pair for signing components.

use std::path::PathBuf;

/// Make a P-256 key pair for signing components: PREFIX.key (PKCS#8 PEM, mode 0600) and
/// PREFIX.pub (the public key, the form `cosign verify --key` reads).
#[derive(clap::Args)]
pub struct Keygen {
    /// The path without extension, such as keys/publisher.
    prefix: PathBuf,
}

impl Keygen {
    /// Write the two files; refuses to overwrite either.
    pub fn run(self) -> anyhow::Result<()> {
        let (private, public) = fusebox_registry::generate_key_pair(&self.prefix)?;
        eprintln!(
            "wrote {} (keep it secret) and {}",
            private.display(),
            public.display()
        );
        Ok(())
    }
}
