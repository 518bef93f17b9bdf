//! A registry that misbehaves, on loopback: endless and oversized manifests and blobs,
//! and one that answers a byte at a time. Each pull must end with an error that names
//! the limit, having read little more than the limit, within the deadline.

use fusebox_registry::{Limits, Pinned, Registry, RegistryError, sha256_digest};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How the registry answers a GET for the manifest, and for the blobs it names.
#[derive(Clone, Copy)]
enum Misbehaviour {
    /// A manifest whose `Content-Length` says 1 GB.
    GigabyteManifest,
    /// A manifest with no length that never ends.
    EndlessManifest,
    /// A manifest sent a byte every 200 ms.
    SlowManifest,
    /// A good manifest whose layer descriptor says 1 GB.
    GigabyteLayer,
    /// A good manifest whose layer says 100 bytes, and a blob that never ends.
    EndlessLayer,
    /// A manifest whose config descriptor says 1 GB.
    GigabyteConfig,
    /// A signature tag with a hundred signature layers.
    HundredSignatures,
    /// A signature tag whose one payload says 1 GB.
    GigabyteSignature,
}

const SMALL_LIMITS: Limits = Limits {
    manifest_bytes: 64 * 1024,
    config_bytes: 64 * 1024,
    component_bytes: 1024 * 1024,
    signature_bytes: 64 * 1024,
    signature_layers: 64,
    deadline: Duration::from_secs(3),
};

/// The config blob the well-formed manifests name, served as it should be.
const CONFIG: &[u8] = b"{}";

/// The manifest the well-formed cases serve: a wasm artifact with one layer of `layer_size`.
fn manifest(layer_size: u64) -> Vec<u8> {
    manifest_sized(CONFIG.len() as u64, layer_size)
}

/// A wasm artifact manifest whose config and layer descriptors give these sizes.
fn manifest_sized(config_size: u64, layer_size: u64) -> Vec<u8> {
    let layer = format!("sha256:{}", "0".repeat(64));
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.wasm.config.v0+json", "digest": sha256_digest(CONFIG), "size": config_size},
        "layers": [{"mediaType": "application/wasm", "digest": layer, "size": layer_size}],
    }))
    .unwrap()
}

/// A cosign signature tag's manifest with `count` payload layers of `size` each.
fn signature_manifest(count: usize, size: u64) -> Vec<u8> {
    let layer = serde_json::json!({
        "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
        "digest": format!("sha256:{}", "1".repeat(64)),
        "size": size,
        "annotations": {"dev.cosignproject.cosign/signature": "MEUCIQ=="},
    });
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256_digest(CONFIG), "size": 2},
        "layers": vec![layer; count],
    }))
    .unwrap()
}

/// Start the registry; returns its address and a counter of the body bytes it sent.
fn serve(misbehaviour: Misbehaviour) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let sent = counter.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, misbehaviour, &sent);
            });
        }
    });
    (address, sent)
}

fn answer(stream: TcpStream, misbehaviour: Misbehaviour, sent: &AtomicU64) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
        let mut header = String::new();
        while reader.read_line(&mut header)? > 2 {
            header.clear();
        }
        let chunk = [b'{'; 8192];
        let endless = |out: &mut TcpStream, length: &str, pause: Duration| -> std::io::Result<()> {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n{length}Connection: close\r\n\r\n"
            )?;
            loop {
                let piece: &[u8] = if pause.is_zero() { &chunk } else { &chunk[..1] };
                out.write_all(piece)?;
                sent.fetch_add(piece.len() as u64, Ordering::Relaxed);
                std::thread::sleep(pause);
            }
        };
        let body = |out: &mut TcpStream, bytes: &[u8]| -> std::io::Result<()> {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: {}\r\n\r\n",
                bytes.len()
            )?;
            out.write_all(bytes)
        };
        match (misbehaviour, path.as_str()) {
            (_, "/v2/") => body(&mut out, b"{}")?,
            (_, p) if p.ends_with(&sha256_digest(CONFIG)) => body(&mut out, CONFIG)?,
            (Misbehaviour::GigabyteManifest, p) if p.contains("/manifests/") => {
                endless(&mut out, "Content-Length: 1000000000\r\n", Duration::ZERO)?
            }
            (Misbehaviour::EndlessManifest, p) if p.contains("/manifests/") => {
                endless(&mut out, "", Duration::ZERO)?
            }
            (Misbehaviour::SlowManifest, p) if p.contains("/manifests/") => {
                endless(&mut out, "", Duration::from_millis(200))?
            }
            (Misbehaviour::GigabyteLayer, p) if p.contains("/manifests/") => {
                body(&mut out, &manifest(1_000_000_000))?
            }
            (Misbehaviour::EndlessLayer, p) if p.contains("/manifests/") => {
                body(&mut out, &manifest(100))?
            }
            (Misbehaviour::EndlessLayer, p) if p.contains("/blobs/") => {
                endless(&mut out, "", Duration::ZERO)?
            }
            (Misbehaviour::GigabyteConfig, p) if p.contains("/manifests/") => {
                body(&mut out, &manifest_sized(1_000_000_000, 100))?
            }
            (Misbehaviour::HundredSignatures, p) if p.contains("/manifests/sha256-") => {
                body(&mut out, &signature_manifest(100, 100))?
            }
            (Misbehaviour::GigabyteSignature, p) if p.contains("/manifests/sha256-") => {
                body(&mut out, &signature_manifest(1, 1_000_000_000))?
            }
            _ => write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?,
        }
    }
}

