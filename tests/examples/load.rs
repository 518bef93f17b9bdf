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
//!
//! `--requests N` makes it a soak: it stops after exactly N requests, and fails if the
//! time bound ends first (requests lost). `--mix hostile` sends every fifth request from
//! the hostile corpus (`fusebox_tests::hostile`), raw, on a fresh connection, and checks
//! its exact 4xx and JSON error body. `--mix add` sends only the authenticated
//! `POST /v1/add` (verify the token, call the calculator, log), for a latency figure of one
//! route. `--json` prints the figures as one JSON object. `--timeline` adds a row per
//! second (answers, wrong answers, transport errors), which shows a server being lost
//! mid-run (`make lattice` does that to a wasmCloud host).
//!
//! After a transport error a connection waits 10 ms before its next request, as a real
//! client backs off, so a server that is gone is not hammered in a tight loop.

use bytes::Bytes;
use fusebox_tests::hostile::{self, Hostile};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    addr: String,
    pid: Option<u32>,
    seconds: u64,
    connections: usize,
    key: String,
    requests: Option<u64>,
    hostile: bool,
    only_add: bool,
    json: bool,
    timeline: bool,
}

/// The hard bound on any run.
const MAX_SECONDS: u64 = 600;

fn args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:8080".into(),
        pid: None,
        seconds: 30,
        connections: 16,
        key: std::env::var("FUSEBOX_HS256_KEY").unwrap_or_default(),
        requests: None,
        hostile: false,
        only_add: false,
        json: false,
        timeline: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--json" {
            args.json = true;
            continue;
        }
        if flag == "--timeline" {
            args.timeline = true;
            continue;
        }
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--requests" => args.requests = Some(value.parse().expect("--requests is a number")),
            "--mix" => match value.as_str() {
                "hostile" => args.hostile = true,
                "good" => args.hostile = false,
                "add" => args.only_add = true,
                other => panic!("--mix is good, hostile or add, not {other}"),
            },
            "--addr" => args.addr = value,
            "--pid" => args.pid = Some(value.parse().expect("--pid is a number")),
            "--seconds" => args.seconds = value.parse().expect("--seconds is a number"),
            "--connections" => args.connections = value.parse().expect("--connections is a number"),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        args.seconds <= MAX_SECONDS,
        "load runs are bounded to {MAX_SECONDS} s"
    );
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

/// Per-second counts of answers, wrong answers and transport errors.
struct Timeline {
    started: Instant,
    seconds: Vec<[AtomicU64; 3]>,
}

impl Timeline {
    const ANSWERED: usize = 0;
    const WRONG: usize = 1;
    const ERROR: usize = 2;

    fn new(started: Instant, seconds: u64) -> Self {
        let seconds = (0..=seconds)
            .map(|_| std::array::from_fn(|_| AtomicU64::new(0)))
            .collect();
        Timeline { started, seconds }
    }

    fn count(&self, what: usize) {
        let second = self.started.elapsed().as_secs() as usize;
        if let Some(row) = self.seconds.get(second) {
            row[what].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// `[answered, wrong, errors]` for each whole second that has passed.
    fn rows(&self) -> Vec<[u64; 3]> {
        let whole = (self.started.elapsed().as_secs() as usize).min(self.seconds.len());
        self.seconds[..whole]
            .iter()
            .map(|row| std::array::from_fn(|i| row[i].load(Ordering::Relaxed)))
            .collect()
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
        let claims = auth_token::Claims::new("load", &["calc"], Duration::from_secs(3600));
        auth_token::mint(&claims, args.key.as_bytes()).expect("mint a token")
    };
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    wait_until_ready(&client, &args.addr).await;
    let stop = Arc::new(AtomicBool::new(false));
    let issued = Arc::new(AtomicU64::new(0));
    let limit = args.requests.unwrap_or(u64::MAX);
    let hostile: Arc<Vec<Hostile>> = Arc::new(match args.hostile {
        true => {
            let mint = |scopes: &[&str]| {
                let claims = auth_token::Claims::new("soak", scopes, Duration::from_secs(3600));
                auth_token::mint(&claims, args.key.as_bytes()).expect("mint a token")
            };
            hostile::requests(&args.key, &mint(&["calc"]), &mint(&["read"]))
        }
        false => Vec::new(),
    });
    let socket: std::net::SocketAddr = args.addr.parse().expect("--addr is ip:port");
    let started = Instant::now();
    let timeline = Arc::new(Timeline::new(started, args.seconds));

    assert_eq!(PROBES[1].path, "/v1/add", "the add probe is the second");
    let probes: &'static [Probe] = match args.only_add {
        true => &PROBES[1..2],
        false => PROBES,
    };
    let mut workers = Vec::new();
    for worker in 0..args.connections {
        let (client, stop, token, addr, issued, hostile, timeline) = (
            client.clone(),
            stop.clone(),
            token.clone(),
            args.addr.clone(),
            issued.clone(),
            hostile.clone(),
            timeline.clone(),
        );
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut wrong, mut errors) = (Vec::new(), 0u64, 0u64);
            let mut failures: Vec<String> = Vec::new();
            let mut n = worker;
            while !stop.load(Ordering::Relaxed) {
                let i = issued.fetch_add(1, Ordering::Relaxed);
                if i >= limit {
                    break;
                }
                if !hostile.is_empty() && i % 5 == 4 {
                    let hostile = hostile.clone();
                    let k = (i / 5) as usize % hostile.len();
                    let sent = Instant::now();
                    let outcome = tokio::task::spawn_blocking(move || {
                        let request = &hostile[k];
                        hostile::send_raw(socket, request, Duration::from_secs(10))
                            .map_err(|e| format!("{}: {e}", request.name))
                            .map(|reply| {
                                hostile::check_reply(
                                    request,
                                    reply.status,
                                    reply.content_type.as_deref(),
                                    &reply.body,
                                )
                            })
                    })
                    .await
                    .unwrap();
                    match outcome {
                        Ok(Ok(())) => {
                            latencies.push(sent.elapsed());
                            timeline.count(Timeline::ANSWERED);
                        }
                        Ok(Err(failure)) => {
                            latencies.push(sent.elapsed());
                            wrong += 1;
                            timeline.count(Timeline::WRONG);
                            failures.push(failure);
                        }
                        Err(error) => {
                            errors += 1;
                            timeline.count(Timeline::ERROR);
                            failures.push(error);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                    continue;
                }
                let probe = &probes[n % probes.len()];
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
                        timeline.count(match right {
                            true => Timeline::ANSWERED,
                            false => Timeline::WRONG,
                        });
                        if !right {
                            failures
                                .push(format!("{} {}: status {status}", probe.method, probe.path));
                        }
                    }
                    Err(error) => {
                        errors += 1;
                        timeline.count(Timeline::ERROR);
                        failures.push(format!("{} {}: {error}", probe.method, probe.path));
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            (latencies, wrong, errors, failures)
        }));
    }

