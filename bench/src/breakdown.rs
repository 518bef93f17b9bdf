//! Where one request's time goes: the host's own phase timers ([`Phases`]), read off the
//! real code path for `GET /healthz` and an authenticated `POST /v1/add`, and the same
//! requests over loopback HTTP through `fusebox serve`.

use anyhow::{Context as _, bail};
use fusebox_host::runtime::{Allocator, Limits, Phases, Runtime, RuntimeConfig};
use http_body_util::{BodyExt as _, Full};
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One route's medians, in nanoseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Breakdown {
    /// Admission: the size check and the semaphore.
    pub admit: f64,
    /// WASI, HTTP and config contexts and the store.
    pub contexts: f64,
    /// tokio scheduling of the guest's task.
    pub schedule: f64,
    /// Instantiating the artifact.
    pub instantiate: f64,
    /// The handler call.
    pub guest: f64,
    /// Dropping the instance.
    pub teardown: f64,
    /// The rest of `handle`, and collecting the body.
    pub body: f64,
    /// The whole in-process request.
    pub in_process: f64,
    /// The same request over loopback HTTP (keep-alive), client included.
    pub http: f64,
}

/// Which tokio runtime drives the requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Threads {
    /// A worker per core, tokio's default runtime: tasks may move between cores.
    Workers,
    /// One thread: every request starts and ends on the same core, as on each of
    /// `fusebox serve`'s threads (one current-thread runtime per core).
    One,
}

struct Route {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: &'static str,
    expect: &'static str,
}

const ROUTES: [Route; 2] = [
    Route {
        name: "`GET /healthz`",
        method: "GET",
        path: "/healthz",
        body: "",
        expect: r#"{"status":"ok"}"#,
    },
    Route {
        name: "`POST /v1/add`, authenticated",
        method: "POST",
        path: "/v1/add",
        body: r#"{"a":40,"b":2}"#,
        expect: r#"{"result":42}"#,
    },
];

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn ns(d: Duration) -> f64 {
    d.as_nanos() as f64
}

