//! The hostile corpus (`fusebox_tests::hostile`): at least 200 requests an attacker
//! controls, every one answered with its exact 4xx and a JSON error body, with no trap,
//! no 5xx and no hang. Once in-process through the host's runtime, once over real
//! sockets through `fusebox serve`'s server; each against the WASI 0.2 artifact and the
//! WASI 0.3 one, where auth is middleware in front of the service.

use fusebox_runtime::runtime::Outcome;
use fusebox_tests::hostile::{self, HostHeader, Hostile};
use fusebox_tests::{Artifact, TEST_KEY, TestHost, TestServer, test_limits, token};
use std::time::{Duration, Instant};

/// No request may take longer than this, even one whose body never ends.
const PER_REQUEST: Duration = Duration::from_secs(10);

fn corpus() -> Vec<Hostile> {
    let calc = token("mallory", &["calc"], 3600, TEST_KEY);
    let read = token("mallory", &["read"], 3600, TEST_KEY);
    hostile::requests(TEST_KEY, &calc, &read)
}

#[test]
fn the_corpus_is_large_and_covers_every_kind_of_hostility() {
    let corpus = corpus();
    let tokens = hostile::tokens(TEST_KEY).len();
    eprintln!("{} hostile requests, {tokens} of them tokens", corpus.len());
    assert!(corpus.len() >= 200, "only {} requests", corpus.len());
    assert!(tokens >= 40);
    for status in [400, 401, 403, 404, 405, 413, 415, 422] {
        assert!(
            corpus.iter().any(|r| r.expect == status),
            "nothing expects {status}"
        );
    }
    for kind in [hostile::Body::Endless, hostile::Body::Chunked(Vec::new())] {
        assert!(
            corpus
                .iter()
                .any(|r| std::mem::discriminant(&r.body) == std::mem::discriminant(&kind)),
            "no {kind:?} body"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_request_gets_its_4xx_in_process() {
    in_process(Artifact::Rust).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_request_gets_its_4xx_in_process_on_wasi_0_3() {
    in_process(Artifact::P3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_request_gets_its_4xx_over_http() {
    over_http(Artifact::Rust).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_request_gets_its_4xx_over_http_on_wasi_0_3() {
    over_http(Artifact::P3).await;
}

async fn in_process(artifact: Artifact) {
    let host = TestHost::shared_for(artifact);
    let mut failures = Vec::new();
    let corpus = corpus();
    for request in &corpus {
        let started = Instant::now();
        let reply = tokio::time::timeout(PER_REQUEST, host.send(request.to_request()))
            .await
            .unwrap_or_else(|_| panic!("{}: no answer within {PER_REQUEST:?}", request.name));
        // What the host cannot make a wasi:http request of, it refuses itself, without
        // an instance; everything else reaches the guest, or is refused for its size.
        let by_the_host = request.host != HostHeader::Usual || request.path.contains("://");
        let expected = match &reply.outcome {
            Outcome::Malformed(_) => by_the_host,
            Outcome::Answered | Outcome::TooLarge => !by_the_host,
            _ => false,
        };
        if !expected {
            failures.push(format!("{}: {:?}", request.name, reply.outcome));
        }
        let content_type = reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        if let Err(failure) = hostile::check_reply(request, reply.status, content_type, &reply.body)
        {
            failures.push(failure);
        }
        assert!(started.elapsed() < PER_REQUEST);
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were mishandled ({artifact:?}):\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
}

async fn over_http(artifact: Artifact) {
    let server = TestServer::for_artifact(artifact, test_limits()).await;
    let addr = server.addr;
    let corpus = corpus();
    let total = corpus.len();
    let failures = tokio::task::spawn_blocking(move || {
        let mut failures = Vec::new();
        for request in &corpus {
            match hostile::send_raw(addr, request, PER_REQUEST) {
                Ok(reply) => {
                    if let Err(failure) = hostile::check_reply(
                        request,
                        reply.status,
                        reply.content_type.as_deref(),
                        &reply.body,
                    ) {
                        failures.push(failure);
                    }
                }
                Err(error) => failures.push(format!("{}: {error}", request.name)),
            }
        }
        failures
    })
    .await
    .unwrap();
    assert!(
        failures.is_empty(),
        "{} of {total} hostile requests were mishandled over HTTP ({artifact:?}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // And the server still serves.
    let (status, _) = server.call("GET", "/healthz", None, None).await;
    assert_eq!(status, 200);
}
