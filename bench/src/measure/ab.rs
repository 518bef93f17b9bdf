//! `fusebox-bench --ab BASELINE CANDIDATE [ROUNDS [ARTIFACT]] [--connections N]`: two
//! builds of `fusebox serve`, or two builds of the artifact, side by side, on the
//! authenticated `POST /v1/add` under wrk (16 connections, or N: one connection measures
//! a request's latency rather than the server's saturation), as the levers table in
//! `docs/benchmarks.md` compares them. A side that ends
//! in `.wasm` is an artifact, served by this workspace's release `fusebox`; any other is a
//! `fusebox` binary serving ARTIFACT (by default `make compose`'s artifact; name
//! `target/fusebox/service-polyglot.wasm` to compare hosts on the Python calculator).
//!
//! Each round serves with one side, then with the other, in
//! alternating order (server on core 0, wrk on core 1, as in the throughput section), so
//! that a slow moment of a shared machine falls on both. It prints each round, then the
//! medians, their spread and the ratio. When both sides are artifacts, it then times
//! them in-process on one thread too (section 8's method, what the in-process goal
//! reads), interleaved in rounds.

use super::{Bench, artifact, breakdown, process, throughput};
use std::path::Path;
use std::time::Duration;

/// Run the comparison, wrk with `connections` keep-alive connections (16 by default),
/// and print it as markdown tables.
pub fn run(
    baseline: &Path,
    candidate: &Path,
    rounds: usize,
    served: Option<&Path>,
    connections: Option<u32>,
) -> anyhow::Result<()> {
    let connections = connections.unwrap_or(throughput::WRK_CONNECTIONS);
    anyhow::ensure!(connections > 0, "--connections must be at least 1");
    anyhow::ensure!(rounds > 0, "ROUNDS must be at least 1");
    // Relative paths are the caller's: resolve them before moving to the workspace root.
    let (baseline, candidate) = (
        &std::path::absolute(baseline)?,
        &std::path::absolute(candidate)?,
    );
    let sides = [baseline.to_path_buf(), candidate.to_path_buf()];
    let served = served.map(std::path::absolute).transpose()?;
    process::raise_fd_limit();
    std::env::set_current_dir(fusebox_bench::root())?;
    let bench = Bench::new(false)?;
    let seconds = 5;
    let script = throughput::wrk_script(&bench)?;
    let addr = "127.0.0.1:18191";
    let mut rps = [Vec::new(), Vec::new()];
    println!("wrk, {connections} connection(s), {seconds} s per run:\n");
    println!("| round | baseline req/s (p50) | candidate req/s (p50) | candidate ÷ baseline |");
    println!("|---|---|---|---|");
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut this = [(0.0, 0.0); 2];
        for which in order {
            let side = [baseline, candidate][which];
            let (binary, artifact_served) = match is_artifact(side) {
                true => (process::release_bin("fusebox"), side.to_owned()),
                false => (side.to_owned(), served.clone().unwrap_or_else(artifact)),
            };
            let serve = bench.serve_with(&binary, Some(0), &artifact_served, addr);
            let _server = process::start("fusebox serve", serve, addr, Duration::from_secs(60))?;
            let run = throughput::wrk(addr, &script, seconds, connections)?;
            anyhow::ensure!(
                run.non_2xx == 0,
                "{} answered {} non-2xx",
                side.display(),
                run.non_2xx
            );
            this[which] = (run.rps, run.p50_ms);
            rps[which].push(run.rps);
        }
        let [(a, a_p50), (b, b_p50)] = this;
        println!(
            "| {} | {a:.0} ({a_p50:.3} ms) | {b:.0} ({b_p50:.3} ms) | {:.3} |",
            round + 1,
            b / a
        );
    }
    // The median (of the two middle runs for an even count), the least and the most.
    let [baseline, candidate] = rps.map(|mut runs| {
        runs.sort_by(f64::total_cmp);
        let n = runs.len();
        let median = (runs[(n - 1) / 2] + runs[n / 2]) / 2.0;
        (median, runs[0], runs[n - 1])
    });
    println!(
        "| median (min–max) | {:.0} ({:.0}–{:.0}) | {:.0} ({:.0}–{:.0}) | {:.3} |",
        baseline.0,
        baseline.1,
        baseline.2,
        candidate.0,
        candidate.1,
        candidate.2,
        candidate.0 / baseline.0
    );
    if sides.iter().all(|side| is_artifact(side)) {
        // Two artifacts: also what the in-process goal reads, on one thread.
        let [a, b] = &sides;
        let (a, b) = (std::fs::read(a)?, std::fs::read(b)?);
        let [a, b] = breakdown::add_side_by_side(&bench, [&a, &b], IN_PROCESS_REQUESTS)?;
        println!(
            "\nIn-process authenticated `POST /v1/add`, one thread, {IN_PROCESS_REQUESTS} \
             requests each, interleaved in rounds (medians):\n"
        );
        println!("| | baseline | candidate | candidate ÷ baseline |\n|---|---|---|---|");
        for (phase, a, b) in [
            ("instantiation", a.instantiate_ns, b.instantiate_ns),
            ("guest", a.guest_ns, b.guest_ns),
            ("teardown", a.teardown_ns, b.teardown_ns),
            ("in-process total", a.in_process_ns, b.in_process_ns),
        ] {
            println!(
                "| {phase} | {:.1} µs | {:.1} µs | {:.3} |",
                a / 1e3,
                b / 1e3,
                b / a
            );
        }
    }
    Ok(())
}

/// Requests per artifact for the in-process comparison of two artifacts.
const IN_PROCESS_REQUESTS: usize = 20_000;

/// Whether `side` names an artifact (a `.wasm` file) rather than a `fusebox` binary.
fn is_artifact(side: &Path) -> bool {
    side.extension().is_some_and(|e| e == "wasm")
}
