//! Where one request's time goes: the host's own phase timers ([`Phases`]), read off the
//! real code path for `GET /healthz` and an authenticated `POST /v1/add`, and the same
//! requests over loopback HTTP through `fusebox serve`.

use super::{Bench, KEY, artifact, process};
use crate::results::{ArtifactShape, Breakdown, INTERLEAVED_ROUNDS, PhaseMedians, RouteBreakdown};
use anyhow::{Context as _, bail};
use fusebox_runtime::runtime::{Phases, Runtime, RuntimeConfig};
use http_body_util::{BodyExt as _, Full};
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which tokio runtime drives the requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Threads {
    /// A worker per core, tokio's default runtime: tasks may move between cores.
    Workers,
    /// One thread: every request starts and ends on the same core, as on each of
    /// `fusebox serve`'s threads (one current-thread runtime per core).
    One,
}

/// A request, and the answer it must get.
struct Route {
    method: &'static str,
    path: &'static str,
    body: &'static str,
    expect: &'static str,
}

const HEALTHZ: Route = Route {
    method: "GET",
    path: "/healthz",
    body: "",
    expect: r#"{"status":"ok"}"#,
};

const ADD: Route = Route {
    method: "POST",
    path: "/v1/add",
    body: r#"{"a":40,"b":2}"#,
    expect: r#"{"result":42}"#,
};

/// Measure both routes in-process, two ways, and over loopback HTTP.
pub fn measure(bench: &Bench) -> anyhow::Result<Breakdown> {
    let requests = if bench.quick { 2_000 } else { 20_000 };
    let runtime = Arc::new(runtime(&std::fs::read(artifact())?)?);
    let token = bench.token("bench")?;
    let addr = "127.0.0.1:18185";
    let serve = bench.fusebox_serve(None, &artifact(), addr);
    let _server = process::start("fusebox serve", serve, addr, Duration::from_secs(60))?;
    let healthz = RouteBreakdown {
        workers: in_process(&runtime, &HEALTHZ, &token, requests, Threads::Workers)?,
        one_thread: in_process(&runtime, &HEALTHZ, &token, requests, Threads::One)?,
        http_ns: over_http(addr, &HEALTHZ, &token, requests)?,
    };
    eprintln!("bench: breakdown of /healthz: {healthz:?}");
    // `POST /v1/add` on one thread three ways: 0.2 with component-model concurrency off
    // (fusebox's), on (wasmtime's default), and the 0.3 artifact. They are compared with
    // each other, so they run interleaved, a sixteenth of the requests at a time, and a
    // slow moment of the machine falls on all three rather than on one.
    let with_concurrency = Arc::new(runtime_with(&std::fs::read(artifact())?, true)?);
    let p3 = Arc::new(runtime_p3()?);
    let [off, on, add_p3] =
        interleaved([&runtime, &with_concurrency, &p3], &ADD, &token, requests)?;
    let add = RouteBreakdown {
        workers: in_process(&runtime, &ADD, &token, requests, Threads::Workers)?,
        one_thread: off,
        http_ns: over_http(addr, &ADD, &token, requests)?,
    };
    eprintln!("bench: breakdown of /v1/add: {add:?}");
    eprintln!("bench: /v1/add with component-model concurrency on: {on:?}");
    eprintln!("bench: /v1/add on WASI 0.3: {add_p3:?}");
    Ok(Breakdown {
        requests,
        healthz,
        add,
        add_with_concurrency: Some(on),
        add_p3: Some(add_p3),
        interleaved_rounds: Some(INTERLEAVED_ROUNDS),
        shape: Some(shape(&std::fs::read(artifact())?)?),
        profile: match bench.quick {
            true => None,
            false => super::profile::measure(bench)?,
        },
    })
}

/// Count the core instances, core modules and components in `artifact`, at every depth.
fn shape(artifact: &[u8]) -> anyhow::Result<ArtifactShape> {
    let mut shape = ArtifactShape {
        core_instances: 0,
        core_modules: 0,
        components: 0,
    };
    for payload in wasmparser::Parser::new(0).parse_all(artifact) {
        match payload? {
            wasmparser::Payload::InstanceSection(instances) => {
                shape.core_instances += instances.count();
            }
            wasmparser::Payload::ModuleSection { .. } => shape.core_modules += 1,
            wasmparser::Payload::ComponentSection { .. } => shape.components += 1,
            _ => {}
        }
    }
    Ok(shape)
}

