//! Components through a real OCI registry (CNCF distribution, on loopback): `fusebox
//! push`, `sign`, `verify` and `pull`, a composition whose sources are `oci` references,
//! skopeo as a second client, and every refusal with its exact message.

use fusebox_compose::{ComposeError, Lock, Manifest, Provenance, compose, read_inputs};
use fusebox_tests::registry::TestRegistry;
use fusebox_tests::{RequestBody, TEST_KEY, TestHost, body, components, repo, token};
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fusebox"))
        .args(args)
        .output()
        .expect("run fusebox")
}

/// `fusebox ARGS`, which must succeed; its stdout, trimmed.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "fusebox {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `fusebox ARGS`, which must fail; its error message (stderr without `fusebox: error: `).
fn refused(args: &[&str]) -> String {
    let out = run(args);
    assert!(!out.status.success(), "fusebox {args:?} should have failed");
    let stderr = String::from_utf8(out.stderr).unwrap();
    stderr
        .trim()
        .strip_prefix("fusebox: error: ")
        .unwrap_or(&stderr)
        .to_owned()
}

/// A publisher's key pair, made with `fusebox keygen`: (private, public).
fn keygen(dir: &Path, name: &str) -> (String, String) {
    let prefix = dir.join(name);
    ok(&["keygen", prefix.to_str().unwrap()]);
    let path = |ext: &str| format!("{}.{ext}", prefix.display());
    (path("key"), path("pub"))
}

/// `fusebox push FILE REF`: the pinned reference it prints.
fn push(file: &str, reference: &str) -> String {
    ok(&["push", file, reference])
}

fn digest_of(pinned: &str) -> &str {
    pinned.split_once('@').unwrap().1
}

/// The repository's manifest with the given components' sources switched to `oci`
/// references (each a one-line change), parsed as `fusebox.toml`.
fn manifest_with(sources: &[(&str, &str, &str)]) -> (String, Manifest) {
    let mut text = fusebox_tests::manifest_text();
    for (component, reference, key) in sources {
        text = swap_source(
            &text,
            component,
            &format!("{{ oci = \"{reference}\", key = \"{key}\" }}"),
        );
    }
    let manifest = Manifest::parse(&text, "fusebox.toml", repo()).expect("the manifest is valid");
    (text, manifest)
}

fn swap_source(text: &str, component: &str, source: &str) -> String {
    let header = format!("[components.{component}]");
    let start = text.find(&header).unwrap() + header.len();
    let line = start + text[start..].find("\nsource = ").unwrap() + 1;
    let end = line + text[line..].find('\n').unwrap();
    format!("{}source = {source}{}", &text[..line], &text[end..])
}

/// Compose `manifest`, with `store` for its `oci` sources.
fn fuse(manifest: &Manifest, store: &Path) -> Result<fusebox_compose::Fused, ComposeError> {
    let inputs = read_inputs(manifest, Path::new(components::COMPONENTS_DIR), store)?;
    compose(manifest, &inputs)
}

fn refusal(manifest: &Manifest, store: &Path) -> String {
    match fuse(manifest, store) {
        Ok(_) => panic!("the composition should have been refused"),
        Err(error) => error.to_string(),
    }
}

fn post(path: &str, token: &str, json: &str) -> hyper::Request<RequestBody> {
    hyper::Request::post(format!("http://fusebox.test{path}"))
        .header("content-type", "application/json")
        .header("content-length", json.len())
        .header("authorization", format!("Bearer {token}"))
        .body(body(json.to_owned()))
        .unwrap()
}

/// The line of `[components.<component>]`'s source in `text`, as `fusebox.toml:N`.
fn source_line(text: &str, component: &str) -> String {
    let header = format!("[components.{component}]");
    let start = text.find(&header).unwrap();
    let line = start + text[start..].find("\nsource = ").unwrap() + 1;
    format!("fusebox.toml:{}", text[..line].lines().count() + 1)
}

