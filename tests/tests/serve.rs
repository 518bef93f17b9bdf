//! The host over real HTTP: a `fusebox_host::server` on an ephemeral loopback port, a
//! hyper client, and the failure modes a production host must survive.

use fusebox_host::runtime::Limits;
use fusebox_tests::{
    TEST_KEY, TestHost, TestServer as Server, fused, misbehaving_artifact, test_limits, token,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn calc() -> String {
    token("alice", &["calc"], 3600, TEST_KEY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_and_status_over_http() {
    let server = Server::artifact(&fused().bytes, test_limits()).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_state_survives_between_requests() {
    // The misbehaving calculator's `subtract` counts its calls in a static: with a fresh
    // instance per request the count is always 1.
    let server = Server::artifact(misbehaving_artifact(), test_limits()).await;
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
    let server = Server::artifact(misbehaving_artifact(), test_limits()).await;
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
    let server = Server::artifact(misbehaving_artifact(), limits).await;
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
    let server = Server::artifact(misbehaving_artifact(), test_limits()).await;
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
    let server = Arc::new(Server::artifact(misbehaving_artifact(), limits).await);
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
        message.contains("not a wasi:http/proxy component"),
        "{message}"
    );
    assert!(message.contains("wasi:http/incoming-handler"), "{message}");
}
