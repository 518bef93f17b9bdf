//! Reading the component files a manifest names, and checking that each is a valid
//! component.

use crate::ComposeError;
use crate::limits::{MAX_COMPONENT_BYTES, MAX_EXTERNS};
use crate::manifest::{Manifest, Source};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use wasmparser::{Parser, Validator, WasmFeatures};

/// The Cargo target directory of the guest build, relative to the workspace: apart from
/// `target/`, so that a host build and a guest build never wait on each other's lock.
pub const GUEST_TARGET_DIR: &str = "target/guests";

/// The directory, relative to a workspace, that fusebox's guest build leaves its
/// components in: `cargo build --profile component --target wasm32-wasip2
/// --target-dir target/guests`.
pub const GUEST_COMPONENTS_DIR: &str = "target/guests/wasm32-wasip2/component";

/// The directory, under a workspace's `target/`, where components pulled from registries
/// are kept by digest once verified.
pub const OCI_STORE_DIR: &str = "target/fusebox/oci";

/// One component file, read and validated.
#[derive(Debug, Clone)]
pub struct Input {
    /// The component's name in the manifest.
    pub name: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// Check `bytes` as the component `name`, refusing anything that is not a valid
    /// WebAssembly component with an error that says what it is instead; `path` is only
    /// used in messages.
    pub fn from_bytes(
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        bytes: Vec<u8>,
    ) -> Result<Self, ComposeError> {
        let (component, path) = (name.into(), path.into());
        if bytes.len() as u64 > MAX_COMPONENT_BYTES {
            return Err(ComposeError::TooLarge {
                component,
                path,
                size: bytes.len() as u64,
                limit: MAX_COMPONENT_BYTES,
            });
        }
        if Parser::is_core_wasm(&bytes) {
            return Err(ComposeError::CoreModule { component, path });
        }
        if !Parser::is_component(&bytes) {
            return Err(ComposeError::NotWasm { component, path });
        }
        if let Err(e) = Validator::new_with_features(WasmFeatures::all()).validate_all(&bytes) {
            return Err(ComposeError::Invalid {
                component,
                path,
                detail: e.to_string(),
            });
        }
        let externs = extern_count(&bytes);
        if externs > MAX_EXTERNS {
            return Err(ComposeError::TooManyExterns {
                component,
                path,
                count: externs,
                limit: MAX_EXTERNS,
            });
        }
        Ok(Input {
            name: component,
            path,
            bytes,
        })
    }

    /// Read the component `name` from the file at `path` and check it as
    /// [`Input::from_bytes`] does; a file over [`MAX_COMPONENT_BYTES`] is refused before
    /// it is read.
    pub fn read(name: impl Into<String>, path: impl Into<PathBuf>) -> Result<Self, ComposeError> {
        let (name, path) = (name.into(), path.into());
        let read = |source| ComposeError::Read {
            component: name.clone(),
            path: path.clone(),
            source_at: String::new(),
            hint: String::new(),
            source,
        };
        let too_large = |name, path, size| ComposeError::TooLarge {
            component: name,
            path,
            size,
            limit: MAX_COMPONENT_BYTES,
        };
        let size = std::fs::metadata(&path).map_err(read)?.len();
        if size > MAX_COMPONENT_BYTES {
            return Err(too_large(name, path, size));
        }
        // The length was only a hint: a pipe or a file still growing can give more.
        let bytes = read_at_most(&path, MAX_COMPONENT_BYTES).map_err(read)?;
        if bytes.len() as u64 > MAX_COMPONENT_BYTES {
            return Err(too_large(name, path, bytes.len() as u64));
        }
        Input::from_bytes(name, path, bytes)
    }

    /// The SHA-256 of the bytes, as lowercase hex.
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(&self.bytes))
    }
}

pub use fusebox_registry::hex;

/// The file at `path`, read up to one byte past `limit`, so that a caller can tell a
/// file at the limit from one over it, however the file lies about its length.
pub(crate) fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// How many imports and exports the component's outermost level declares, counted from
/// the section headers of a component that has already validated.
fn extern_count(bytes: &[u8]) -> usize {
    let mut count = 0;
    let _ = crate::for_each_outer_payload(bytes, |payload| {
        match payload {
            wasmparser::Payload::ComponentImportSection(s) => count += s.count() as usize,
            wasmparser::Payload::ComponentExportSection(s) => count += s.count() as usize,
            _ => {}
        }
        Ok(())
    });
    count
}

/// The file a `{ crate = "name" }` source is built to, in `crate_dir`: cargo names a
/// `cdylib` after the crate, with `-` turned into `_`.
pub fn crate_file(crate_dir: &Path, krate: &str) -> PathBuf {
    crate_dir.join(format!("{}.wasm", krate.replace('-', "_")))
}

/// Read every component the manifest names, in its order. `{ crate = … }` sources are
/// looked up in `crate_dir`; `{ path = … }` sources where the manifest says; `{ oci = … }`
/// sources come from the digest-keyed store in `oci_store`, which pulls and verifies them
/// on first use (see [`fusebox_registry::Store`]).
pub fn read_inputs(
    manifest: &Manifest,
    crate_dir: &Path,
    oci_store: &Path,
) -> Result<Vec<Input>, ComposeError> {
    let store = fusebox_registry::Store::new(oci_store);
    manifest
        .components
        .iter()
        .map(|spec| {
            let (path, hint) = match &spec.source {
                Source::Crate(krate) => (
                    crate_file(crate_dir, krate),
                    format!(
                        "; build it with `make compose`, or `cargo build -p {krate} --profile \
                         component --target wasm32-wasip2 --target-dir target/guests`"
                    ),
                ),
                Source::Path(path) => (manifest.resolve(path), String::new()),
                Source::DenyStub { consumer } => {
                    return Err(ComposeError::DenyStub {
                        component: consumer.clone(),
                        detail: "compose generates it; there is nothing to read".into(),
                    });
                }
                Source::Oci { reference, key } => {
                    let key = manifest.resolve(key);
                    let refused = |source| ComposeError::Registry {
                        component: spec.name.clone(),
                        reference: reference.clone(),
                        key: key.clone(),
                        source_at: spec.source_at.clone(),
                        source: Box::new(source),
                    };
                    let pinned = fusebox_registry::Pinned::parse(reference).map_err(refused)?;
                    let public = fusebox_registry::PublicKey::read(&key).map_err(refused)?;
                    let fetched = store.fetch(&pinned, &public).map_err(refused)?;
                    return Input::from_bytes(&spec.name, fetched.path, fetched.component);
                }
            };
            Input::read(&spec.name, path).map_err(|e| match e {
                // Name the manifest line, and how to build a missing crate.
                ComposeError::Read {
                    component,
                    path,
                    source,
                    ..
                } => ComposeError::Read {
                    component,
                    path,
                    source_at: spec.source_at.clone(),
                    hint,
                    source,
                },
                e => e,
            })
        })
        .collect()
}