/// Pull from a registry that misbehaves so, with [`SMALL_LIMITS`].
fn pull(misbehaviour: Misbehaviour, digest: &str) -> (RegistryError, u64, Duration) {
    let (address, sent) = serve(misbehaviour);
    let pinned = Pinned::parse(&format!("{address}/hostile/component@{digest}")).unwrap();
    let registry = Registry::new().unwrap().with_limits(SMALL_LIMITS);
    let started = Instant::now();
    let error = match registry.pull(&pinned) {
        Ok(_) => panic!("a hostile registry's artifact was accepted"),
        Err(e) => e,
    };
    (error, sent.load(Ordering::Relaxed), started.elapsed())
}

/// Read the signatures of an artifact from a registry that misbehaves so.
fn signatures(misbehaviour: Misbehaviour) -> RegistryError {
    let (address, _) = serve(misbehaviour);
    let pinned = Pinned::parse(&format!("{address}/hostile/component@{}", any_digest())).unwrap();
    let registry = Registry::new().unwrap().with_limits(SMALL_LIMITS);
    match registry.signatures(&pinned) {
        Ok(_) => panic!("a hostile registry's signatures were read"),
        Err(e) => e,
    }
}

fn any_digest() -> String {
    sha256_digest(b"not what the registry serves")
}

#[test]
fn a_manifest_that_says_it_is_a_gigabyte_is_refused_unread() {
    let (error, sent, _) = pull(Misbehaviour::GigabyteManifest, &any_digest());
    assert!(
        matches!(&error, RegistryError::TooLarge { what: "manifest", size, limit, .. } if size == "1000000000 bytes" && limit == "65536 bytes"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("the manifest is 1000000000 bytes, over fusebox's limit of 65536 bytes"),
        "{error}"
    );
    // Whatever the socket buffers held; fusebox read none of it.
    assert!(sent < 16 * 1024 * 1024, "the registry sent {sent} bytes");
}

#[test]
fn an_endless_manifest_is_read_only_up_to_the_limit() {
    let (error, sent, _) = pull(Misbehaviour::EndlessManifest, &any_digest());
    assert!(
        matches!(&error, RegistryError::TooLarge { what: "manifest", size, .. } if size == "more than 65536 bytes"),
        "{error:?}"
    );
    assert!(sent < 16 * 1024 * 1024, "the registry sent {sent} bytes");
}

#[test]
fn a_registry_that_answers_a_byte_at_a_time_meets_the_deadline() {
    let (error, _, took) = pull(Misbehaviour::SlowManifest, &any_digest());
    assert!(
        matches!(&error, RegistryError::TimedOut { after, .. } if *after == SMALL_LIMITS.deadline),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("took longer than 3 s; fusebox gave up"),
        "{error}"
    );
    assert!(took < Duration::from_secs(30), "the pull took {took:?}");
}

#[test]
fn a_layer_whose_descriptor_says_a_gigabyte_is_refused_before_it_is_fetched() {
    let digest = sha256_digest(&manifest(1_000_000_000));
    let (error, _, _) = pull(Misbehaviour::GigabyteLayer, &digest);
    assert!(
        matches!(
            &error,
            RegistryError::TooLarge {
                what: "layer",
                limit,
                ..
            } if limit == "1048576 bytes"
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("the layer is 1000000000 bytes by its descriptor"),
        "{error}"
    );
}

#[test]
fn a_layer_longer_than_its_descriptor_is_cut_off() {
    let digest = sha256_digest(&manifest(100));
    let (error, sent, _) = pull(Misbehaviour::EndlessLayer, &digest);
    assert!(
        matches!(
            &error,
            RegistryError::Overlong {
                what: "layer",
                size: 100,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("sent more of the layer blob than the 100 bytes the manifest gives it"),
        "{error}"
    );
    assert!(sent < 16 * 1024 * 1024, "the registry sent {sent} bytes");
}

#[test]
fn a_config_whose_descriptor_says_a_gigabyte_is_refused_before_it_is_fetched() {
    let digest = sha256_digest(&manifest_sized(1_000_000_000, 100));
    let (error, _, _) = pull(Misbehaviour::GigabyteConfig, &digest);
    assert!(
        matches!(&error, RegistryError::TooLarge { what: "config", size, limit, .. }
            if size == "1000000000 bytes by its descriptor" && limit == "65536 bytes"),
        "{error:?}"
    );
}

#[test]
fn a_signature_tag_with_a_hundred_layers_is_refused_before_any_is_fetched() {
    let error = signatures(Misbehaviour::HundredSignatures);
    assert!(
        matches!(&error, RegistryError::TooLarge { what: "signature manifest", size, limit, .. }
            if size == "100 layers" && limit == "64 layers"),
        "{error:?}"
    );
}

#[test]
fn a_signature_payload_whose_descriptor_says_a_gigabyte_is_refused() {
    let error = signatures(Misbehaviour::GigabyteSignature);
    assert!(
        matches!(&error, RegistryError::TooLarge { what: "signature", limit, .. } if limit == "65536 bytes"),
        "{error:?}"
    );
}