/// `route` on one thread against each runtime, in [`INTERLEAVED_ROUNDS`] rounds of
/// `n / INTERLEAVED_ROUNDS` requests, the runtimes taking turns within each round, the
/// first one turning from round to round; the medians over all rounds, per runtime.
fn interleaved<const N: usize>(
    runtimes: [&Arc<Runtime>; N],
    route: &Route,
    token: &str,
    n: usize,
) -> anyhow::Result<[PhaseMedians; N]> {
    const ROUNDS: usize = INTERLEAVED_ROUNDS;
    anyhow::ensure!(
        n >= ROUNDS * 10,
        "{n} requests are too few for {ROUNDS} rounds of at least 10"
    );
    let mut samples: [Vec<Sample>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..ROUNDS {
        for turn in 0..N {
            let which = (round + turn) % N;
            let requests = timed(runtimes[which], route, token, n / ROUNDS, Threads::One)?;
            samples[which].extend(requests);
        }
    }
    Ok(samples.map(|samples| medians(&samples)))
}

/// Authenticated `POST /v1/add` in-process on one thread, as each `fusebox serve` thread
/// runs it, against two artifacts side by side (`n` requests each, interleaved in
/// rounds): the medians of each.
pub fn add_side_by_side(
    bench: &Bench,
    artifacts: [&[u8]; 2],
    n: usize,
) -> anyhow::Result<[PhaseMedians; 2]> {
    let [a, b] = artifacts;
    let (a, b) = (Arc::new(runtime(a)?), Arc::new(runtime(b)?));
    interleaved([&a, &b], &ADD, &bench.token("bench")?, n)
}

/// The medians of `n` authenticated `POST /v1/add` requests against `artifact`,
/// in-process with a worker per core: how fast a build variant is.
pub fn add_in_process(bench: &Bench, artifact: &[u8], n: usize) -> anyhow::Result<PhaseMedians> {
    let runtime = Arc::new(runtime(artifact)?);
    let token = bench.token("bench")?;
    in_process(&runtime, &ADD, &token, n, Threads::Workers)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn ns(d: Duration) -> f64 {
    d.as_nanos() as f64
}

/// One timed request: the host's phases, its instance's teardown, and the whole time
/// (the teardown included).
struct Sample {
    phases: Phases,
    teardown: Duration,
    total: Duration,
}

/// In-process: `Runtime::handle` and the body collected, `n` times after a warm-up; the
/// medians.
fn in_process(
    runtime: &Arc<Runtime>,
    route: &Route,
    token: &str,
    n: usize,
    threads: Threads,
) -> anyhow::Result<PhaseMedians> {
    Ok(medians(&timed(runtime, route, token, n, threads)?))
}

/// In-process: `Runtime::handle` and the body collected, `n` times after a warm-up; every
/// sample.
fn timed(
    runtime: &Arc<Runtime>,
    route: &Route,
    token: &str,
    n: usize,
    threads: Threads,
) -> anyhow::Result<Vec<Sample>> {
    // The loop runs as a task on a worker thread, as a connection's task does in
    // `fusebox serve`, so that the guest's task is scheduled the way it is there.
    let tokio = match threads {
        Threads::Workers => tokio::runtime::Runtime::new()?,
        Threads::One => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
    };
    tokio.block_on(async {
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
                // The instance is torn down after its response is handed over; the
                // request is timed until then, so that each sample is one request's
                // whole cost on this thread.
                let started = Instant::now();
                let served = runtime.handle(request).await;
                let answer = served.response.into_body().collect().await?.to_bytes();
                let teardown = served.teardown.finished().await;
                let total = started.elapsed();
                if answer != expect.as_bytes() {
                    bail!("{path} answered {:?}", String::from_utf8_lossy(&answer));
                }
                if i >= n / 10 {
                    samples.push(Sample {
                        phases: served.phases,
                        teardown,
                        total,
                    });
                }
            }
            Ok(samples)
        })
        .await?
    })
}

/// The median of each phase over `samples`.
fn medians(samples: &[Sample]) -> PhaseMedians {
    let column = |f: &dyn Fn(&Sample) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(f).collect();
        median(&mut values)
    };
    PhaseMedians {
        admit_ns: column(&|s| ns(s.phases.admit)),
        contexts_ns: column(&|s| ns(s.phases.contexts)),
        schedule_ns: column(&|s| ns(s.phases.schedule)),
        instantiate_ns: column(&|s| ns(s.phases.instantiate)),
        guest_ns: column(&|s| ns(s.phases.guest)),
        teardown_ns: column(&|s| ns(s.teardown)),
        body_ns: column(&|s| {
            let p = &s.phases;
            ns(s.total)
                - ns(p.admit + p.contexts + p.schedule + p.instantiate + p.guest + s.teardown)
        }),
        in_process_ns: column(&|s| ns(s.total)),
    }
}

/// The host's runtime for `artifact`, with the bench key, as `fusebox serve` sets it up.
fn runtime(artifact: &[u8]) -> anyhow::Result<Runtime> {
    runtime_with(artifact, false)
}

/// The same, with component-model concurrency on or off (`RuntimeConfig::concurrency`).
fn runtime_with(artifact: &[u8], concurrency: bool) -> anyhow::Result<Runtime> {
    Ok(Runtime::new(
        artifact,
        RuntimeConfig {
            config: vec![(auth_token::KEY_CONFIG.to_owned(), KEY.to_owned())],
            concurrency: Some(concurrency),
            ..RuntimeConfig::default()
        },
    )?)
}

/// The host's runtime for the WASI 0.3 artifact (`make compose-p3`), with the bench key
/// and the middleware's policy; concurrency on, as 0.3 needs.
fn runtime_p3() -> anyhow::Result<Runtime> {
    let path = fusebox_bench::root().join("target/fusebox/service-p3.wasm");
    let artifact = std::fs::read(&path)
        .with_context(|| format!("{}: run `make compose-p3` first", path.display()))?;
    let routes = std::fs::read_to_string(fusebox_bench::root().join(super::polyglot::P3_ROUTES))?;
    Ok(Runtime::new(
        &artifact,
        RuntimeConfig {
            config: vec![
                (auth_token::KEY_CONFIG.to_owned(), KEY.to_owned()),
                ("auth.routes".to_owned(), routes),
            ],
            ..RuntimeConfig::default()
        },
    )?)
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
