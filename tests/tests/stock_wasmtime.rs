//! Every composition on stock `wasmtime serve -Sconfig`, driven with real requests: the
//! artifacts, WASI 0.2 and 0.3 alike, need nothing from fusebox's own host.
//!
//! wasmtime-cli takes minutes to install, so this test is `#[ignore]`d in `make test`.
//! `make stock-wasmtime` installs wasmtime-cli 48.0.8 when it is missing and runs it.

use fusebox_tests::{Artifact, TEST_KEY, call, token};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `wasmtime serve` process, killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `value` as one `-Sconfig-var` can carry it: wasmtime splits `-S` on commas, so the
/// middleware's policy goes without its comments, one rule after another.
fn one_line(value: &str) -> String {
    let rules: Vec<&str> = value
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .collect();
    let line = rules.join("; ");
    assert!(
        !line.contains(','),
        "a -S value cannot hold a comma: {line}"
    );
    line
}

/// Serve `artifact` with stock `wasmtime serve` on a free loopback port.
fn wasmtime_serve(artifact: Artifact) -> (Served, SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service.wasm");
    std::fs::write(&path, artifact.bytes()).unwrap();
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut command = Command::new("wasmtime");
    command.arg("serve").arg("-Sconfig");
    for (key, value) in artifact.config() {
        command.arg(format!("-Sconfig-var={key}={}", one_line(&value)));
    }
    let child = command
        .arg(format!("--addr={addr}"))
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("wasmtime-cli is installed (make stock-wasmtime installs it)");
    let served = Served(child);
    // A large artifact compiles for seconds before the port opens.
    let started = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "wasmtime serve did not listen on {addr}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (served, addr, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs wasmtime-cli: run `make stock-wasmtime`"]
async fn every_artifact_answers_the_api_on_stock_wasmtime_serve() {
    let calc = token("alice", &["calc"], 3600, TEST_KEY);
    for artifact in [Artifact::Rust, Artifact::Polyglot, Artifact::P3] {
        let (_served, addr, _dir) = wasmtime_serve(artifact);
        for (method, path, token, body, status, expected) in [
            ("GET", "/healthz", None, None, 200, r#"{"status":"ok"}"#),
            (
                "POST",
                "/v1/add",
                Some(&calc),
                Some(r#"{"a":40,"b":2}"#),
                200,
                r#"{"result":42}"#,
            ),
            (
                "POST",
                "/v1/sequence",
                Some(&calc),
                Some(r#"{"values":[3,1,3,2]}"#),
                200,
                r#"{"result":[1,2,3]}"#,
            ),
            (
                "POST",
                "/v1/multiply",
                Some(&calc),
                Some(r#"{"a":65536,"b":65536}"#),
                422,
                r#""overflow""#,
            ),
            (
                "POST",
                "/v1/divide",
                Some(&calc),
                Some(r#"{"a":1,"b":0}"#),
                422,
                r#""division-by-zero""#,
            ),
            (
                "POST",
                "/v1/add",
                None,
                Some(r#"{"a":1,"b":2}"#),
                401,
                r#""missing-token""#,
            ),
            (
                "GET",
                "/v1/whoami",
                Some(&calc),
                None,
                200,
                r#""subject":"alice""#,
            ),
        ] {
            let (got, json) = call(addr, method, path, token.map(|t| t.as_str()), body).await;
            assert_eq!(got, status, "{artifact:?} {method} {path}: {json}");
            assert!(
                json.to_string().contains(expected),
                "{artifact:?} {method} {path}: {json} lacks {expected}"
            );
        }
    }
}