/// In-process: `Runtime::handle` and the body collected, `n` times after a warm-up.
fn in_process(
    runtime: &Arc<Runtime>,
    route: &Route,
    token: &str,
    n: usize,
    threads: Threads,
) -> anyhow::Result<Breakdown> {
    // The loop runs as a task on a worker thread, as a connection's task does in
    // `fusebox serve`, so that the guest's task is scheduled the way it is there.
    let tokio = match threads {
        Threads::Workers => tokio::runtime::Runtime::new()?,
        Threads::One => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
    };
    let samples: Vec<(Phases, Duration)> = tokio.block_on(async {
        let runtime = runtime.clone();
        let (method, path, body, expect) = (route.method, route.path, route.body, route.expect);
        let token = token.to_owned();
        tokio::spawn(async move {
            let mut samples = Vec::with_capacity(n);
            for i in 0..n + n / 10 {
                let request = hyper::Request::builder()
                    .method(method)
                    .uri(format!("http://bench{path}"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .header("content-length", body.len())
                    .body(Full::new(bytes::Bytes::from_static(body.as_bytes())))?;
                let started = Instant::now();
                let served = runtime.handle(request).await;
                let answer = served.response.into_body().collect().await?.to_bytes();
                let took = started.elapsed();
                if answer != expect.as_bytes() {
                    bail!("{path} answered {:?}", String::from_utf8_lossy(&answer));
                }
                if i >= n / 10 {
                    samples.push((served.phases, took));
                }
            }
            Ok(samples)
        })
        .await?
    })?;
    let column = |f: &dyn Fn(&(Phases, Duration)) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(f).collect();
        median(&mut values)
    };
    Ok(Breakdown {
        admit: column(&|(p, _)| ns(p.admit)),
        contexts: column(&|(p, _)| ns(p.contexts)),
        schedule: column(&|(p, _)| ns(p.schedule)),
        instantiate: column(&|(p, _)| ns(p.instantiate)),
        guest: column(&|(p, _)| ns(p.guest)),
        teardown: column(&|(p, _)| ns(p.teardown)),
        body: column(&|(p, t)| {
            ns(*t) - ns(p.admit + p.contexts + p.schedule + p.instantiate + p.guest + p.teardown)
        }),
        in_process: column(&|(_, t)| ns(*t)),
        http: 0.0,
    })
}

/// The medians of `n` authenticated `POST /v1/add` requests against `artifact`,
/// in-process: how fast a build variant is.
pub fn add_in_process(artifact: &[u8], key: &str, n: usize) -> anyhow::Result<Breakdown> {
    let runtime = Arc::new(runtime(artifact, key)?);
    in_process(&runtime, &ROUTES[1], &token(key)?, n, Threads::Workers)
}

fn runtime(artifact: &[u8], key: &str) -> anyhow::Result<Runtime> {
    Ok(Runtime::new(
        artifact,
        RuntimeConfig {
            limits: Limits::default(),
            config: vec![(fusebox_host::AUTH_KEY_CONFIG.to_owned(), key.to_owned())],
            allocator: Allocator::Pooling,
            cache_dir: None,
        },
    )?)
}

fn token(key: &str) -> anyhow::Result<String> {
    let claims = fusebox_host::token::Claims::new("bench", &["calc"], Duration::from_secs(3600));
    fusebox_host::token::mint(&claims, key.as_bytes())
}

/// Over loopback: one keep-alive connection, one request at a time; the median round trip.
fn over_http(addr: &str, route: &Route, token: &str, n: usize) -> anyhow::Result<f64> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let request = format!(
        "{} {} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{}",
        route.method,
        route.path,
        route.body.len(),
        route.body
    );
    let mut times = Vec::with_capacity(n);
    let mut buffer = vec![0u8; 64 * 1024];
    for i in 0..n + n / 10 {
        let started = Instant::now();
        stream.write_all(request.as_bytes())?;
        // Read until the whole response (headers and content-length bytes) is in.
        let mut got = 0;
        loop {
            let read = stream.read(&mut buffer[got..])?;
            if read == 0 {
                bail!("the server closed the connection");
            }
            got += read;
            let text = &buffer[..got];
            if let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&text[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .context("a content-length")?
                    .trim()
                    .parse()?;
                if got >= end + 4 + length {
                    if &text[end + 4..end + 4 + length] != route.expect.as_bytes() {
                        bail!(
                            "{} answered {:?} over HTTP",
                            route.path,
                            String::from_utf8_lossy(text)
                        );
                    }
                    break;
                }
            }
        }
        if i >= n / 10 {
            times.push(ns(started.elapsed()));
        }
    }
    Ok(median(&mut times))
}

