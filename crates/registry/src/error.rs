//! Everything that can go wrong between fusebox and a registry, each worded so that the
//! reader knows which reference, key or registry is at fault and what to do.

use std::path::PathBuf;

/// A registry operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The reference could not be parsed.
    #[error("`{reference}` is not an OCI reference like `registry/repository:tag`: {detail}")]
    BadReference {
        /// The reference as given.
        reference: String,
        /// What the parser said.
        detail: String,
    },
    /// A reference that must be pinned names a tag instead of a digest.
    #[error(
        "`{reference}` names no digest: pin it as `{reference}@sha256:<digest>` (`fusebox push` \
         prints the digest; `fusebox pull` of a tag does not verify what it gets)"
    )]
    NotPinned {
        /// The reference as given.
        reference: String,
    },
    /// Nothing answered at the registry's address.
    #[error("cannot reach the registry {registry}: {detail}")]
    Unreachable {
        /// `host:port`.
        registry: String,
        /// The cause, such as "connection refused".
        detail: String,
    },
    /// The registry has no manifest under the reference.
    #[error("{reference}: the registry has no such manifest")]
    NotFound {
        /// The reference asked for.
        reference: String,
    },
    /// The registry answered with a manifest whose digest is not the one asked for.
    #[error(
        "{reference}: the registry returned a manifest whose digest is {actual}, not the {expected} \
         asked for; refusing it"
    )]
    DigestMismatch {
        /// The reference asked for.
        reference: String,
        /// The digest in the reference.
        expected: String,
        /// The digest of the bytes that came back.
        actual: String,
    },
    /// A blob (config or layer) did not hash to the digest its manifest gives.
    #[error("{reference}: the {what} blob's digest is {actual}, but the manifest says {expected}")]
    BlobMismatch {
        /// The manifest's reference.
        reference: String,
        /// "config" or "layer".
        what: &'static str,
        /// The digest in the manifest.
        expected: String,
        /// The digest of the bytes that came back.
        actual: String,
    },
    /// The manifest is not a wasm OCI artifact (one `application/wasm` layer and a
    /// `application/vnd.wasm.config.v0+json` config).
    #[error("{reference} is not a wasm OCI artifact: {detail}")]
    NotWasmArtifact {
        /// The reference.
        reference: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The layer is wasm-typed but holds something other than a component.
    #[error("{reference}: its application/wasm layer is not a WebAssembly component: {what}")]
    NotComponent {
        /// The reference.
        reference: String,
        /// What it is instead.
        what: String,
    },
    /// The registry has no signature for the manifest.
    #[error(
        "{reference} is not signed: the registry has no signature tag `{signature_tag}` (sign it \
         with `fusebox sign {reference} --key <private key>`)"
    )]
    Unsigned {
        /// The signed reference.
        reference: String,
        /// The tag cosign's format keeps signatures under.
        signature_tag: String,
    },
    /// Signatures exist, but none was made with the key.
    #[error(
        "{reference}: none of its {count} signature(s) verifies with the key {key}: it was signed \
         with another key"
    )]
    WrongKey {
        /// The reference.
        reference: String,
        /// The public key file.
        key: PathBuf,
        /// How many signatures were tried.
        count: usize,
    },
    /// A signature made with the key covers another manifest.
    #[error(
        "{reference}: the signature made with {key} is for the manifest {signed}, not this one: \
         the manifest was changed after it was signed"
    )]
    SignedOtherManifest {
        /// The reference.
        reference: String,
        /// The public key file.
        key: PathBuf,
        /// The digest the signature's payload names.
        signed: String,
    },
    /// A key file could not be read or parsed.
    #[error("cannot use the key {path}: {detail}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The registry served more than fusebox reads of one thing ([`crate::Limits`]).
    #[error(
        "{reference}: the {what} is {size}, over fusebox's limit of {limit}; fusebox stops \
         reading there (see docs/security.md, \"Limits\")"
    )]
    TooLarge {
        /// The reference.
        reference: String,
        /// What was being read: `manifest`, `config`, `layer`, `signature`, or the
        /// `signature manifest`'s layers.
        what: &'static str,
        /// How large it is, with its unit, or "more than N bytes" when it never ended.
        size: String,
        /// The limit, with its unit: "65536 bytes", "64 layers".
        limit: String,
    },
    /// The registry sent more of a blob than its descriptor says.
    #[error(
        "{reference}: the registry sent more of the {what} blob than the {size} bytes the \
         manifest gives it; fusebox stopped reading there"
    )]
    Overlong {
        /// The reference.
        reference: String,
        /// `config`, `layer` or `signature`.
        what: &'static str,
        /// The size in the blob's descriptor.
        size: u64,
    },
    /// A registry operation took longer than [`crate::Limits::deadline`].
    #[error(
        "{reference}: the registry {registry} took longer than {} s; fusebox gave up \
         (the registry is down, far too slow, or stalling)", after.as_secs()
    )]
    TimedOut {
        /// The reference.
        reference: String,
        /// The registry (`host:port`).
        registry: String,
        /// The deadline that passed.
        after: std::time::Duration,
    },
    /// The registry refused or failed an operation.
    #[error("{reference}: {detail}")]
    Registry {
        /// The reference.
        reference: String,
        /// What the registry or the client said.
        detail: String,
    },
    /// Reading or writing a local file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A result with a [`RegistryError`].
pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

impl RegistryError {
    /// Classify an error from oci-client for `reference` on `registry`.
    pub(crate) fn from_client(
        reference: &str,
        registry: &str,
        error: oci_client::errors::OciDistributionError,
    ) -> Self {
        use oci_client::errors::{OciDistributionError as E, OciErrorCode};
        match error {
            E::DigestError(oci_client::errors::DigestError::VerificationError {
                expected,
                actual,
            }) => RegistryError::DigestMismatch {
                reference: reference.to_owned(),
                expected,
                actual,
            },
            E::ImageManifestNotFoundError(_) => RegistryError::NotFound {
                reference: reference.to_owned(),
            },
            E::RegistryError { ref envelope, .. }
                if envelope.errors.iter().any(|e| {
                    matches!(
                        e.code,
                        OciErrorCode::ManifestUnknown | OciErrorCode::NameUnknown
                    )
                }) =>
            {
                RegistryError::NotFound {
                    reference: reference.to_owned(),
                }
            }
            E::RequestError(ref e) if e.is_connect() || e.is_timeout() => {
                RegistryError::Unreachable {
                    registry: registry.to_owned(),
                    detail: root_cause(e),
                }
            }
            other => RegistryError::Registry {
                reference: reference.to_owned(),
                detail: other.to_string(),
            },
        }
    }
}

/// The innermost cause of an error, such as "Connection refused (os error 111)".
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
