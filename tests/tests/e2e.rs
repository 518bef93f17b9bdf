//! End to end: the fused artifact in an embedded wasmtime, driven with real HTTP
//! requests through `wasi:http/incoming-handler`. Every route, every error status, valid
//! and forged tokens, and the log lines on stderr.
//!
//! The suite runs unchanged against every composition: `rust::…` against `fusebox.toml`,
//! `polyglot::…` against `examples/polyglot/fusebox.toml`, whose calculator is Python,
//! and `p3::…` against `examples/p3/fusebox.toml`, the API on WASI 0.3 with auth as
//! middleware.

use fusebox_tests::{RequestBody, TEST_KEY, TestHost, body, token};
use hyper::Request;
use serde_json::json;

fn calc_token() -> String {
    token("alice", &["calc"], 3600, TEST_KEY)
}

fn get(path: &str, token: Option<&str>) -> Request<RequestBody> {
    let mut builder = Request::get(format!("http://fusebox.test{path}"));
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(body("")).unwrap()
}

fn post(path: &str, token: Option<&str>, json: &str) -> Request<RequestBody> {
    let mut builder = Request::post(format!("http://fusebox.test{path}"))
        .header("content-type", "application/json")
        .header("content-length", json.len());
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(body(json.to_owned())).unwrap()
}

fn error_code(reply: &fusebox_tests::Reply) -> String {
    let json = reply.json();
    assert_eq!(
        json["error"]["status"], reply.status,
        "the body repeats the status: {json}"
    );
    json["error"]["code"]
        .as_str()
        .expect("error bodies carry a code")
        .to_owned()
}

