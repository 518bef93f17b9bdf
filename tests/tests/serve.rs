//! The host over real HTTP: a `fusebox_runtime::server` on an ephemeral loopback port, a
//! hyper client, and the failure modes a production host must survive.

use fusebox_runtime::runtime::Limits;
use fusebox_tests::{
    Artifact, TEST_KEY, TestHost, TestServer as Server, fused, misbehaving_artifact, test_limits,
    token,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn calc() -> String {
    token("alice", &["calc"], 3600, TEST_KEY)
}

fusebox_tests::for_each_artifact! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_route_and_status_over_http() {
        // Against every composition: `rust::`, `polyglot::` (the Python calculator) and
        // `p3::` (WASI 0.3, auth as middleware).
        let server = Server::for_artifact(ARTIFACT, test_limits()).await;
        let calc = calc();
        let reader = token("bob", &["read"], 3600, TEST_KEY);
        let forged = token(
            "mallory",
            &["calc"],
            3600,
            "not-the-key-but-long-enough-anyway!!",
        );
        // (method, path, token, JSON body, expected status)
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, u16);
        let cases: &[Case] = &[
            ("GET", "/healthz", None, None, 200),
            ("GET", "/v1/whoami", Some(&calc), None, 200),
            (
                "POST",
                "/v1/add",
                Some(&calc),
                Some(r#"{"a":1,"b":2}"#),
                200,
            ),
            (
                "POST",
                "/v1/subtract",
                Some(&calc),
                Some(r#"{"a":3,"b":2}"#),
                200,
            ),
            (
                "POST",
                "/v1/multiply",
                Some(&calc),
                Some(r#"{"a":3,"b":2}"#),
                200,
            ),
            (
                "POST",
                "/v1/divide",
                Some(&calc),
                Some(r#"{"a":6,"b":2}"#),
                200,
            ),
            (
                "POST",
                "/v1/sequence",
                Some(&calc),
                Some(r#"{"values":[2,1,2]}"#),
                200,
            ),
            ("POST", "/v1/add", Some(&calc), Some("{nope"), 400),
            ("POST", "/v1/add", None, Some(r#"{"a":1,"b":2}"#), 401),
            (
                "POST",
                "/v1/add",
                Some(&forged),
                Some(r#"{"a":1,"b":2}"#),
                401,
            ),
            (
                "POST",
                "/v1/add",
                Some(&reader),
                Some(r#"{"a":1,"b":2}"#),
                403,
            ),
            ("GET", "/nowhere", None, None, 404),
            ("DELETE", "/v1/add", Some(&calc), None, 405),
            (
                "POST",
                "/v1/add",
                Some(&calc),
                Some(&format!(
                    r#"{{"a":1,"b":2,"pad":"{}"}}"#,
                    "x".repeat(70_000)
                )),
                413,
            ),
            (
                "POST",
                "/v1/divide",
                Some(&calc),
                Some(r#"{"a":1,"b":0}"#),
                422,
            ),
        ];
        for (method, path, token, body, expected) in cases {
            let (status, json) = server.call(method, path, *token, *body).await;
            assert_eq!(status, *expected, "{method} {path}: {json}");
            if status >= 400 {
                assert_eq!(json["error"]["status"], status, "{json}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_requests_each_get_their_own_answer() {
    // Enough instances for all of them at once: this is about correctness, not refusal.
    let limits = Limits {
        max_instances: 128,
        ..test_limits()
    };
    let server = Arc::new(Server::artifact(&fused().bytes, limits).await);
    let token = Arc::new(calc());
    let mut tasks = Vec::new();
    for i in 0..64u32 {
        let (server, token) = (server.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let body = format!(r#"{{"a":{i},"b":{}}}"#, i * 1000);
            let (status, json) = server
                .call("POST", "/v1/add", Some(&token), Some(&body))
                .await;
            (i, status, json)
        }));
    }
    for task in tasks {
        let (i, status, json) = task.await.unwrap();
        assert_eq!(status, 200, "request {i}: {json}");
        assert_eq!(json["result"], i + i * 1000, "request {i}");
    }
}

/// The misbehaving calculator's tests, once per WASI version: `misbehaving_0_2::` against
/// the 0.2 artifact, `misbehaving_0_3::` against the 0.3 one (the same calculator behind the middleware and
/// the async service). The guarantees are the host's, so they must hold for both.
macro_rules! for_each_wasi {
    ($($body:tt)*) => {
        mod misbehaving_0_2 {
            use super::*;
            const WASI: Artifact = Artifact::Rust;
            $($body)*
        }
        mod misbehaving_0_3 {
            use super::*;
            const WASI: Artifact = Artifact::P3;
            $($body)*
        }
    };
}

for_each_wasi! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_state_survives_between_requests() {
        // The misbehaving calculator's `subtract` counts its calls in a static: with a fresh
        // instance per request the count is always 1.
        let server = Server::misbehaving(WASI, test_limits()).await;
        let calc = calc();
        for _ in 0..5 {
            let (status, json) = server
                .call(
                    "POST",
                    "/v1/subtract",
                    Some(&calc),
                    Some(r#"{"a":9,"b":1}"#),
                )
                .await;
            assert_eq!((status, json["result"].as_u64()), (200, Some(1)), "{json}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_guest_fails_only_its_own_request() {
        let server = Server::misbehaving(WASI, test_limits()).await;
        let calc = calc();
        let (status, json) = server
            .call("POST", "/v1/add", Some(&calc), Some(r#"{"a":1,"b":2}"#))
            .await;
        assert_eq!(
            (status, json["error"]["code"].as_str()),
            (500, Some("internal-error")),
            "{json}"
        );
        let (status, _) = server.call("GET", "/healthz", None, None).await;
        assert_eq!(status, 200, "the server keeps serving");
        let (status, json) = server
            .call("POST", "/v1/divide", Some(&calc), Some(r#"{"a":8,"b":2}"#))
            .await;
        assert_eq!((status, json["result"].as_u64()), (200, Some(4)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_endless_loop_hits_the_deadline() {
        let limits = Limits {
            deadline: Duration::from_millis(500),
            ..test_limits()
        };
        let server = Server::misbehaving(WASI, limits).await;
        let started = Instant::now();
        let (status, json) = server
            .call(
                "POST",
                "/v1/multiply",
                Some(&calc()),
                Some(r#"{"a":1,"b":2}"#),
            )
            .await;
        assert_eq!(
            (status, json["error"]["code"].as_str()),
            (504, Some("deadline-exceeded")),
            "{json}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
        let (status, _) = server.call("GET", "/healthz", None, None).await;
        assert_eq!(status, 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unbounded_allocation_hits_the_memory_limit() {
        let server = Server::misbehaving(WASI, test_limits()).await;
        let (status, json) = server
            .call(
                "POST",
                "/v1/sequence",
                Some(&calc()),
                Some(r#"{"values":[1]}"#),
            )
            .await;
        assert_eq!(
            (status, json["error"]["code"].as_str()),
            (500, Some("internal-error")),
            "{json}"
        );
        let (status, _) = server.call("GET", "/healthz", None, None).await;
        assert_eq!(status, 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_instance_limit_requests_get_503_at_once() {
        let limits = Limits {
            max_instances: 2,
            deadline: Duration::from_secs(2),
            ..test_limits()
        };
        let server = Arc::new(Server::misbehaving(WASI, limits).await);
        let token = Arc::new(calc());
        // Two spinning requests take both instances until their deadline.
        let mut spinning = Vec::new();
        for _ in 0..2 {
            let (server, token) = (server.clone(), token.clone());
            spinning.push(tokio::spawn(async move {
                server
                    .call(
                        "POST",
                        "/v1/multiply",
                        Some(&token),
                        Some(r#"{"a":1,"b":1}"#),
                    )
                    .await
                    .0
            }));
        }
        let waiting = Instant::now();
        while server.runtime.free_slots() > 0 {
            assert!(
                waiting.elapsed() < Duration::from_secs(10),
                "the spinning requests never started"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let started = Instant::now();
        let (status, json) = server.call("GET", "/healthz", None, None).await;
        assert_eq!(
            (status, json["error"]["code"].as_str()),
            (503, Some("busy")),
            "{json}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "refused at once, not queued"
        );
        for task in spinning {
            assert_eq!(task.await.unwrap(), 504);
        }
        let (status, _) = server.call("GET", "/healthz", None, None).await;
        assert_eq!(status, 200, "instances are free again");
    }
}

/// A lone instance is torn down after its response is handed over, so that the reset of
/// its slots does not delay the answer, and it holds its slot in the instance limit until
/// then. With no slot to spare, it is torn down first, so that the next request is not
/// refused while it waits.
#[tokio::test(flavor = "current_thread")]
async fn a_lone_instance_is_torn_down_after_its_response_and_keeps_its_slot_till_then() {
    for artifact in [Artifact::Rust, Artifact::P3] {
        let runtime = |max_instances| {
            let limits = Limits {
                max_instances,
                ..test_limits()
            };
            let config = artifact.config();
            let config: Vec<(&str, &str)> = config.iter().map(|(k, v)| (*k, v.as_str())).collect();
            TestHost::with_limits(artifact.bytes(), &config, limits)
                .unwrap()
                .into_runtime()
        };
        // With one slot, only a WASI 0.2 instance is gone by the time its response is
        // back: a 0.3 response head comes back while its event loop still runs to write
        // the body, whatever the teardown does.
        let one_slot = (artifact == Artifact::Rust).then(|| runtime(1));
        // On a task of its own, as a connection is served on one thread of `fusebox serve`.
        tokio::spawn(torn_down_after_the_response(runtime(2), one_slot, artifact))
            .await
            .unwrap();
    }
}

async fn torn_down_after_the_response(
    two_slots: fusebox_runtime::runtime::Runtime,
    one_slot: Option<fusebox_runtime::runtime::Runtime>,
    artifact: Artifact,
) {
    use http_body_util::{BodyExt, Empty};
    let healthz = || {
        hyper::Request::get("http://localhost/healthz")
            .body(Empty::<bytes::Bytes>::new())
            .unwrap()
    };
    let served = two_slots.handle(healthz()).await;
    assert_eq!(served.response.status(), 200, "{artifact:?}");
    assert_eq!(
        two_slots.free_slots(),
        1,
        "{artifact:?}: the instance keeps its slot until it is torn down"
    );
    let body = served.response.into_body().collect().await.unwrap();
    assert_eq!(&body.to_bytes()[..], br#"{"status":"ok"}"#, "{artifact:?}");
    let took = served.teardown.finished().await;
    assert!(
        took > Duration::ZERO,
        "{artifact:?}: the teardown was timed"
    );
    assert_eq!(
        two_slots.free_slots(),
        2,
        "{artifact:?}: and frees it when done"
    );

    // With one slot, each instance is gone by the time its response is back, so the
    // next request finds the slot free.
    let Some(one_slot) = one_slot else {
        return;
    };
    for _ in 0..3 {
        let served = one_slot.handle(healthz()).await;
        assert_eq!(
            served.response.status(),
            200,
            "{artifact:?}: {:?}",
            served.outcome
        );
        assert_eq!(
            one_slot.free_slots(),
            1,
            "{artifact:?}: torn down before the answer"
        );
        served.response.into_body().collect().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_refuses_a_body_over_its_limit_before_instantiating() {
    let limits = Limits {
        max_body_bytes: 1024,
        ..test_limits()
    };
    let server = Server::artifact(&fused().bytes, limits).await;
    let body = format!(r#"{{"values":[{}1]}}"#, "1,".repeat(1000));
    let (status, json) = server
        .call("POST", "/v1/sequence", Some(&calc()), Some(&body))
        .await;
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (413, Some("payload-too-large")),
        "{json}"
    );
}

#[test]
fn a_component_wanting_more_than_the_proxy_world_is_refused_at_start() {
    // A bare std component imports wasi:cli/environment and friends, which only the
    // composer's cli-virt answers: the host must refuse it and say which import.
    let calculator = std::fs::read(fusebox_tests::components::OVERREACHING_ENVIRONMENT).unwrap();
    let error = TestHost::new(&calculator, &[])
        .err()
        .expect("the host refuses it");
    let message = error.to_string();
    assert!(message.contains("does not grant"), "{message}");
    assert!(message.contains("wasi:cli/"), "{message}");
}

#[test]
fn a_component_that_is_not_a_proxy_is_refused_at_start() {
    // The logger imports only what the host grants, but serves no HTTP.
    let logger = std::fs::read(fusebox_tests::components::LOGGER).unwrap();
    let error = TestHost::new(&logger, &[])
        .err()
        .expect("the host refuses it");
    let message = error.to_string();
    assert!(
        message.contains("neither a wasi:http/proxy (WASI 0.2) nor a wasi:http/service"),
        "{message}"
    );
    assert!(message.contains("wasi:http/incoming-handler"), "{message}");
}

/// Send `POST path` with a body of `len` bytes the way a simple client does, the whole
/// body first and then the answer, twice on one connection; return both statuses.
fn post_then_read(addr: std::net::SocketAddr, path: &str, len: usize) -> std::io::Result<Vec<u16>> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut statuses = Vec::new();
    let mut pending = Vec::new();
    for _ in 0..2 {
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: fusebox\r\ncontent-type: application/json\r\n\
             content-length: {len}\r\n\r\n"
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(&vec![b' '; len])?;
        // Read one whole response: its head, then content-length bytes of body.
        let mut chunk = [0u8; 4096];
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            if let Ok(httparse::Status::Complete(head_len)) = response.parse(&pending) {
                let length: usize = response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| std::str::from_utf8(h.value).ok()?.parse().ok())
                    .unwrap_or(0);
                if pending.len() >= head_len + length {
                    statuses.push(response.code.unwrap_or(0));
                    pending.drain(..head_len + length);
                    break;
                }
            }
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            pending.extend_from_slice(&chunk[..n]);
        }
    }
    Ok(statuses)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sending_a_body_nobody_reads_still_reads_its_answer() {
    // The handler answers an unknown path with 404 without reading the body. The host
    // drains what it left unread (up to the body limit) instead of closing on a client
    // that is still sending, so the client reads its 404, and can even reuse the
    // connection.
    let server = Server::artifact(&fused().bytes, test_limits()).await;
    let addr = server.addr;
    for len in [64 * 1024, 512 * 1024] {
        let statuses =
            tokio::task::spawn_blocking(move || post_then_read(addr, "/no-such-route", len))
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("a {len}-byte body: {e}"));
        assert_eq!(statuses, [404, 404], "a {len}-byte body");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_half_closes_after_its_request_still_gets_the_answer() {
    // `nc -N` and some proxies shut down their sending side once the request is out.
    // hyper's default then drops a request still being served, unanswered; the host
    // answers it. A slow request (a guest looping until the deadline) makes the
    // difference visible: a fast one is answered before hyper notices the close.
    let limits = Limits {
        deadline: Duration::from_millis(300),
        ..test_limits()
    };
    let server = Server::artifact(misbehaving_artifact(), limits).await;
    let addr = server.addr;
    let body = r#"{"a":1,"b":2}"#;
    let request = format!(
        "POST /v1/multiply HTTP/1.1\r\nhost: fusebox\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        calc(),
        body.len()
    );
    let answer = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.write_all(request.as_bytes())?;
        stream.shutdown(std::net::Shutdown::Write)?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 504 Gateway Timeout\r\n"),
        "{answer:?}"
    );
}
