//! Signatures in cosign's format, made and checked with local ECDSA P-256 keys.
//!
//! What cosign stores, and so what `cosign verify --key KEY --insecure-ignore-tlog` reads:
//! for the manifest `sha256:<hex>` in a repository, an OCI image manifest tagged
//! `sha256-<hex>.sig` in the same repository, with one layer per signature. Each layer is
//! a *simple-signing payload* (media type
//! `application/vnd.dev.cosign.simplesigning.v1+json`), a small JSON document naming the
//! repository and the manifest digest, and carries its signature in the annotation
//! `dev.cosignproject.cosign/signature`: ECDSA over the payload's SHA-256, DER, base64.
//!
//! Keys are PEM files: the private key PKCS#8 (`-----BEGIN PRIVATE KEY-----`, the file
//! `openssl genpkey` and `fusebox keygen` write, and `cosign import-key-pair` reads), the
//! public key SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, the form `cosign.pub`
//! has).

use crate::error::{RegistryError, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The media type of a simple-signing payload layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The layer annotation that holds the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The `critical.type` of a cosign image signature.
const SIGNATURE_TYPE: &str = "cosign container image signature";

/// The tag cosign keeps the signatures of the manifest `digest` under: `sha256-<hex>.sig`.
pub fn signature_tag(digest: &str) -> String {
    format!("{}.sig", digest.replace(':', "-"))
}

/// A private key to sign with, read from a PKCS#8 PEM file.
pub struct PrivateKey {
    key: SigningKey,
}

impl PrivateKey {
    /// Read a PKCS#8 PEM P-256 private key (unencrypted).
    pub fn read(path: &Path) -> Result<Self> {
        let pem = read_key_file(path)?;
        let key = SigningKey::from_pkcs8_pem(&pem).map_err(|e| RegistryError::Key {
            path: path.to_owned(),
            detail: format!(
                "not an unencrypted PKCS#8 P-256 private key (`-----BEGIN PRIVATE KEY-----`): {e}"
            ),
        })?;
        Ok(PrivateKey { key })
    }

    /// The matching public key.
    pub fn public(&self) -> VerifyingKey {
        *self.key.verifying_key()
    }
}

/// A public key to verify with, read from a SubjectPublicKeyInfo PEM file.
pub struct PublicKey {
    key: VerifyingKey,
    path: PathBuf,
}

impl PublicKey {
    /// Read a P-256 public key in PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn read(path: &Path) -> Result<Self> {
        let pem = read_key_file(path)?;
        let key = VerifyingKey::from_public_key_pem(&pem).map_err(|e| RegistryError::Key {
            path: path.to_owned(),
            detail: format!("not a P-256 public key (`-----BEGIN PUBLIC KEY-----`): {e}"),
        })?;
        Ok(PublicKey {
            key,
            path: path.to_owned(),
        })
    }

    /// The file it was read from, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `sha256:<hex>` of the key's DER encoding: a short, stable name for it.
    pub fn fingerprint(&self) -> String {
        let der = self
            .key
            .to_public_key_der()
            .expect("a valid P-256 key always encodes");
        crate::sha256_digest(der.as_bytes())
    }
}

fn read_key_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| RegistryError::Key {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

/// Make a new key pair and write it to `<prefix>.key` (PKCS#8, mode 0600) and
/// `<prefix>.pub`. Refuses to overwrite either file. Returns both paths.
pub fn generate_key_pair(prefix: &Path) -> Result<(PathBuf, PathBuf)> {
    let private_path = with_suffix(prefix, "key");
    let public_path = with_suffix(prefix, "pub");
    for path in [&private_path, &public_path] {
        if path.exists() {
            return Err(RegistryError::Key {
                path: path.clone(),
                detail: "already exists; not overwriting a key".into(),
            });
        }
    }
    let key = SigningKey::random(&mut rand_core::OsRng);
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .expect("a valid P-256 key always encodes");
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("a valid P-256 key always encodes");
    write_new(&private_path, private_pem.as_bytes(), 0o600)?;
    write_new(&public_path, public_pem.as_bytes(), 0o644)?;
    Ok((private_path, public_path))
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let io = |source| RegistryError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(io)?;
    file.write_all(bytes).map_err(io)
}

/// The simple-signing payload: what a signature actually covers.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The part a verifier must check.
    pub critical: Critical,
    /// Free-form claims (fusebox writes none).
    pub optional: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The `critical` section of a [`Payload`].
#[derive(Debug, Serialize, Deserialize)]
pub struct Critical {
    /// The repository that was signed.
    pub identity: Identity,
    /// The manifest that was signed.
    pub image: Image,
    /// Always `cosign container image signature`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `critical.identity`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Identity {
    /// `registry/repository`, without tag or digest.
    #[serde(rename = "docker-reference")]
    pub docker_reference: String,
}

/// `critical.image`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Image {
    /// `sha256:<hex>` of the signed manifest.
    #[serde(rename = "docker-manifest-digest")]
    pub docker_manifest_digest: String,
}

