//! Components pinned by digest, kept on disk once verified.
//!
//! The composer asks a [`Store`] for `registry/repo@sha256:<hex>` and a public key. The
//! first time, the store pulls the artifact and its signatures, checks the digests, the
//! artifact's shape and a signature made with the key, and only then writes all of it to
//! `<dir>/sha256/<hex>/`. Every later time it reads that copy and checks all of it again,
//! with the key it is given now, without touching the network: a second compose works
//! offline, and a copy altered on disk or a key that no longer matches is refused just as
//! a bad registry would be.

use crate::error::{RegistryError, Result};
use crate::{Artifact, Pinned, PublicKey, Registry, SignatureLayer, signing};
use std::path::{Path, PathBuf};

/// A digest-keyed directory of verified components.
pub struct Store {
    dir: PathBuf,
}

/// A component the store handed out, verified.
#[derive(Debug)]
pub struct Fetched {
    /// The component's bytes.
    pub component: Vec<u8>,
    /// The verified copy of the component, in the store.
    pub path: PathBuf,
    /// Whether it was pulled now (`false`: read from the store).
    pub pulled: bool,
}

const MANIFEST: &str = "manifest.json";
const CONFIG: &str = "config.json";
const COMPONENT: &str = "component.wasm";
const SIGNATURES: &str = "signatures.json";

impl Store {
    /// The store in `dir` (created on first use).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// Where the copy of the manifest `digest` lives.
    pub fn entry(&self, digest: &str) -> PathBuf {
        let (algorithm, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
        self.dir.join(algorithm).join(hex)
    }

    /// The component `pinned` names, signed with `key`: from the store when it holds it,
    /// else pulled (with a client made on demand) and stored. Verified either way.
    pub fn fetch(&self, pinned: &Pinned, key: &PublicKey) -> Result<Fetched> {
        let entry = self.entry(pinned.digest());
        if entry.join(SIGNATURES).exists() {
            let (artifact, signatures) = read_entry(&entry)?;
            verify(pinned, &artifact, &signatures, key)?;
            return Ok(Fetched {
                component: artifact.component,
                path: entry.join(COMPONENT),
                pulled: false,
            });
        }
        let registry = Registry::new()?;
        let artifact = registry.pull(pinned)?;
        let signatures = registry.signatures(pinned)?;
        verify(pinned, &artifact, &signatures, key)?;
        self.write_entry(&entry, &artifact, &signatures)?;
        Ok(Fetched {
            component: artifact.component,
            path: entry.join(COMPONENT),
            pulled: true,
        })
    }

    /// Write the entry whole or not at all: into a temporary directory beside it, then
    /// renamed into place.
    fn write_entry(
        &self,
        entry: &Path,
        artifact: &Artifact,
        signatures: &[SignatureLayer],
    ) -> Result<()> {
        let parent = entry.parent().expect("an entry is under the store");
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| RegistryError::Io { path, source }
        };
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let staging = tempfile::tempdir_in(parent).map_err(io(parent))?;
        let signatures = serde_json::to_vec_pretty(signatures).expect("signatures serialise");
        for (name, bytes) in [
            (MANIFEST, &artifact.manifest),
            (CONFIG, &artifact.config),
            (COMPONENT, &artifact.component),
            (SIGNATURES, &signatures),
        ] {
            let path = staging.path().join(name);
            std::fs::write(&path, bytes).map_err(io(&path))?;
        }
        let staged = staging.keep();
        if let Err(source) = std::fs::rename(&staged, entry) {
            let _ = std::fs::remove_dir_all(&staged);
            // Another compose stored the same digest meanwhile: its copy is as good.
            if !entry.join(SIGNATURES).exists() {
                return Err(RegistryError::Io {
                    path: entry.to_owned(),
                    source,
                });
            }
        }
        Ok(())
    }
}

fn read_entry(entry: &Path) -> Result<(Artifact, Vec<SignatureLayer>)> {
    let read = |name: &str| {
        let path = entry.join(name);
        std::fs::read(&path).map_err(|source| RegistryError::Io { path, source })
    };
    let signatures_path = entry.join(SIGNATURES);
    let signatures: Vec<SignatureLayer> =
        serde_json::from_slice(&read(SIGNATURES)?).map_err(|e| RegistryError::Io {
            path: signatures_path,
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
    let artifact = Artifact {
        manifest: read(MANIFEST)?,
        config: read(CONFIG)?,
        component: read(COMPONENT)?,
    };
    Ok((artifact, signatures))
}

/// Everything a component from a registry must pass before the composer sees it.
fn verify(
    pinned: &Pinned,
    artifact: &Artifact,
    signatures: &[SignatureLayer],
    key: &PublicKey,
) -> Result<()> {
    let name = pinned.to_string();
    artifact.check(&name, pinned.digest())?;
    signing::verify(&name, pinned.digest(), signatures, key)
}