    // Sample RSS once a second; the first samples are warm-up (pool slots being touched).
    // A soak ends when its requests are done; a timed run when its time is up.
    let mut rss = Vec::new();
    while started.elapsed() < Duration::from_secs(args.seconds)
        && workers.iter().any(|w| !w.is_finished())
    {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Some(pid) = args.pid {
            rss.extend(rss_kib(pid));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let timeline = args.timeline.then(|| timeline.rows());

    let (mut latencies, mut wrong, mut errors, mut failures) = (Vec::new(), 0, 0, Vec::new());
    for worker in workers {
        let (l, w, e, f) = worker.await.unwrap();
        latencies.extend(l);
        wrong += w;
        errors += e;
        failures.extend(f);
    }
    // Every request of a soak must have been answered, and none must remain unsent.
    let answered = latencies.len() as u64 + errors;
    let lost = args.requests.map_or(0, |n| n.saturating_sub(answered));
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let rps = latencies.len() as f64 / elapsed;
    let (p50, p99) = (pct(0.50).as_secs_f64() * 1e3, pct(0.99).as_secs_f64() * 1e3);
    // RSS after warm-up (a third of the way in) against the end of the run.
    let rss_figures = (rss.len() >= 6).then(|| {
        let warm = rss[rss.len() / 3];
        let last = *rss.last().unwrap();
        let peak = *rss.iter().max().unwrap();
        (
            warm,
            last,
            peak,
            (last as f64 - warm as f64) / warm as f64 * 100.0,
        )
    });
    let growth_ok = rss_figures.is_none_or(|(.., growth)| growth <= 10.0);
    if args.json {
        let rss_json = rss_figures.map(|(warm, last, peak, growth)| {
            serde_json::json!({"warm_kib": warm, "last_kib": last, "peak_kib": peak, "growth_pct": growth})
        });
        println!(
            "{}",
            serde_json::json!({
                "requests": latencies.len(), "seconds": elapsed, "rps": rps,
                "p50_ms": p50, "p99_ms": p99, "wrong": wrong, "errors": errors,
                "lost": lost, "rss": rss_json, "timeline": timeline,
            })
        );
    } else {
        println!("| requests | req/s | p50 | p99 | wrong answers | transport errors | lost |");
        println!("|---|---|---|---|---|---|---|");
        println!(
            "| {} | {rps:.0} | {p50:.2} ms | {p99:.2} ms | {wrong} | {errors} | {lost} |",
            latencies.len(),
        );
        if let Some((warm, last, peak, growth)) = rss_figures {
            println!(
                "\nserver RSS: {warm} KiB after warm-up, {last} KiB at the end, {peak} KiB peak ({growth:+.1}%)"
            );
        }
        if let Some(rows) = &timeline {
            println!("\n| second | answered | wrong | transport errors |");
            println!("|---|---|---|---|");
            for (second, [answered, wrong, errors]) in rows.iter().enumerate() {
                println!("| {} | {answered} | {wrong} | {errors} |", second + 1);
            }
        }
    }
    for failure in failures.iter().take(10) {
        eprintln!("load: {failure}");
    }
    if wrong > 0 || errors > 0 || lost > 0 || !growth_ok || latencies.is_empty() {
        eprintln!(
            "load: FAILED (wrong answers, transport errors, lost requests, no requests, or RSS grew over 10%)"
        );
        std::process::exit(1);
    }
}
