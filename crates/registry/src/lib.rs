//! fusebox's registry side: components as OCI artifacts, signed in cosign's format.
//!
//! - [`Registry`] pushes a component (a single one or a fused artifact) as a standard
//!   wasm OCI artifact, pulls one by digest, signs a manifest digest and verifies one.
//!   The protocol is `oci-client`'s and the artifact layout `oci-wasm`'s; fusebox adds the
//!   checks (digests, one `application/wasm` layer, a component inside) and the
//!   signatures ([`signing`]).
//! - [`Store`] is the composer's way in: a component pinned by digest, pulled and
//!   verified once, then kept by digest on disk, so later composes work offline and
//!   re-verify from the copy.
//!
//! Registries on loopback (`localhost`, `127.0.0.0/8`, `[::1]`) are spoken to over plain
//! HTTP, as Docker does; every other registry over HTTPS. Credentials, when a registry
//! needs them, come from `FUSEBOX_REGISTRY_USERNAME` and `FUSEBOX_REGISTRY_PASSWORD`.
//! What a registry can make fusebox read or wait for is bounded ([`Limits`]).

pub mod artifact;
pub mod error;
pub mod limits;
pub mod signing;
pub mod store;

pub use artifact::{Artifact, CORE_MODULE_ADVICE, sha256_digest};
pub use error::{RegistryError, Result};
pub use limits::{Limits, MAX_COMPONENT_BYTES};
pub use signing::{PrivateKey, PublicKey, SignatureLayer, generate_key_pair, hex, signature_tag};
pub use store::{Fetched, Store};

use oci_client::RegistryOperation;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use oci_wasm::{ToConfig as _, WASM_MANIFEST_MEDIA_TYPE, WasmConfig};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// A reference pinned to a manifest digest: `registry/repository@sha256:<hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    registry: String,
    repository: String,
    digest: String,
}

impl Pinned {
    /// Parse `registry/repository@sha256:<hex>` (a tag before the `@` is allowed and
    /// ignored: the digest decides). A reference without a digest is refused.
    pub fn parse(text: &str) -> Result<Self> {
        let reference = parse_reference(text)?;
        let digest = reference
            .digest()
            .ok_or_else(|| RegistryError::NotPinned {
                reference: text.to_owned(),
            })?
            .to_owned();
        let valid = digest
            .strip_prefix("sha256:")
            .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if !valid {
            return Err(RegistryError::BadReference {
                reference: text.to_owned(),
                detail: format!("`{digest}` is not a sha256 digest"),
            });
        }
        Ok(Pinned {
            registry: reference.registry().to_owned(),
            repository: reference.repository().to_owned(),
            digest,
        })
    }

    /// `sha256:<hex>`.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// `registry/repository`, without tag or digest: what a signature names.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// `registry` (`host:port`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    fn reference(&self) -> Reference {
        Reference::with_digest(
            self.registry.clone(),
            self.repository.clone(),
            self.digest.clone(),
        )
    }

    fn signature_reference(&self) -> Reference {
        Reference::with_tag(
            self.registry.clone(),
            self.repository.clone(),
            signature_tag(&self.digest),
        )
    }
}

impl fmt::Display for Pinned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.repository(), self.digest)
    }
}

/// Parse an OCI reference, with fusebox's wording on failure.
pub fn parse_reference(text: &str) -> Result<Reference> {
    text.parse()
        .map_err(|e: oci_client::ParseError| RegistryError::BadReference {
            reference: text.to_owned(),
            detail: e.to_string(),
        })
}

/// A blocking client for OCI registries, for pushing, pulling, signing and verifying
/// components.
pub struct Registry {
    runtime: tokio::runtime::Runtime,
    auth: RegistryAuth,
    limits: Limits,
}