#[test]
fn components_pushed_signed_and_pulled_by_digest_compose_and_serve() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keygen(dir.path(), "publisher");
    let store = dir.path().join("oci");

    // Publish: push each component, sign the digest that push printed.
    let logger = push(
        components::LOGGER,
        &format!("{}/fusebox/logger:0.1.0", registry.addr),
    );
    let calculator = push(
        components::CALCULATOR,
        &format!("{}/fusebox/calculator:0.1.0", registry.addr),
    );
    for pinned in [&logger, &calculator] {
        assert!(
            pinned.starts_with(&format!("{}/fusebox/", registry.addr)),
            "{pinned}"
        );
        assert_eq!(digest_of(pinned).len(), "sha256:".len() + 64, "{pinned}");
        let signature = ok(&["sign", pinned, "--key", &private]);
        assert_eq!(
            signature,
            format!(
                "{}:{}.sig",
                pinned.split_once('@').unwrap().0,
                digest_of(pinned).replace(':', "-")
            )
        );
        let verified = ok(&["verify", pinned, "--key", &public]);
        assert!(
            verified.starts_with(&format!("verified {pinned}: signed with")),
            "{verified}"
        );
    }

    // `fusebox pull` by digest gives back the very bytes that were pushed.
    let pulled = dir.path().join("logger.wasm");
    ok(&[
        "pull",
        &logger,
        "-o",
        pulled.to_str().unwrap(),
        "--key",
        &public,
    ]);
    assert_eq!(
        std::fs::read(&pulled).unwrap(),
        std::fs::read(components::LOGGER).unwrap()
    );

    // Consume: two source lines switched to `oci`, nothing else changed.
    let (text, manifest) = manifest_with(&[
        ("logger", &logger, &public),
        ("calculator", &calculator, &public),
    ]);
    let fused = fuse(&manifest, &store).expect("compose from the registry");
    assert_eq!(fused.wiring_text(), fusebox_tests::fused().wiring_text());

    // The lock and the provenance record where each came from and what it was.
    let inputs = read_inputs(&manifest, Path::new(components::COMPONENTS_DIR), &store).unwrap();
    for (name, file) in [
        ("logger", components::LOGGER),
        ("calculator", components::CALCULATOR),
    ] {
        let input = inputs.iter().find(|i| i.name == name).unwrap();
        assert_eq!(
            input.bytes,
            std::fs::read(file).unwrap(),
            "{name} came back unchanged"
        );
        assert!(
            input.path.starts_with(&store),
            "{name} was read from the store"
        );
    }
    let lock = Lock::new(&manifest, &inputs).unwrap();
    let record = lock.inputs.iter().find(|r| r.name == "logger").unwrap();
    assert_eq!(record.source, format!("oci {logger} (key {public})"));
    let provenance = Provenance::read(&fused.bytes)
        .unwrap()
        .expect("a provenance section");
    let recorded = provenance
        .inputs
        .iter()
        .find(|r| r.name == "calculator")
        .unwrap();
    assert_eq!(recorded.source, format!("oci {calculator} (key {public})"));
    assert!(text.contains(&format!("source = {{ oci = \"{logger}\"")));

    // It serves the API: a verified JWT and a call into the calculator from the registry.
    let host = TestHost::new(&fused.bytes, &[(auth_token::KEY_CONFIG, TEST_KEY)]).unwrap();
    let token = token("alice", &["calc"], 3600, TEST_KEY);
    let reply = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(host.send(post("/v1/add", &token, r#"{"a":40,"b":2}"#)));
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json(), serde_json::json!({"result": 42}));

    // With the registry gone, the store still has both, verified again from disk.
    drop(registry);
    let offline = fuse(&manifest, &store).expect("compose offline from the store");
    assert_eq!(offline.bytes, fused.bytes);

    // A copy altered in the store is refused, not trusted.
    let entry = store
        .join("sha256")
        .join(&digest_of(&logger)["sha256:".len()..]);
    let mut wasm = std::fs::read(entry.join("component.wasm")).unwrap();
    let last = wasm.len() - 1;
    wasm[last] ^= 1;
    std::fs::write(entry.join("component.wasm"), wasm).unwrap();
    let error = refusal(&manifest, &store);
    assert!(error.contains("the layer blob's digest is"), "{error}");
}

#[test]
fn skopeo_copies_the_artifact_byte_for_byte_and_fusebox_composes_what_skopeo_pushed() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keygen(dir.path(), "publisher");
    let pinned = push(
        components::LOGGER,
        &format!("{}/fusebox/logger:0.1.0", registry.addr),
    );
    let digest = digest_of(&pinned);

    // skopeo, a second client, copies it by digest into an OCI layout on disk.
    let layout = dir.path().join("layout");
    skopeo(&[
        "copy",
        "--src-tls-verify=false",
        "--preserve-digests",
        &format!("docker://{pinned}"),
        &format!("oci:{}:logger", layout.display()),
    ]);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"][0]["digest"], digest, "the same manifest");
    let blob = |digest: &str| layout.join("blobs/sha256").join(&digest["sha256:".len()..]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(blob(digest)).unwrap()).unwrap();
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    let layer = std::fs::read(blob(manifest["layers"][0]["digest"].as_str().unwrap())).unwrap();
    assert_eq!(
        layer,
        std::fs::read(components::LOGGER).unwrap(),
        "the layer is the component"
    );
    let config: serde_json::Value = serde_json::from_slice(
        &std::fs::read(blob(manifest["config"]["digest"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    assert_eq!(config["os"], "wasip2");
    assert!(
        config["component"]["exports"]
            .as_array()
            .unwrap()
            .contains(&"fusebox:logger/log@0.1.0".into()),
        "{config}"
    );

    // skopeo pushes it back under another name; fusebox pulls, signs and composes that.
    let digest_file = dir.path().join("digest");
    skopeo(&[
        "copy",
        "--dest-tls-verify=false",
        "--preserve-digests",
        "--digestfile",
        digest_file.to_str().unwrap(),
        &format!("oci:{}:logger", layout.display()),
        &format!("docker://{}/mirror/logger:copied", registry.addr),
    ]);
    let copied = format!(
        "{}/mirror/logger@{}",
        registry.addr,
        std::fs::read_to_string(&digest_file).unwrap().trim()
    );
    ok(&["sign", &copied, "--key", &private]);
    let (_, manifest) = manifest_with(&[("logger", &copied, &public)]);
    let fused = fuse(&manifest, &dir.path().join("oci")).expect("compose what skopeo pushed");
    assert_eq!(fused.wiring_text(), fusebox_tests::fused().wiring_text());
}

#[test]
fn signatures_are_ecdsa_p256_sha256_that_openssl_verifies() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keygen(dir.path(), "publisher");
    let pinned = push(
        components::CALCULATOR,
        &format!("{}/fusebox/calculator:0.1.0", registry.addr),
    );
    ok(&["sign", &pinned, "--key", &private]);

    let signatures = fusebox_registry::Registry::new()
        .unwrap()
        .signatures(&fusebox_registry::Pinned::parse(&pinned).unwrap())
        .unwrap();
    assert_eq!(signatures.len(), 1);
    let payload: serde_json::Value = serde_json::from_slice(&signatures[0].payload).unwrap();
    assert_eq!(
        payload["critical"]["type"],
        "cosign container image signature"
    );
    assert_eq!(
        payload["critical"]["image"]["docker-manifest-digest"],
        digest_of(&pinned)
    );
    assert_eq!(
        payload["critical"]["identity"]["docker-reference"],
        pinned.split_once('@').unwrap().0
    );

    // OpenSSL, an implementation that shares no code with fusebox, checks the signature.
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(&signatures[0].signature)
        .unwrap();
    std::fs::write(dir.path().join("payload.json"), &signatures[0].payload).unwrap();
    std::fs::write(dir.path().join("signature.der"), der).unwrap();
    let out = Command::new("openssl")
        .current_dir(dir.path())
        .args(["dgst", "-sha256", "-verify", &public])
        .args(["-signature", "signature.der", "payload.json"])
        .output()
        .expect("run openssl");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Verified OK");

    // Signing again with the same key adds nothing; another key adds a second signature.
    ok(&["sign", &pinned, "--key", &private]);
    let (second, second_public) = keygen(dir.path(), "second");
    ok(&["sign", &pinned, "--key", &second]);
    ok(&["verify", &pinned, "--key", &public]);
    ok(&["verify", &pinned, "--key", &second_public]);
    let signatures = fusebox_registry::Registry::new()
        .unwrap()
        .signatures(&fusebox_registry::Pinned::parse(&pinned).unwrap())
        .unwrap();
    assert_eq!(signatures.len(), 2);
}

#[test]
fn every_refusal_names_the_reference_and_what_is_wrong() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("oci");
    let (private, public) = keygen(dir.path(), "publisher");
    let (_, other_public) = keygen(dir.path(), "other");
    let repo_ref = format!("{}/fusebox/logger", registry.addr);
    let signed = push(components::LOGGER, &format!("{repo_ref}:0.1.0"));
    ok(&["sign", &signed, "--key", &private]);
    let at = source_line(&fusebox_tests::manifest_text(), "logger");
    let prefix = |reference: &str, key: &str| {
        format!("the logger component ({at}) from {reference}, key {key}: ")
    };

    // A missing signature.
    let unsigned = push(
        components::LOGGER,
        &format!("{}/fusebox/unsigned:0.1.0", registry.addr),
    );
    let (_, manifest) = manifest_with(&[("logger", &unsigned, &public)]);
    assert_eq!(
        refusal(&manifest, &store),
        format!(
            "{}{unsigned} is not signed: the registry has no signature tag `{}.sig` (sign it with \
             `fusebox sign {unsigned} --key <private key>`)",
            prefix(&unsigned, &public),
            digest_of(&unsigned).replace(':', "-")
        )
    );

    // A signature made with another key.
    let (_, manifest) = manifest_with(&[("logger", &signed, &other_public)]);
    assert_eq!(
        refusal(&manifest, &store),
        format!(
            "{}{signed}: none of its 1 signature(s) verifies with the key {other_public}: it was \
             signed with another key",
            prefix(&signed, &other_public)
        )
    );
    assert_eq!(
        refused(&["verify", &signed, "--key", &other_public]),
        format!(
            "{signed}: none of its 1 signature(s) verifies with the key {other_public}: it was \
             signed with another key"
        )
    );

    // A manifest altered after signing: a new manifest for the same name, with the old
    // signature moved onto its digest. The signature still verifies, but for the old one.
    let altered = ok(&[
        "push",
        components::LOGGER,
        &format!("{repo_ref}:0.1.0"),
        "--target",
        "evil:x/y@1.0.0",
    ]);
    assert_ne!(altered, signed);
    skopeo(&[
        "copy",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        &format!(
            "docker://{repo_ref}:{}.sig",
            digest_of(&signed).replace(':', "-")
        ),
        &format!(
            "docker://{repo_ref}:{}.sig",
            digest_of(&altered).replace(':', "-")
        ),
    ]);
    let (_, manifest) = manifest_with(&[("logger", &altered, &public)]);
    assert_eq!(
        refusal(&manifest, &store),
        format!(
            "{}{altered}: the signature made with {public} is for the manifest {}, not this one: \
             the manifest was changed after it was signed",
            prefix(&altered, &public),
            digest_of(&signed)
        )
    );

    // A digest the registry does not have.
    let unknown = format!("{repo_ref}@sha256:{}", "0".repeat(64));
    let (_, manifest) = manifest_with(&[("logger", &unknown, &public)]);
    assert_eq!(
        refusal(&manifest, &store),
        format!(
            "{}{unknown}: the registry has no such manifest",
            prefix(&unknown, &public)
        )
    );

    // A layer that is not a component: a core module pushed as a wasm artifact, as
    // oci-wasm does for wasip1 modules.
    let module_ref = format!("{}/fusebox/module:0.1.0", registry.addr);
    let module = push_core_module(&module_ref);
    ok(&["sign", &module, "--key", &private]);
    let (_, manifest) = manifest_with(&[("logger", &module, &public)]);
    assert_eq!(
        refusal(&manifest, &store),
        format!(
            "{}{module}: its application/wasm layer is not a WebAssembly component: it is a core \
             module: {}",
            prefix(&module, &public),
            fusebox_registry::CORE_MODULE_ADVICE
        )
    );

    // A registry that serves other bytes than the digest names: the logger's manifest
    // blob overwritten in the registry's storage with the altered one.
    std::fs::copy(
        registry.blob_file(digest_of(&altered)),
        registry.blob_file(digest_of(&signed)),
    )
    .unwrap();
    let (_, manifest) = manifest_with(&[("logger", &signed, &public)]);
    let error = refusal(&manifest, &store);
    assert_eq!(
        error,
        format!(
            "{}{signed}: the registry returned a manifest whose digest is {}, not the {} asked \
             for; refusing it",
            prefix(&signed, &public),
            digest_of(&altered),
            digest_of(&signed)
        )
    );
    let out = dir.path().join("never.wasm");
    let error = refused(&["pull", &signed, "-o", out.to_str().unwrap()]);
    assert!(
        error.contains(digest_of(&signed)) && error.contains(digest_of(&altered)),
        "{error}"
    );
    assert!(!out.exists(), "a refused pull writes nothing");

    // A registry that is down.
    let addr = registry.addr.clone();
    drop(registry);
    let gone = format!("{addr}/fusebox/logger@{}", digest_of(&signed));
    let (_, manifest) = manifest_with(&[("logger", &gone, &public)]);
    assert_eq!(
        refusal(&manifest, &store),
        format!(
            "{}cannot reach the registry {addr}: Connection refused (os error 111)",
            prefix(&gone, &public)
        )
    );
    assert!(!store.exists(), "nothing refused reached the store");
}

#[test]
fn manifest_sources_from_a_registry_are_pinned_and_signed() {
    let text = fusebox_tests::manifest_text();
    let at = source_line(&text, "logger");
    let error = |source: &str| {
        Manifest::parse(
            &swap_source(&text, "logger", source),
            "fusebox.toml",
            repo(),
        )
        .err()
        .unwrap()
        .to_string()
    };
    assert!(
        error(r#"{ oci = "127.0.0.1:5000/fusebox/logger:0.1.0", key = "k.pub" }"#).contains(
            &format!(
                "{at}: [components.logger] source: `127.0.0.1:5000/fusebox/logger:0.1.0` names \
                 no digest: pin it as `127.0.0.1:5000/fusebox/logger:0.1.0@sha256:<digest>`"
            )
        )
    );
    let digest = format!("sha256:{}", "a".repeat(64));
    assert!(
        error(&format!(
            r#"{{ oci = "127.0.0.1:5000/fusebox/logger@{digest}" }}"#
        ))
        .contains(&format!(
            "{at}: [components.logger] source: an `oci` source needs `key`"
        ))
    );
    assert!(
        error(r#"{ crate = "logger", key = "k.pub" }"#).contains(&format!(
            "{at}: [components.logger] source: `key` goes with `oci` only"
        ))
    );
}

fn skopeo(args: &[&str]) {
    let out = Command::new("skopeo")
        .args(args)
        .output()
        .expect("run skopeo (scripts/ensure-registry.sh installs it)");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Push a core wasm module as a wasm OCI artifact with oci-wasm, as a wasip1 publisher
/// would, and return it pinned.
fn push_core_module(reference: &str) -> String {
    let module = wat_module();
    let (config, layer) = oci_wasm::WasmConfig::from_raw_module(module, None).unwrap();
    let reference: oci_client::Reference = reference.parse().unwrap();
    let client =
        oci_wasm::WasmClient::new(oci_client::Client::new(oci_client::client::ClientConfig {
            protocol: oci_client::client::ClientProtocol::Http,
            ..Default::default()
        }));
    let auth = oci_client::secrets::RegistryAuth::Anonymous;
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        client
            .push(&reference, &auth, layer, config, None)
            .await
            .unwrap();
        let digest = client
            .fetch_manifest_digest(&reference, &auth)
            .await
            .unwrap();
        format!(
            "{}/{}@{digest}",
            reference.registry(),
            reference.repository()
        )
    })
}

/// The smallest core module: the magic number and version 1.
fn wat_module() -> Vec<u8> {
    b"\0asm\x01\0\0\0".to_vec()
}
