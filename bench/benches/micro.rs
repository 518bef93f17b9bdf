//! The micro figures, with criterion. Each group puts the fused case beside its baselines
//! in one run:
//!
//! - `cold_start`: a fresh instance of the fused artifact answering `GET /healthz` through
//!   the host's runtime (pre-instantiated, pooling allocator), against a fork/exec of a
//!   native binary with the same handler logic, and against that binary in fresh Linux
//!   namespaces (`unshare`: the least a container runtime does).
//! - `cross_call`: `math.add` and `process-sequence` on 1,000 values, called across the
//!   fused boundary inside one instance, natively, and over loopback HTTP.
//!
//! Every timed iteration is also recorded (`fusebox_bench::record`) so that the report can
//! give medians and p99s. Needs `make compose` and the bench driver built (`make bench`
//! does both). `FUSEBOX_BENCH_QUICK=1` runs the same code for less time.

use bytes::Bytes;
use criterion::Criterion;
use fusebox_bench::native::math;
use fusebox_bench::{fused, mesh, quick, record, root};
use fusebox_runtime::runtime::{Limits, Runtime, RuntimeConfig};
use http_body_util::{BodyExt, Empty};
use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

/// Calls per timed iteration of the `add` loops, so the clock's own cost disappears.
const ADD_CALLS: u32 = 1_000;
/// Calls per timed iteration of the sequence loops.
const SEQUENCE_CALLS: u32 = 10;
/// The list length for `process-sequence`.
const SEQUENCE_LEN: u32 = 1_000;

/// Time `op` once per criterion iteration, keep every sample, and save them as `name`
/// (each sample covering `per` operations).
fn timed(c: &mut Criterion, name: &str, per: u32, mut op: impl FnMut()) {
    let mut samples = Vec::new();
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                op();
                let elapsed = started.elapsed();
                samples.push(elapsed);
                total += elapsed;
            }
            total
        })
    });
    if samples.is_empty() {
        return; // filtered out on the command line: keep the last run's record
    }
    let latencies = record::save(name, &samples, per);
    eprintln!(
        "{name}: median {:.1} ns, p99 {:.1} ns per operation ({} samples)",
        latencies.median_ns, latencies.p99_ns, latencies.count
    );
}

fn cold_start(c: &mut Criterion) {
    let artifact = std::fs::read(root().join("target/fusebox/service.wasm"))
        .expect("run `make compose` first: target/fusebox/service.wasm");
    let config = RuntimeConfig {
        limits: Limits::default(),
        config: vec![(
            auth_token::KEY_CONFIG.into(),
            "benchmark-key-0123456789abcdef-0123".into(),
        )],
        ..RuntimeConfig::default()
    };
    let runtime = Runtime::new(&artifact, config).expect("load the artifact");
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    timed(c, "cold_start/fused-instance", 1, || {
        let request = hyper::Request::get("/healthz")
            .header("host", "localhost")
            .body(Empty::<Bytes>::new())
            .unwrap();
        // Timed until the instance is torn down, which `fusebox serve` does once the
        // response is written: a start-up's whole cost, not only its answer.
        let body = tokio.block_on(async {
            let served = runtime.handle(request).await;
            assert_eq!(served.response.status(), 200);
            let body = served.response.into_body().collect().await.unwrap();
            served.teardown.finished().await;
            body.to_bytes()
        });
        assert_eq!(&body[..], br#"{"status":"ok"}"#);
    });

    let native = env!("CARGO_BIN_EXE_native-health");
    let check = |output: std::process::Output| {
        assert!(output.status.success(), "{output:?}");
        assert_eq!(output.stdout, b"{\"status\":\"ok\"}\n");
    };
    timed(c, "cold_start/process-spawn", 1, || {
        check(Command::new(native).output().expect("spawn native-health"));
    });
    let unshare = || {
        let mut command = Command::new("unshare");
        command
            .args([
                "--user",
                "--map-root-user",
                "--pid",
                "--fork",
                "--mount-proc",
            ])
            .args(["--net", "--uts", "--ipc"])
            .arg(native);
        command
    };
    // Some machines forbid unprivileged user namespaces: then there is no such baseline,
    // and the report says so instead of failing.
    match unshare().output() {
        Ok(output) if output.status.success() => {
            timed(c, "cold_start/unshare-namespaces", 1, || {
                check(unshare().output().expect("run unshare"));
            });
        }
        other => eprintln!("cold_start/unshare-namespaces: skipped, unshare failed: {other:?}"),
    }
}

fn cross_call(c: &mut Criterion) {
    let components = root().join("target/guests/wasm32-wasip2/component");
    let bytes = fused::compose(&components).expect("fuse the bench driver");
    let mut driver = fused::Driver::new(&bytes).expect("instantiate the bench artifact");
    let mesh = mesh::start();
    let mut client = mesh::MeshClient::connect(mesh);

    // Every path must compute the same thing.
    let expected: u32 = (0..ADD_CALLS).map(|i| 7 + i).fold(0, u32::wrapping_add);
    assert_eq!(driver.add_loop(ADD_CALLS, 7), expected);
    assert_eq!(
        &client.call("/add", Bytes::from_static(br#"{"a":7,"b":35}"#))[..],
        br#"{"result":42}"#
    );

    timed(c, "cross_call/add-fused", ADD_CALLS, || {
        black_box(driver.add_loop(ADD_CALLS, 7));
    });
    timed(c, "cross_call/add-native", ADD_CALLS, || {
        let mut sum = 0u32;
        for i in 0..ADD_CALLS {
            sum = sum.wrapping_add(math::add(black_box(7), black_box(i)).unwrap_or(0));
        }
        black_box(sum);
    });
    timed(c, "cross_call/add-loopback-http", 1, || {
        black_box(client.call("/add", Bytes::from_static(br#"{"a":7,"b":35}"#)));
    });

    let input: Vec<u32> = (0..SEQUENCE_LEN).rev().map(|i| i / 2).collect();
    let json = Bytes::from(serde_json::json!({ "values": input }).to_string());
    assert_eq!(driver.sequence_loop(1, SEQUENCE_LEN), SEQUENCE_LEN / 2);
    timed(c, "cross_call/sequence-fused", SEQUENCE_CALLS, || {
        black_box(driver.sequence_loop(SEQUENCE_CALLS, SEQUENCE_LEN));
    });
    timed(c, "cross_call/sequence-native", SEQUENCE_CALLS, || {
        for _ in 0..SEQUENCE_CALLS {
            black_box(math::process_sequence(black_box(input.clone())));
        }
    });
    timed(c, "cross_call/sequence-loopback-http", 1, || {
        black_box(client.call("/sequence", json.clone()));
    });
}

fn main() {
    // As `fusebox serve` does (see `fusebox_runtime::quiet_library_backtraces`).
    // SAFETY: nothing has started a thread yet.
    unsafe { fusebox_runtime::quiet_library_backtraces() };
    let (warm_up, measurement, samples) = match quick() {
        true => (Duration::from_millis(300), Duration::from_secs(1), 10),
        false => (Duration::from_secs(1), Duration::from_secs(4), 50),
    };
    let mut c = Criterion::default()
        .warm_up_time(warm_up)
        .measurement_time(measurement)
        .sample_size(samples)
        .configure_from_args();
    cold_start(&mut c);
    cross_call(&mut c);
    c.final_summary();
}