/// One signature as stored: the payload bytes and the base64 DER signature over them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureLayer {
    /// The simple-signing payload, exactly as signed.
    #[serde(with = "base64_bytes")]
    pub payload: Vec<u8>,
    /// The `dev.cosignproject.cosign/signature` annotation.
    pub signature: String,
}

impl SignatureLayer {
    /// Sign the manifest `digest` in `repository` (`registry/repository`) with `key`.
    pub fn sign(repository: &str, digest: &str, key: &PrivateKey) -> Self {
        let payload = Payload {
            critical: Critical {
                identity: Identity {
                    docker_reference: repository.to_owned(),
                },
                image: Image {
                    docker_manifest_digest: digest.to_owned(),
                },
                kind: SIGNATURE_TYPE.to_owned(),
            },
            optional: None,
        };
        let payload = serde_json::to_vec(&payload).expect("the payload always serialises");
        let signature: Signature = key.key.sign(&payload);
        SignatureLayer {
            signature: BASE64.encode(signature.to_der().as_bytes()),
            payload,
        }
    }

    /// If the signature verifies with `key`, the manifest digest its payload names.
    pub fn verified_digest(&self, key: &PublicKey) -> Option<String> {
        let der = BASE64.decode(self.signature.trim()).ok()?;
        let signature = DerSignature::from_bytes(&der).ok()?;
        key.key.verify(&self.payload, &signature).ok()?;
        // JSON is UTF-8 (RFC 8259). `from_slice` alone skips the fields it ignores
        // without checking their bytes, so it took a payload with invalid UTF-8 in an
        // unknown field: found by the `oci` fuzz target.
        let text = std::str::from_utf8(&self.payload).ok()?;
        // Read the whole document first, then the fields: parsed straight into
        // `Payload`, the fields it ignores are skipped without their numbers being read,
        // so it took a payload with `666E666…` (a number beyond f64) where a plain JSON
        // reading fails. Two readers of one signed payload must not disagree: found by
        // the `oci` fuzz target.
        let document: serde_json::Value = serde_json::from_str(text).ok()?;
        let payload: Payload = serde_json::from_value(document).ok()?;
        (payload.critical.kind == SIGNATURE_TYPE)
            .then_some(payload.critical.image.docker_manifest_digest)
    }
}

/// Check that one of `signatures` was made with `key` over the manifest `digest`.
/// `reference` is used in messages.
pub fn verify(
    reference: &str,
    digest: &str,
    signatures: &[SignatureLayer],
    key: &PublicKey,
) -> Result<()> {
    let signed: Vec<String> = signatures
        .iter()
        .filter_map(|s| s.verified_digest(key))
        .collect();
    if signed.iter().any(|d| d == digest) {
        return Ok(());
    }
    match signed.into_iter().next() {
        Some(other) => Err(RegistryError::SignedOtherManifest {
            reference: reference.to_owned(),
            key: key.path().to_owned(),
            signed: other,
        }),
        None => Err(RegistryError::WrongKey {
            reference: reference.to_owned(),
            key: key.path().to_owned(),
            count: signatures.len(),
        }),
    }
}

/// `bytes` as lowercase hex, as OCI digests and cosign write them.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

mod base64_bytes {
    use super::BASE64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        BASE64.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_pair(dir: &Path, name: &str) -> (PrivateKey, PublicKey) {
        let (private, public) = generate_key_pair(&dir.join(name)).unwrap();
        (
            PrivateKey::read(&private).unwrap(),
            PublicKey::read(&public).unwrap(),
        )
    }

    const DIGEST: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000001";
    const OTHER: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000002";