/// Measure both routes and write the table. Returns `/healthz` and `/v1/add` with a
/// worker per core, then both on one thread.
pub fn section(
    doc: &mut String,
    key: &str,
    quick: bool,
    serve: &std::path::Path,
) -> anyhow::Result<[Breakdown; 4]> {
    let n = if quick { 2_000 } else { 20_000 };
    let artifact = std::fs::read(crate::root().join("target/fusebox/service.wasm"))?;
    let runtime = Arc::new(runtime(&artifact, key)?);
    let token = token(key)?;

    let addr = "127.0.0.1:18185";
    let key_file = crate::root().join("target/fusebox/bench/key");
    let child = Command::new(serve)
        .arg("serve")
        .arg(crate::root().join("target/fusebox/service.wasm"))
        .arg("--key-file")
        .arg(&key_file)
        .args(["--addr", addr])
        .env("RUST_LIB_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let _guard = crate::Guard(child);
    crate::wait_for_port(addr, Duration::from_secs(60))?;

    let mut rows = [Breakdown::default(); 2];
    let mut one = [Breakdown::default(); 2];
    for ((row, single), route) in rows.iter_mut().zip(&mut one).zip(&ROUTES) {
        *row = in_process(&runtime, route, &token, n, Threads::Workers)?;
        *single = in_process(&runtime, route, &token, n, Threads::One)?;
        row.http = over_http(addr, route, &token, n)?;
        eprintln!(
            "bench: breakdown of {}: {row:?}, on one thread {single:?}",
            route.path
        );
    }

    writeln!(doc, "## 8. Where a request's time goes\n")?;
    writeln!(
        doc,
        "Each request served in a fresh instance, one at a time, {n} times after a warm-up. \
         **Method:** `fusebox_host::runtime::Runtime::handle` takes an `Instant` at each \
         step of its real code path and returns them as `Phases` with every response (a \
         few tens of nanoseconds in all); the table gives each phase's median. \"The rest\" \
         is what is left of the total per request: waking the calling task and collecting \
         the body. The last rows \
         are the same request over loopback HTTP to a release `fusebox serve` (one \
         keep-alive connection, a minimal client), in the one-thread columns because the \
         server keeps each connection on one thread, and the difference from the \
         in-process request: hyper on both ends, the loopback socket, the access log and \
         the server's task per request.\n"
    )?;
    writeln!(
        doc,
        "| phase | {0} | {0}, one thread | {1} | {1}, one thread |",
        ROUTES[0].name, ROUTES[1].name
    )?;
    writeln!(doc, "|---|---|---|---|---|")?;
    let us = |v: f64| format!("{:.1} µs", v / 1000.0);
    let share = |v: f64, total: f64| format!("{} ({:.0}%)", us(v), 100.0 * v / total);
    type Field = fn(&Breakdown) -> f64;
    let phases: [(&str, Field); 7] = [
        ("admission: size check, semaphore", |b| b.admit),
        ("contexts: WASI, HTTP, config, store, limits", |b| {
            b.contexts
        }),
        ("scheduling: tokio spawn until the task runs", |b| {
            b.schedule
        }),
        ("instantiation: 12 core modules, 4 components", |b| {
            b.instantiate
        }),
        ("guest: every component, ABI crossings, host calls", |b| {
            b.guest
        }),
        ("teardown: dropping the instance, resetting slots", |b| {
            b.teardown
        }),
        ("body: the rest, collecting the body", |b| b.body),
    ];
    for (name, field) in phases {
        writeln!(
            doc,
            "| {name} | {} | {} | {} | {} |",
            share(field(&rows[0]), rows[0].in_process),
            share(field(&one[0]), one[0].in_process),
            share(field(&rows[1]), rows[1].in_process),
            share(field(&one[1]), one[1].in_process)
        )?;
    }
    writeln!(
        doc,
        "| **in-process total** | **{}** | **{}** | **{}** | **{}** |",
        us(rows[0].in_process),
        us(one[0].in_process),
        us(rows[1].in_process),
        us(one[1].in_process)
    )?;
    writeln!(
        doc,
        "| host I/O: hyper, loopback, access log, client | | {} | | {} |",
        us(rows[0].http - one[0].in_process),
        us(rows[1].http - one[1].in_process)
    )?;
    // `fusebox serve` keeps each connection on one thread, so its HTTP figures sit in
    // the one-thread columns.
    writeln!(
        doc,
        "| **over loopback HTTP** (`fusebox serve`) | | **{}** | | **{}** |\n",
        us(rows[0].http),
        us(rows[1].http)
    )?;
    writeln!(
        doc,
        "Medians do not add up exactly to the total's median. The guest row holds every \
         component's code together: what `/v1/add` adds over `/healthz` ({}) is the JWT \
         check in `auth` (HMAC-SHA256 and JSON), the call into `calculator`, the log line \
         through `logger` and the JSON in `http-handler`; a single fused call costs tens \
         of nanoseconds (section 2), so the crossings themselves are a small part of it.\n",
        us(rows[1].guest - rows[0].guest)
    )?;
    writeln!(
        doc,
        "**One thread against a worker per core.** The \"one thread\" columns serve the \
         same requests on a current-thread tokio runtime, side by side in this run. \
         Instantiation and the guest call are about twice as fast there, and the whole \
         request takes {} against {} for `/v1/add`: with a worker per core, the response wakes the calling task on \
         whichever worker is idle, so consecutive requests alternate between the two cores, \
         and each instantiation, guest call and teardown starts with caches that hold the \
         previous request's slot on the other core. This is why `fusebox serve` runs one \
         current-thread runtime per core, each accepting on the shared socket \
         (`server::serve_per_core`): a connection, its requests and their instances stay \
         on the thread that accepted it, so the \"one thread\" columns are its cost.\n",
        us(one[1].in_process),
        us(rows[1].in_process)
    )?;
    Ok([rows[0], rows[1], one[0], one[1]])
}
