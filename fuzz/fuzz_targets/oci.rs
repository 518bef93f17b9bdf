//! What a registry sends, from arbitrary bytes, through the registry client's parsing
//! and checking code, with no network: OCI manifests, blobs against their descriptors,
//! cosign signature payloads (really signed, so that the payload parser is reached),
//! signatures themselves, and references.
#![no_main]

use base64::Engine as _;
use fusebox_registry::signing::{self, SignatureLayer};
use fusebox_registry::{
    Artifact, Pinned, PublicKey, RegistryError, artifact, parse_reference, sha256_digest,
};
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{EncodePublicKey as _, LineEnding};
use std::sync::OnceLock;

/// A fixed signing key, and its public half as fusebox reads one: from a PEM file.
fn keys() -> &'static (SigningKey, PublicKey) {
    static KEYS: OnceLock<(SigningKey, PublicKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signing = SigningKey::from_slice(&[7; 32]).expect("a valid scalar");
        let pem = signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("PEM");
        let dir = std::env::temp_dir().join(format!("fusebox-fuzz-oci-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let path = dir.join("fuzz.pub");
        std::fs::write(&path, pem).expect("write the public key");
        let public = PublicKey::read(&path).expect("read the public key");
        (signing, public)
    })
}

fn sign(payload: &[u8]) -> String {
    let signature: DerSignature = keys().0.sign(payload);
    base64::engine::general_purpose::STANDARD.encode(signature.as_bytes())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let digest = sha256_digest(data);
    match mode % 4 {
        // A manifest, then the whole artifact check with blobs that cannot match.
        0 => {
            let parsed = artifact::wasm_manifest("fuzzed", data);
            let checked = Artifact {
                manifest: data.to_vec(),
                config: b"{}".to_vec(),
                component: Vec::new(),
            }
            .check("fuzzed", &digest);
            // The artifact check parses the same manifest, so it fails the same way where
            // parsing fails; where parsing passes, it reaches the blobs, which cannot match
            // (or, when they do, an empty layer that is not a component).
            match (&parsed, checked) {
                (
                    Err(RegistryError::NotWasmArtifact { .. }),
                    Err(RegistryError::NotWasmArtifact { .. }),
                ) => {}
                (
                    Ok(_),
                    Err(RegistryError::BlobMismatch { .. } | RegistryError::NotComponent { .. }),
                ) => {}
                (parsed, checked) => panic!("parse gave {parsed:?}, the check {checked:?}"),
            }
        }
        // A signature payload, validly signed: the payload parser decides. (Two
        // verifications per input: ECDSA is most of this target's time.)
        1 => {
            let layer = SignatureLayer {
                payload: data.to_vec(),
                signature: sign(data),
            };
            let (_, key) = keys();
            let named = layer.verified_digest(key);
            if let Some(named) = &named {
                // The digest is the one a plain JSON reading of the payload finds.
                let value: serde_json::Value =
                    serde_json::from_slice(data).expect("an accepted payload is JSON");
                assert_eq!(
                    value["critical"]["image"]["docker-manifest-digest"].as_str(),
                    Some(named.as_str())
                );
            }
            // verify accepts exactly the digest the payload names, and otherwise says
            // which one it does name.
            match (signing::verify("fuzzed", &digest, &[layer], key), named) {
                (Ok(()), Some(named)) => assert_eq!(named, digest),
                (Err(RegistryError::SignedOtherManifest { signed, .. }), Some(named)) => {
                    assert_eq!(signed, named)
                }
                (Err(RegistryError::WrongKey { count: 1, .. }), None) => {}
                (outcome, named) => {
                    panic!("verify gave {outcome:?} for a payload naming {named:?}")
                }
            }
        }
        // A signature that is not one: never accepted.
        2 => {
            let payload = br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:00"},"type":"cosign container image signature"},"optional":null}"#;
            let layer = SignatureLayer {
                payload: payload.to_vec(),
                signature: String::from_utf8_lossy(data).into_owned(),
            };
            assert_eq!(
                layer.verified_digest(&keys().1),
                None,
                "a forged signature verified"
            );
        }
        // A reference, as a manifest or a command line gives it.
        _ => {
            let text = String::from_utf8_lossy(data);
            let _ = parse_reference(&text);
            if let Ok(pinned) = Pinned::parse(&text) {
                assert!(pinned.digest().starts_with("sha256:"));
                assert_eq!(pinned.digest().len(), 71);
            }
        }
    }
});