fusebox_tests::for_each_artifact! {
    async fn send(request: Request<RequestBody>) -> fusebox_tests::Reply {
        TestHost::shared_for(ARTIFACT).send(request).await
    }

    #[tokio::test]
    async fn health_needs_no_token() {
        let reply = send(get("/healthz", None)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json(), json!({"status": "ok"}));
        assert_eq!(reply.headers["content-type"], "application/json");
    }

    #[tokio::test]
    async fn arithmetic_crosses_into_the_calculator() {
        let token = calc_token();
        for (path, a, b, expected) in [
            ("/v1/add", 40, 2, 42),
            ("/v1/subtract", 50, 8, 42),
            ("/v1/multiply", 6, 7, 42),
            ("/v1/divide", 85, 2, 42),
        ] {
            let reply = send(post(path, Some(&token), &format!(r#"{{"a":{a},"b":{b}}}"#))).await;
            assert_eq!(
                reply.status,
                200,
                "{path}: {}",
                String::from_utf8_lossy(&reply.body)
            );
            assert_eq!(reply.json(), json!({"result": expected}), "{path}");
        }
    }

    #[tokio::test]
    async fn sequence_crosses_a_list_both_ways() {
        let values: Vec<u32> = (0..1000).rev().map(|v| v % 300).collect();
        let json = serde_json::to_string(&json!({ "values": values })).unwrap();
        let reply = send(post("/v1/sequence", Some(&calc_token()), &json)).await;
        assert_eq!(reply.status, 200);
        let expected: Vec<u32> = (0..300).collect();
        assert_eq!(reply.json(), json!({ "result": expected }));
    }

    #[tokio::test]
    async fn whoami_returns_the_principal_resource_fields() {
        let token = token("bob", &["read", "calc"], 600, TEST_KEY);
        let reply = send(get("/v1/whoami", Some(&token))).await;
        assert_eq!(reply.status, 200);
        let json = reply.json();
        assert_eq!(json["subject"], "bob");
        assert_eq!(json["scopes"], json!(["read", "calc"]));
        let expires_at = json["expires_at"].as_u64().unwrap();
        assert!(
            expires_at.abs_diff(fusebox_tests::now() + 600) <= 5,
            "expires_at {expires_at}"
        );
    }

    #[tokio::test]
    async fn overflow_and_division_by_zero_are_422() {
        let token = calc_token();
        let reply = send(post("/v1/add", Some(&token), r#"{"a":4294967295,"b":1}"#)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (422, "overflow")
        );
        let reply = send(post("/v1/subtract", Some(&token), r#"{"a":1,"b":2}"#)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (422, "overflow")
        );
        let reply = send(post(
            "/v1/multiply",
            Some(&token),
            r#"{"a":65536,"b":65536}"#,
        ))
        .await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (422, "overflow")
        );
        let reply = send(post("/v1/divide", Some(&token), r#"{"a":1,"b":0}"#)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (422, "division-by-zero")
        );
    }

    #[tokio::test]
    async fn bad_json_and_wrong_shapes_are_400() {
        let token = calc_token();
        for bad in [
            "{",
            "[1,2]",
            r#"{"a":1}"#,
            r#"{"a":"1","b":2}"#,
            r#"{"a":-1,"b":2}"#,
            r#"{"a":1,"b":2,"c":3}"#,
        ] {
            let reply = send(post("/v1/add", Some(&token), bad)).await;
            assert_eq!(
                (reply.status, error_code(&reply).as_str()),
                (400, "bad-request"),
                "{bad}"
            );
        }
        let reply = send(post("/v1/sequence", Some(&token), r#"{"values":"many"}"#)).await;
        assert_eq!(reply.status, 400);
    }

    #[tokio::test]
    async fn invalid_utf8_in_a_body_is_400() {
        let request = Request::post("http://fusebox.test/v1/add")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", calc_token()))
            .body(body(&b"{\"a\":\xff,\"b\":1}"[..]))
            .unwrap();
        let reply = send(request).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (400, "bad-request")
        );
    }

    #[tokio::test]
    async fn a_missing_token_is_401() {
        let reply = send(post("/v1/add", None, r#"{"a":1,"b":2}"#)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (401, "missing-token")
        );
        assert_eq!(reply.headers["www-authenticate"], "Bearer");
    }

    #[tokio::test]
    async fn a_forged_token_is_401_and_logged_by_auth() {
        let forged = token(
            "mallory",
            &["calc"],
            3600,
            "a-different-key-of-sufficient-length!",
        );
        let reply = send(post("/v1/add", Some(&forged), r#"{"a":1,"b":2}"#)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (401, "invalid-token")
        );
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("signature")
        );
        let lines = reply.log_lines();
        let rejection = lines
            .iter()
            .find(|l| l["origin"] == "auth")
            .expect("auth logs the rejection");
        assert_eq!(rejection["level"], "warn");
        assert_eq!(rejection["fields"]["reason"], "signature does not match");
        assert!(!reply.stderr.contains(&forged), "tokens are never logged");
    }

    #[tokio::test]
    async fn expired_and_unsigned_tokens_are_401() {
        let expired = token("alice", &["calc"], -3600, TEST_KEY);
        let reply = send(get("/v1/whoami", Some(&expired))).await;
        assert_eq!(reply.status, 401);
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("expired")
        );

        // `alg: none` with no signature: the oldest trick in the book.
        let unsigned = format!(
            "{}.{}.",
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0",
            "eyJzdWIiOiJyb290IiwiZXhwIjo0MTAyNDQ0ODAwLCJzY29wZSI6ImNhbGMifQ"
        );
        let reply = send(get("/v1/whoami", Some(&unsigned))).await;
        assert_eq!(reply.status, 401);
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("only HS256")
        );
    }

    #[tokio::test]
    async fn a_missing_scope_is_403() {
        let reader = token("carol", &["read"], 3600, TEST_KEY);
        let reply = send(post("/v1/multiply", Some(&reader), r#"{"a":2,"b":3}"#)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (403, "insufficient-scope")
        );
    }

    #[tokio::test]
    async fn unknown_paths_are_404_and_wrong_methods_405() {
        let reply = send(get("/nope", None)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (404, "not-found")
        );
        let reply = send(get("/v1/%2e%2e/healthz", None)).await;
        assert_eq!(reply.status, 404);
        let reply = send(get("/v1/add", Some(&calc_token()))).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (405, "method-not-allowed")
        );
        assert_eq!(reply.headers["allow"], "POST");
        let reply = send(post("/healthz", None, "{}")).await;
        assert_eq!(reply.status, 405);
        assert_eq!(reply.headers["allow"], "GET");
    }

    #[tokio::test]
    async fn the_query_string_does_not_change_the_route() {
        let reply = send(get("/healthz?verbose=1", None)).await;
        assert_eq!(reply.status, 200);
    }

    #[tokio::test]
    async fn oversized_bodies_are_413_whether_declared_or_streamed() {
        let token = calc_token();
        let big = format!(r#"{{"values":[{}0]}}"#, "1,".repeat(40_000));
        assert!(big.len() > 64 * 1024);

        // Declared: refused from content-length before the body is read.
        let reply = send(post("/v1/sequence", Some(&token), &big)).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (413, "payload-too-large")
        );

        // Undeclared (no content-length): refused while streaming.
        let request = Request::post("http://fusebox.test/v1/sequence")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(body(big))
            .unwrap();
        let reply = send(request).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (413, "payload-too-large")
        );
    }

    #[tokio::test]
    async fn bodies_must_be_declared_json() {
        let request = Request::post("http://fusebox.test/v1/add")
            .header("content-type", "text/plain")
            .header("authorization", format!("Bearer {}", calc_token()))
            .body(body(r#"{"a":1,"b":2}"#))
            .unwrap();
        let reply = send(request).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (415, "unsupported-media-type")
        );
    }

    #[tokio::test]
    async fn every_request_is_logged_as_one_json_line() {
        let reply = send(post("/v1/divide", Some(&calc_token()), r#"{"a":1,"b":0}"#)).await;
        let lines = reply.log_lines();
        let request_line = lines
            .iter()
            .find(|l| l["origin"] == "http")
            .expect("the handler logs the request");
        assert_eq!(request_line["msg"], "request");
        assert_eq!(request_line["level"], "info");
        assert_eq!(request_line["fields"]["method"], "POST");
        assert_eq!(request_line["fields"]["path"], "/v1/divide");
        assert_eq!(request_line["fields"]["status"], "422");
        assert!(
            request_line["fields"]["duration_us"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .is_ok()
        );
        assert!(request_line["ts"].as_str().unwrap().ends_with('Z'));
        // The calculator reports its failure through the same, shared logger.
        let calc_line = lines
            .iter()
            .find(|l| l["origin"] == "calculator")
            .expect("the calculator logs");
        assert_eq!(calc_line["fields"]["error"], "division-by-zero");
    }

    /// The artifact's configuration with the key replaced by `key`, or without one.
    fn host_with_key(key: Option<&str>) -> TestHost {
        let mut config: Vec<(&str, String)> = ARTIFACT
            .config()
            .into_iter()
            .filter(|(k, _)| *k != auth_token::KEY_CONFIG)
            .collect();
        if let Some(key) = key {
            config.push((auth_token::KEY_CONFIG, key.to_owned()));
        }
        let config: Vec<(&str, &str)> = config.iter().map(|(k, v)| (*k, v.as_str())).collect();
        TestHost::new(ARTIFACT.bytes(), &config).unwrap()
    }

    #[tokio::test]
    async fn without_a_configured_key_every_token_is_refused() {
        let host = host_with_key(None);
        let reply = host.send(get("/v1/whoami", Some(&calc_token()))).await;
        assert_eq!(reply.status, 401);
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no token key")
        );
        let reply = host.send(get("/healthz", None)).await;
        assert_eq!(reply.status, 200, "health does not depend on the key");
    }

    #[tokio::test]
    async fn a_short_key_is_treated_as_no_key() {
        let host = host_with_key(Some("short"));
        let reply = host.send(get("/v1/whoami", Some(&calc_token()))).await;
        assert_eq!(reply.status, 401);
    }
}

/// The Python calculator, unchanged, in the WASI 0.3 artifact: its interface does not
/// depend on the WASI version of the service that calls it.
#[tokio::test]
async fn the_python_calculator_serves_the_wasi_0_3_artifact_unchanged() {
    let text =
        std::fs::read_to_string(fusebox_tests::repo().join("examples/p3/fusebox.toml")).unwrap();
    let crate_line = "source = { crate = \"calculator\" }";
    assert!(text.contains(crate_line));
    let python = format!(
        "source = {{ path = {:?} }}",
        fusebox_tests::components::CALCULATOR_PY
    );
    let manifest = fusebox_compose::Manifest::parse(
        &text.replace(crate_line, &python),
        "examples/p3/fusebox.toml",
        fusebox_tests::repo().join("examples/p3"),
    )
    .unwrap();
    let fused = fusebox_tests::compose(&manifest).expect("the 0.3 artifact fuses with Python");
    let config = fusebox_tests::Artifact::P3.config();
    let config: Vec<(&str, &str)> = config.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let host = TestHost::new(&fused.bytes, &config).unwrap();
    let reply = host
        .send(post("/v1/add", Some(&calc_token()), r#"{"a":40,"b":2}"#))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.json());
    assert_eq!(reply.json(), json!({"result": 42}));
    let reply = host
        .send(post("/v1/divide", Some(&calc_token()), r#"{"a":1,"b":0}"#))
        .await;
    assert_eq!(error_code(&reply), "division-by-zero");
}
