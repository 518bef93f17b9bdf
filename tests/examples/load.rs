//! A bounded load run against a running `fusebox serve`, on loopback only.
//!
//! ```text
//! cargo run --release -p fusebox-tests --example load -- --addr 127.0.0.1:8080 --pid <server pid>
//! ```
//!
//! Keeps `--connections` keep-alive connections busy for `--seconds` with a mix of
//! requests (health, add, sequence, a 422 and a 401), checks every answer, samples the
//! server's RSS from /proc, and prints a table. It exits non-zero on any wrong answer,
//! any transport error, or RSS growth over 10% after warm-up.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Args {
    addr: String,
    pid: Option<u32>,
    seconds: u64,
    connections: usize,
    key: String,
}

fn args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:8080".into(),
        pid: None,
        seconds: 30,
        connections: 16,
        key: std::env::var("FUSEBOX_HS256_KEY").unwrap_or_default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--pid" => args.pid = Some(value.parse().expect("--pid is a number")),
            "--seconds" => args.seconds = value.parse().expect("--seconds is a number"),
            "--connections" => args.connections = value.parse().expect("--connections is a number"),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(args.seconds <= 60, "load runs are bounded to 60 s");
    assert!(
        args.addr.starts_with("127.")
            || args.addr.starts_with("localhost")
            || args.addr.starts_with("[::1]"),
        "load runs target loopback only"
    );
    assert!(
        !args.key.is_empty(),
        "set FUSEBOX_HS256_KEY to the server's key"
    );
    args
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Poll `/healthz` until the server answers (it compiles the artifact at start-up).
async fn wait_until_ready(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    addr: &str,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let uri: hyper::Uri = format!("http://{addr}/healthz").parse().unwrap();
        if client.get(uri).await.is_ok_and(|r| r.status() == 200) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server at {addr} never became ready"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One kind of request and the answer it must get.
struct Probe {
    method: &'static str,
    path: &'static str,
    token: bool,
    body: &'static str,
    status: u16,
    expect: &'static str,
}

const PROBES: &[Probe] = &[
    Probe {
        method: "GET",
        path: "/healthz",
        token: false,
        body: "",
        status: 200,
        expect: r#"{"status":"ok"}"#,
    },
    Probe {
        method: "POST",
        path: "/v1/add",
        token: true,
        body: r#"{"a":40,"b":2}"#,
        status: 200,
        expect: r#"{"result":42}"#,
    },
    Probe {
        method: "POST",
        path: "/v1/sequence",
        token: true,
        body: r#"{"values":[5,3,5,1]}"#,
        status: 200,
        expect: r#"{"result":[1,3,5]}"#,
    },
    Probe {
        method: "POST",
        path: "/v1/divide",
        token: true,
        body: r#"{"a":1,"b":0}"#,
        status: 422,
        expect: "division-by-zero",
    },
    Probe {
        method: "GET",
        path: "/v1/whoami",
        token: false,
        body: "",
        status: 401,
        expect: "missing-token",
    },
];

#[tokio::main]
async fn main() {
    let args = args();
    let token = {
        let claims = fusebox_host::token::Claims::new("load", &["calc"], Duration::from_secs(3600));
        fusebox_host::token::mint(&claims, args.key.as_bytes()).expect("mint a token")
    };
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    wait_until_ready(&client, &args.addr).await;
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    let mut workers = Vec::new();
    for worker in 0..args.connections {
        let (client, stop, token, addr) = (
            client.clone(),
            stop.clone(),
            token.clone(),
            args.addr.clone(),
        );
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut wrong, mut errors) = (Vec::new(), 0u64, 0u64);
            let mut n = worker;
            while !stop.load(Ordering::Relaxed) {
                let probe = &PROBES[n % PROBES.len()];
                n += 1;
                let mut request = hyper::Request::builder()
                    .method(probe.method)
                    .uri(format!("http://{addr}{}", probe.path))
                    .header("content-type", "application/json");
                if probe.token {
                    request = request.header("authorization", format!("Bearer {token}"));
                }
                let request = request
                    .body(Full::new(Bytes::from_static(probe.body.as_bytes())))
                    .unwrap();
                let sent = Instant::now();
                match client.request(request).await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body = response.into_body().collect().await.map(|b| b.to_bytes());
                        latencies.push(sent.elapsed());
                        let right = status == probe.status
                            && body
                                .is_ok_and(|b| String::from_utf8_lossy(&b).contains(probe.expect));
                        wrong += u64::from(!right);
                    }
                    Err(_) => errors += 1,
                }
            }
            (latencies, wrong, errors)
        }));
    }

    // Sample RSS once a second; the first samples are warm-up (pool slots being touched).
    let mut rss = Vec::new();
    while started.elapsed() < Duration::from_secs(args.seconds) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if let Some(pid) = args.pid {
            rss.extend(rss_kib(pid));
        }
    }
    stop.store(true, Ordering::Relaxed);

    let (mut latencies, mut wrong, mut errors) = (Vec::new(), 0, 0);
    for worker in workers {
        let (l, w, e) = worker.await.unwrap();
        latencies.extend(l);
        wrong += w;
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!("| requests | req/s | p50 | p99 | wrong answers | transport errors |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} | {:.0} | {:.2} ms | {:.2} ms | {wrong} | {errors} |",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );
    let mut growth_ok = true;
    if rss.len() >= 6 {
        let warm = rss[rss.len() / 3];
        let last = *rss.last().unwrap();
        let peak = *rss.iter().max().unwrap();
        let growth = (last as f64 - warm as f64) / warm as f64 * 100.0;
        println!(
            "\nserver RSS: {} KiB after warm-up, {last} KiB at the end, {peak} KiB peak ({growth:+.1}%)",
            warm
        );
        growth_ok = growth <= 10.0;
    }
    if wrong > 0 || errors > 0 || !growth_ok || latencies.is_empty() {
        eprintln!(
            "load: FAILED (wrong answers, transport errors, no requests, or RSS grew over 10%)"
        );
        std::process::exit(1);
    }
}