impl Registry {
    /// A client with credentials from `FUSEBOX_REGISTRY_USERNAME` and
    /// `FUSEBOX_REGISTRY_PASSWORD` when both are set, anonymous otherwise.
    pub fn new() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| RegistryError::Io {
                path: "tokio runtime".into(),
                source,
            })?;
        let auth = match (
            std::env::var("FUSEBOX_REGISTRY_USERNAME"),
            std::env::var("FUSEBOX_REGISTRY_PASSWORD"),
        ) {
            (Ok(user), Ok(password)) => RegistryAuth::Basic(user, password),
            _ => RegistryAuth::Anonymous,
        };
        Ok(Registry {
            runtime,
            auth,
            limits: Limits::default(),
        })
    }

    /// The same client with other limits (tests use small ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Run one registry operation on `registry` to completion, or fail it with
    /// [`RegistryError::TimedOut`] once [`Limits::deadline`] has passed.
    fn run<T>(
        &self,
        reference: &str,
        registry: &str,
        operation: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let deadline = self.limits.deadline;
        self.runtime.block_on(async {
            tokio::time::timeout(deadline, operation)
                .await
                .unwrap_or_else(|_| {
                    Err(RegistryError::TimedOut {
                        reference: reference.to_owned(),
                        registry: registry.to_owned(),
                        after: deadline,
                    })
                })
        })
    }

    /// The manifest `reference` names, read whole but never past
    /// [`Limits::manifest_bytes`]. oci-client's `pull_manifest_raw` reads any size, so
    /// this is fusebox's own GET, with oci-client's authentication.
    async fn pull_manifest(
        &self,
        client: &Client,
        reference: &Reference,
        name: &str,
    ) -> Result<Vec<u8>> {
        let registry = reference.resolve_registry();
        // As oci-client does: a failed token exchange is not fatal, the registry may
        // serve the manifest anonymously, and says so with a 401 if not.
        let token = client
            .auth(reference, &self.auth, RegistryOperation::Pull)
            .await
            .unwrap_or(None);
        let scheme = if is_loopback(registry) {
            "http"
        } else {
            "https"
        };
        let target = reference.digest().or(reference.tag()).unwrap_or("latest");
        let url = format!(
            "{scheme}://{registry}/v2/{}/manifests/{target}",
            reference.repository()
        );
        let http = reqwest::Client::builder()
            .user_agent(concat!("fusebox/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| RegistryError::Registry {
                reference: name.to_owned(),
                detail: e.to_string(),
            })?;
        let mut request = http.get(&url).header("Accept", OCI_IMAGE_MEDIA_TYPE);
        request = match (token, &self.auth) {
            (Some(token), _) => request.bearer_auth(token),
            (None, RegistryAuth::Basic(user, password)) => request.basic_auth(user, Some(password)),
            (None, _) => request,
        };
        let failed = |e: reqwest::Error| {
            if e.is_connect() {
                RegistryError::Unreachable {
                    registry: reference.registry().to_owned(),
                    detail: error::root_cause(&e),
                }
            } else if e.is_timeout() {
                RegistryError::Registry {
                    reference: name.to_owned(),
                    detail: "the registry stopped sending the manifest for 60 s".into(),
                }
            } else {
                RegistryError::Registry {
                    reference: name.to_owned(),
                    detail: error::root_cause(&e),
                }
            }
        };
        let mut response = request.send().await.map_err(failed)?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            // The OCI error envelope, read no further than a manifest may go.
            let body = read_capped(&mut response, self.limits.manifest_bytes)
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            let envelope: Option<oci_client::errors::OciEnvelope> =
                serde_json::from_slice(&body).ok();
            let unknown = envelope.as_ref().is_some_and(|e| {
                e.errors.iter().any(|e| {
                    matches!(
                        e.code,
                        oci_client::errors::OciErrorCode::ManifestUnknown
                            | oci_client::errors::OciErrorCode::NameUnknown
                    )
                })
            });
            if status == reqwest::StatusCode::NOT_FOUND || unknown {
                return Err(RegistryError::NotFound {
                    reference: name.to_owned(),
                });
            }
            let said = envelope
                .and_then(|e| e.errors.into_iter().next())
                .map_or(String::new(), |e| format!(": {:?} {}", e.code, e.message));
            return Err(RegistryError::Registry {
                reference: name.to_owned(),
                detail: format!("the registry answered {status} for the manifest{said}"),
            });
        }
        let limit = self.limits.manifest_bytes;
        match read_capped(&mut response, limit).await.map_err(failed)? {
            Some(bytes) => Ok(bytes),
            None => Err(RegistryError::TooLarge {
                reference: name.to_owned(),
                what: "manifest",
                size: match response.content_length() {
                    Some(length) if length > limit => format!("{length} bytes"),
                    _ => format!("more than {limit} bytes"),
                },
                limit: format!("{limit} bytes"),
            }),
        }
    }

    /// Push `component` to `reference` (a tag; `latest` when none is given) as a wasm
    /// OCI artifact, and return it pinned to the manifest digest. `target` is the world
    /// recorded in the config (`wasi:http/proxy@0.2.6` for a fused service); without it,
    /// a component exporting `wasi:http/incoming-handler@V` is recorded as targeting
    /// `wasi:http/proxy@V`.
    pub fn push(
        &self,
        component: Vec<u8>,
        reference: &Reference,
        target: Option<String>,
    ) -> Result<Pinned> {
        let whole = reference.whole();
        if reference.digest().is_some() {
            return Err(RegistryError::BadReference {
                reference: whole,
                detail: "push to a tag; the registry gives the digest".into(),
            });
        }
        artifact::check_component(&whole, &component)?;
        let (mut config, layer) = WasmConfig::from_raw_component(component, None).map_err(|e| {
            RegistryError::NotComponent {
                reference: whole.clone(),
                what: format!("its WIT cannot be read: {e:#}"),
            }
        })?;
        if let Some(info) = config.component.as_mut() {
            info.target = target.or_else(|| proxy_target(&info.exports));
        }
        let config = config.to_config().map_err(|e| RegistryError::Registry {
            reference: whole.clone(),
            detail: e.to_string(),
        })?;
        let mut manifest = OciImageManifest::build(std::slice::from_ref(&layer), &config, None);
        manifest.media_type = Some(WASM_MANIFEST_MEDIA_TYPE.to_owned());
        let digest = self.push_manifest(reference, &[layer], config, &manifest)?;
        Pinned::parse(&format!(
            "{}/{}@{digest}",
            reference.registry(),
            reference.repository()
        ))
    }

    /// Pull the artifact `pinned` names and check it ([`Artifact::check`]).
    pub fn pull(&self, pinned: &Pinned) -> Result<Artifact> {
        let reference = pinned.reference();
        let name = pinned.to_string();
        let client = client_for(&reference);
        self.run(&name, pinned.registry(), async {
            let manifest_bytes = self.pull_manifest(&client, &reference, &name).await?;
            // A pinned pull is only as good as this check: the bytes must hash to the pin.
            let actual = sha256_digest(&manifest_bytes);
            if actual != pinned.digest {
                return Err(RegistryError::DigestMismatch {
                    reference: name.clone(),
                    expected: pinned.digest.clone(),
                    actual,
                });
            }
            let manifest = artifact::wasm_manifest(&name, &manifest_bytes)?;
            let limits = &self.limits;
            let config = pull_blob(
                &client,
                &reference,
                &manifest.config,
                &name,
                ("config", limits.config_bytes),
            )
            .await?;
            let component = pull_blob(
                &client,
                &reference,
                &manifest.layers[0],
                &name,
                ("layer", limits.component_bytes),
            )
            .await?;
            let artifact = Artifact {
                manifest: manifest_bytes,
                config,
                component,
            };
            artifact.check(&name, &pinned.digest)?;
            Ok(artifact)
        })
    }

    /// The digest a tag points at now. What `push` printed is the same digest; this is
    /// for references pushed by other tools.
    pub fn resolve(&self, reference: &Reference) -> Result<Pinned> {
        let whole = reference.whole();
        let client = client_for(reference);
        let digest = self.run(&whole, reference.registry(), async {
            client
                .fetch_manifest_digest(reference, &self.auth)
                .await
                .map_err(|e| RegistryError::from_client(&whole, reference.registry(), e))
        })?;
        Pinned::parse(&format!(
            "{}/{}@{digest}",
            reference.registry(),
            reference.repository()
        ))
    }

    /// The signatures stored for `pinned` (cosign's `sha256-<hex>.sig` tag). No tag is
    /// [`RegistryError::Unsigned`].
    pub fn signatures(&self, pinned: &Pinned) -> Result<Vec<SignatureLayer>> {
        let reference = pinned.signature_reference();
        let name = pinned.to_string();
        let client = client_for(&reference);
        self.run(&name, pinned.registry(), async {
            let bytes = match self.pull_manifest(&client, &reference, &name).await {
                Err(RegistryError::NotFound { .. }) => {
                    return Err(RegistryError::Unsigned {
                        reference: name.clone(),
                        signature_tag: signature_tag(&pinned.digest),
                    });
                }
                other => other?,
            };
            let manifest: OciImageManifest =
                serde_json::from_slice(&bytes).map_err(|e| RegistryError::Registry {
                    reference: reference.whole(),
                    detail: format!("the signature manifest is not an image manifest: {e}"),
                })?;
            if manifest.layers.len() > self.limits.signature_layers {
                return Err(RegistryError::TooLarge {
                    reference: reference.whole(),
                    what: "signature manifest",
                    size: format!("{} layers", manifest.layers.len()),
                    limit: format!("{} layers", self.limits.signature_layers),
                });
            }
            let mut signatures = Vec::new();
            for layer in &manifest.layers {
                let signature = layer
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(signing::SIGNATURE_ANNOTATION));
                let (true, Some(signature)) = (
                    layer.media_type == signing::SIMPLE_SIGNING_MEDIA_TYPE,
                    signature,
                ) else {
                    continue;
                };
                let payload = pull_blob(
                    &client,
                    &reference,
                    layer,
                    &name,
                    ("signature", self.limits.signature_bytes),
                )
                .await?;
                signatures.push(SignatureLayer {
                    payload,
                    signature: signature.clone(),
                });
            }
            Ok(signatures)
        })
    }

    /// Sign the manifest `pinned` names with `key`, in cosign's format: a simple-signing
    /// payload layer added to the `sha256-<hex>.sig` tag (the signatures already there are
    /// kept). The manifest must exist. Returns the signature tag's reference.
    pub fn sign(&self, pinned: &Pinned, key: &PrivateKey) -> Result<String> {
        self.manifest_exists(pinned)?;
        let mut signatures = match self.signatures(pinned) {
            Ok(existing) => existing,
            Err(RegistryError::Unsigned { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        let new = SignatureLayer::sign(&pinned.repository(), &pinned.digest, key);
        if !signatures.contains(&new) {
            signatures.push(new);
        }
        let layers: Vec<ImageLayer> = signatures
            .iter()
            .map(|s| ImageLayer {
                data: s.payload.clone().into(),
                media_type: signing::SIMPLE_SIGNING_MEDIA_TYPE.to_owned(),
                annotations: Some(BTreeMap::from([(
                    signing::SIGNATURE_ANNOTATION.to_owned(),
                    s.signature.clone(),
                )])),
            })
            .collect();
        // The image config cosign writes: one diff_id per payload layer.
        let diff_ids: Vec<String> = signatures
            .iter()
            .map(|s| sha256_digest(&s.payload))
            .collect();
        let config = serde_json::json!({
            "architecture": "",
            "config": {},
            "created": "0001-01-01T00:00:00Z",
            "history": diff_ids.iter().map(|_| serde_json::json!({"created": "0001-01-01T00:00:00Z"})).collect::<Vec<_>>(),
            "os": "",
            "rootfs": { "type": "layers", "diff_ids": diff_ids },
        });
        let config = Config::oci_v1(serde_json::to_vec(&config).expect("json"), None);
        let mut manifest = OciImageManifest::build(&layers, &config, None);
        manifest.media_type = Some(OCI_IMAGE_MEDIA_TYPE.to_owned());
        let reference = pinned.signature_reference();
        self.push_manifest(&reference, &layers, config, &manifest)?;
        Ok(reference.whole())
    }

    /// Verify that `pinned` exists, has the digest it names, and carries a signature made
    /// with `key` over that digest.
    pub fn verify(&self, pinned: &Pinned, key: &PublicKey) -> Result<()> {
        self.manifest_exists(pinned)?;
        let signatures = self.signatures(pinned)?;
        signing::verify(&pinned.to_string(), &pinned.digest, &signatures, key)
    }

    /// Fetch the manifest's bytes and check their digest.
    fn manifest_exists(&self, pinned: &Pinned) -> Result<()> {
        let reference = pinned.reference();
        let name = pinned.to_string();
        let client = client_for(&reference);
        let bytes = self.run(&name, pinned.registry(), async {
            self.pull_manifest(&client, &reference, &name).await
        })?;
        let actual = sha256_digest(&bytes);
        if actual != pinned.digest {
            return Err(RegistryError::DigestMismatch {
                reference: name,
                expected: pinned.digest.clone(),
                actual,
            });
        }
        Ok(())
    }

    /// Push `layers`, `config` and then `manifest`, whose serialised bytes are exactly
    /// what is pushed; returns their digest.
    fn push_manifest(
        &self,
        reference: &Reference,
        layers: &[ImageLayer],
        config: Config,
        manifest: &OciImageManifest,
    ) -> Result<String> {
        let whole = reference.whole();
        let registry = reference.registry().to_owned();
        let client = client_for(reference);
        let failed = |e| RegistryError::from_client(&whole, &registry, e);
        let bytes = serde_json::to_vec(manifest).expect("a manifest always serialises");
        let digest = sha256_digest(&bytes);
        self.run(&whole, &registry, async {
            client
                .store_auth_if_needed(reference.resolve_registry(), &self.auth)
                .await;
            for layer in layers {
                client
                    .push_blob(reference, layer.data.clone(), &layer.sha256_digest())
                    .await
                    .map_err(failed)?;
            }
            client
                .push_blob(reference, config.data, &manifest.config.digest)
                .await
                .map_err(failed)?;
            let content_type = manifest
                .media_type
                .as_deref()
                .unwrap_or(OCI_IMAGE_MEDIA_TYPE)
                .parse()
                .expect("a media type is a valid header value");
            client
                .push_manifest_raw(reference, bytes, content_type)
                .await
                .map_err(failed)
        })?;
        Ok(digest)
    }
}

/// `wasi:http/proxy@V` when the component exports `wasi:http/incoming-handler@V`.
fn proxy_target(exports: &[String]) -> Option<String> {
    exports.iter().find_map(|export| {
        export
            .strip_prefix("wasi:http/incoming-handler@")
            .map(|version| format!("wasi:http/proxy@{version}"))
    })
}

/// A client that speaks plain HTTP to a loopback registry and HTTPS to any other.
fn client_for(reference: &Reference) -> Client {
    let registry = reference.resolve_registry();
    let protocol = if is_loopback(registry) {
        ClientProtocol::HttpsExcept(vec![registry.to_owned()])
    } else {
        ClientProtocol::Https
    };
    Client::new(ClientConfig {
        protocol,
        connect_timeout: Some(Duration::from_secs(10)),
        read_timeout: Some(Duration::from_secs(60)),
        ..ClientConfig::default()
    })
}

/// Whether `host[:port]` is on this machine.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => registry.rsplit_once(':').map_or(registry, |(h, _)| h),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The body of `response`, or `None` once it is known to be longer than `limit`: from
/// its `Content-Length` before reading, or from the bytes read so far.
async fn read_capped(
    response: &mut reqwest::Response,
    limit: u64,
) -> std::result::Result<Option<Vec<u8>>, reqwest::Error> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// Pull the blob `descriptor` names into memory, refusing it when its descriptor or its
/// bytes exceed `limit`, or when more bytes arrive than the descriptor says. `what`
/// (`config`, `layer`, `signature`) names the blob in errors.
async fn pull_blob(
    client: &Client,
    reference: &Reference,
    descriptor: &OciDescriptor,
    name: &str,
    (what, limit): (&'static str, u64),
) -> Result<Vec<u8>> {
    let too_large = |size: String| RegistryError::TooLarge {
        reference: name.to_owned(),
        what,
        size,
        limit: format!("{limit} bytes"),
    };
    let size = u64::try_from(descriptor.size).unwrap_or(u64::MAX);
    if size > limit {
        return Err(too_large(format!(
            "{} bytes by its descriptor",
            descriptor.size
        )));
    }
    let mut out = Capped {
        bytes: Vec::with_capacity(size as usize),
        limit: size,
        overflowed: false,
    };
    let pulled = client.pull_blob(reference, descriptor, &mut out).await;
    if out.overflowed {
        return Err(RegistryError::Overlong {
            reference: name.to_owned(),
            what,
            size,
        });
    }
    pulled.map_err(|e| match e {
        oci_client::errors::OciDistributionError::DigestError(
            oci_client::errors::DigestError::VerificationError { expected, actual },
        ) => RegistryError::BlobMismatch {
            reference: name.to_owned(),
            what,
            expected,
            actual,
        },
        e => RegistryError::from_client(name, reference.registry(), e),
    })?;
    Ok(out.bytes)
}

/// A writer that holds at most `limit` bytes and fails the write that would pass it.
struct Capped {
    bytes: Vec<u8>,
    limit: u64,
    overflowed: bool,
}

impl tokio::io::AsyncWrite for Capped {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if (self.bytes.len() + buf.len()) as u64 > self.limit {
            self.overflowed = true;
            return std::task::Poll::Ready(Err(std::io::Error::other(
                "the blob is longer than its descriptor says",
            )));
        }
        self.bytes.extend_from_slice(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "5aa109f4dd8253eb873524ead4d7884df65849fbaba042028e4179cba92894ba";

    #[test]
    fn a_pinned_reference_needs_a_sha256_digest() {
        let pinned = Pinned::parse(&format!("127.0.0.1:5000/fusebox/logger@sha256:{HEX}")).unwrap();
        assert_eq!(pinned.registry(), "127.0.0.1:5000");
        assert_eq!(pinned.repository(), "127.0.0.1:5000/fusebox/logger");
        assert_eq!(
            pinned.to_string(),
            format!("127.0.0.1:5000/fusebox/logger@sha256:{HEX}")
        );

        let err = Pinned::parse("127.0.0.1:5000/fusebox/logger:0.1.0").unwrap_err();
        assert!(matches!(err, RegistryError::NotPinned { .. }), "{err}");
        assert!(err.to_string().contains("@sha256:<digest>"), "{err}");
    }

    #[test]
    fn loopback_registries_are_plain_http() {
        for registry in [
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
            "localhost",
        ] {
            assert!(is_loopback(registry), "{registry}");
        }
        for registry in [
            "ghcr.io",
            "10.0.0.1:5000",
            "registry.example:443",
            "docker.io",
        ] {
            assert!(!is_loopback(registry), "{registry}");
        }
    }

    #[test]
    fn a_service_targets_the_proxy_world() {
        let exports = ["wasi:http/incoming-handler@0.2.6".to_owned()];
        assert_eq!(
            proxy_target(&exports).as_deref(),
            Some("wasi:http/proxy@0.2.6")
        );
        assert_eq!(proxy_target(&["fusebox:logger/log@0.1.0".to_owned()]), None);
    }
}