    #[test]
    fn a_signature_verifies_with_its_key_and_names_its_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let (private, public) = key_pair(dir.path(), "a");
        let layer = SignatureLayer::sign("127.0.0.1:5000/x", DIGEST, &private);
        assert_eq!(layer.verified_digest(&public).as_deref(), Some(DIGEST));
        verify("r", DIGEST, std::slice::from_ref(&layer), &public).unwrap();
        let err = verify("r", OTHER, &[layer], &public).unwrap_err();
        assert!(
            matches!(err, RegistryError::SignedOtherManifest { ref signed, .. } if signed == DIGEST)
        );
    }

    #[test]
    fn a_signed_payload_that_is_not_utf8_is_refused() {
        // The `oci` fuzz target's crash, reduced: a payload the signer signed, valid but
        // for one byte that is not UTF-8, inside a field the verifier does not read.
        let dir = tempfile::tempdir().unwrap();
        let (private, public) = key_pair(dir.path(), "a");
        let mut payload = format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"r"}},"image":{{"docker-manifest-digest":"{DIGEST}"}},"type":"{SIGNATURE_TYPE}"}},"optional":null,"extra":"X"}}"#
        )
        .into_bytes();
        let at = payload.iter().rposition(|&b| b == b'X').unwrap();
        payload[at] = 0xff;
        let signature: Signature = private.key.sign(&payload);
        let layer = SignatureLayer {
            payload,
            signature: BASE64.encode(signature.to_der().as_bytes()),
        };
        assert_eq!(layer.verified_digest(&public), None);

        // The same payload with the byte as valid UTF-8 verifies: only the byte decides.
        let mut valid = layer.payload.clone();
        valid[at] = b'X';
        let signature: Signature = private.key.sign(&valid);
        let layer = SignatureLayer {
            payload: valid,
            signature: BASE64.encode(signature.to_der().as_bytes()),
        };
        assert_eq!(layer.verified_digest(&public).as_deref(), Some(DIGEST));
    }

    #[test]
    fn a_signed_payload_with_a_number_out_of_range_is_refused() {
        // The `oci` fuzz target's second crash, reduced: a validly signed payload whose
        // unread field holds a number no JSON reader here can represent.
        let dir = tempfile::tempdir().unwrap();
        let (private, public) = key_pair(dir.path(), "a");
        let signed = |extra: &str| {
            let payload = format!(
                r#"{{"critical":{{"identity":{{"docker-reference":"r"}},"image":{{"docker-manifest-digest":"{DIGEST}"}},"type":"{SIGNATURE_TYPE}"}},"optional":null,"extra":{extra}}}"#
            )
            .into_bytes();
            let signature: Signature = private.key.sign(&payload);
            SignatureLayer {
                payload,
                signature: BASE64.encode(signature.to_der().as_bytes()),
            }
        };
        assert!(serde_json::from_str::<serde_json::Value>("666E66666").is_err());
        assert_eq!(signed("666E66666").verified_digest(&public), None);
        // The same payload with a number in range verifies: only the number decides.
        assert_eq!(
            signed("666E66").verified_digest(&public).as_deref(),
            Some(DIGEST)
        );
    }

    #[test]
    fn another_key_or_a_changed_payload_does_not_verify() {
        let dir = tempfile::tempdir().unwrap();
        let (private, public) = key_pair(dir.path(), "a");
        let (_, other_public) = key_pair(dir.path(), "b");
        let layer = SignatureLayer::sign("127.0.0.1:5000/x", DIGEST, &private);
        let err = verify("r", DIGEST, std::slice::from_ref(&layer), &other_public).unwrap_err();
        assert!(
            matches!(err, RegistryError::WrongKey { count: 1, .. }),
            "{err}"
        );

        let mut forged = layer;
        forged.payload = String::from_utf8(forged.payload)
            .unwrap()
            .replace(DIGEST, OTHER)
            .into_bytes();
        assert_eq!(forged.verified_digest(&public), None);
    }

    #[test]
    fn keys_are_not_overwritten_and_bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        generate_key_pair(&dir.path().join("k")).unwrap();
        let err = generate_key_pair(&dir.path().join("k")).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        // A public key is not a private key, and the message names the file.
        let err = PrivateKey::read(&dir.path().join("k.pub")).err().unwrap();
        assert!(err.to_string().contains("k.pub"), "{err}");
        assert!(err.to_string().contains("PKCS#8"), "{err}");
    }

    #[test]
    fn the_signature_tag_is_cosigns() {
        assert_eq!(
            signature_tag(DIGEST),
            "sha256-0000000000000000000000000000000000000000000000000000000000000001.sig"
        );
    }
}
