//! The wasm OCI artifact: what a pushed component looks like in a registry, and the
//! checks a pulled one must pass, whether it came over the network or from the cache.
//!
//! The layout is the CNCF TAG Runtime's wasm OCI artifact, as `oci-wasm` writes it: an OCI
//! image manifest whose config has the media type `application/vnd.wasm.config.v0+json`
//! (the component's imports, exports and target world) and whose one layer is the
//! component itself, `application/wasm`.

use crate::error::{RegistryError, Result};
use crate::signing::hex;
use oci_client::manifest::OciImageManifest;
use oci_wasm::{WASM_LAYER_MEDIA_TYPE, WASM_MANIFEST_CONFIG_MEDIA_TYPE};
use sha2::{Digest as _, Sha256};

/// A wasm OCI artifact as pulled: the manifest exactly as the registry sent it, its
/// config and its one layer.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The manifest's bytes; their SHA-256 is the digest.
    pub manifest: Vec<u8>,
    /// The config blob (`application/vnd.wasm.config.v0+json`).
    pub config: Vec<u8>,
    /// The layer: the component.
    pub component: Vec<u8>,
}

impl Artifact {
    /// Check everything that makes this the artifact `reference` pins to `digest`: the
    /// manifest's digest, that it is a wasm artifact, each blob's digest against the
    /// manifest, and that the layer is a WebAssembly component.
    pub fn check(&self, reference: &str, digest: &str) -> Result<()> {
        let actual = sha256_digest(&self.manifest);
        if actual != digest {
            return Err(RegistryError::DigestMismatch {
                reference: reference.to_owned(),
                expected: digest.to_owned(),
                actual,
            });
        }
        let manifest = wasm_manifest(reference, &self.manifest)?;
        for (what, expected, bytes) in [
            ("config", &manifest.config.digest, &self.config),
            ("layer", &manifest.layers[0].digest, &self.component),
        ] {
            let actual = sha256_digest(bytes);
            if &actual != expected {
                return Err(RegistryError::BlobMismatch {
                    reference: reference.to_owned(),
                    what,
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        check_component(reference, &self.component)
    }
}

/// Parse `bytes` as an image manifest and check that it is a wasm artifact: a wasm
/// config and exactly one `application/wasm` layer.
pub fn wasm_manifest(reference: &str, bytes: &[u8]) -> Result<OciImageManifest> {
    let not_wasm = |detail: String| RegistryError::NotWasmArtifact {
        reference: reference.to_owned(),
        detail,
    };
    let manifest: OciImageManifest = serde_json::from_slice(bytes)
        .map_err(|e| not_wasm(format!("its manifest is not an OCI image manifest: {e}")))?;
    if manifest.config.media_type != WASM_MANIFEST_CONFIG_MEDIA_TYPE {
        return Err(not_wasm(format!(
            "its config is `{}`, not `{WASM_MANIFEST_CONFIG_MEDIA_TYPE}`",
            manifest.config.media_type
        )));
    }
    match manifest.layers.as_slice() {
        [layer] if layer.media_type == WASM_LAYER_MEDIA_TYPE => Ok(manifest),
        [layer] => Err(not_wasm(format!(
            "its layer is `{}`, not `{WASM_LAYER_MEDIA_TYPE}`",
            layer.media_type
        ))),
        layers => Err(not_wasm(format!(
            "it has {} layers; a wasm artifact has exactly one",
            layers.len()
        ))),
    }
}

/// What to do with a core module where a component is wanted: the one piece of advice
/// the registry client and the composer both give.
pub const CORE_MODULE_ADVICE: &str = "make it a component with `wasm-tools component new`, or build a Rust crate for \
     wasm32-wasip2 (or with `cargo component build`)";

/// Refuse anything but a WebAssembly component, saying what it is instead.
pub fn check_component(reference: &str, bytes: &[u8]) -> Result<()> {
    let what = if wasmparser::Parser::is_component(bytes) {
        return Ok(());
    } else if wasmparser::Parser::is_core_wasm(bytes) {
        format!("it is a core module: {CORE_MODULE_ADVICE}")
    } else {
        format!(
            "it does not start with the wasm magic number ({} bytes)",
            bytes.len()
        )
    };
    Err(RegistryError::NotComponent {
        reference: reference.to_owned(),
        what,
    })
}

/// `sha256:<hex>` of `bytes`: an OCI content digest.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}
