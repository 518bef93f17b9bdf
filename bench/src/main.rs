//! `fusebox-bench`: the macro figures, and the report.
//!
//! Run by `make bench` (and `make bench-quick`, with `FUSEBOX_BENCH_QUICK=1`) after the
//! criterion micro benches. In three steps, each in its own module:
//!
//! 1. [`measure`] measures everything into a typed [`results::Results`], each figure
//!    side by side with its baseline, and reads the micro figures back:
//!    - throughput: `fusebox serve`, stock `wasmtime serve` and a native hyper server,
//!      on the same artifact or logic, driven by the same load client;
//!    - size: every component and the fused artifact, with and without each profile
//!      setting;
//!    - density: how many instances can wait at once, and the RSS each costs;
//!    - tooling: `make compose` with nothing to do, the compose step alone, a cold build;
//!    - polyglot: the artifact with the calculator in Python beside the all-Rust one;
//!    - breakdown: where one request's time goes.
//! 2. The results are written as `results.json` to the report's directory.
//! 3. [`report`] renders `benchmarks.md` from that JSON, [`goals`] judging each goal on
//!    its own field, and [`plots`] draws its plots.
//!
//! `fusebox-bench --render` does only step 3, from the `results.json` already there.
//! `fusebox-bench --ab BASELINE CANDIDATE [ROUNDS [ARTIFACT]] [--connections N]` compares two builds of
//! `fusebox serve`, or two artifacts, side by side ([`measure::ab`]), for the levers table.

use anyhow::{Context as _, bail};
use fusebox_bench::{quick, root};
use std::path::PathBuf;
use std::time::Instant;

mod goals;
mod measure;
mod plots;
mod report;
mod results;

/// Where the report goes: `docs/` for `make bench`, `target/fusebox/bench-quick/` for
/// `make bench-quick` (so that a quick run never overwrites the full report).
fn out_dir() -> PathBuf {
    match quick() {
        true => root().join("target/fusebox/bench-quick"),
        false => root().join("docs"),
    }
}

/// What `fusebox-bench --help` prints.
const USAGE: &str = "\
usage: fusebox-bench                  measure everything and write the report (make bench)
       fusebox-bench --render         write the report again from its results.json
       fusebox-bench --ab BASELINE CANDIDATE [ROUNDS [ARTIFACT]] [--connections N]
                                      two fusebox binaries, or two .wasm artifacts, side by side";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let render_only = match args.first().map(String::as_str) {
        None => false,
        Some("--render") => true,
        Some("--help" | "-h") => {
            println!("{USAGE}");
            return Ok(());
        }
        Some("--ab") => {
            let mut args = args[1..].to_vec();
            let mut connections = None;
            if let Some(at) = args.iter().position(|a| a == "--connections") {
                let n = args.get(at + 1).context(USAGE)?;
                connections = Some(n.parse().with_context(|| format!("--connections {n:?}"))?);
                args.drain(at..at + 2);
            }
            let [baseline, candidate, rest @ ..] = &args[..] else {
                bail!(USAGE);
            };
            let rounds = rest
                .first()
                .map_or(Ok(6), |n| n.parse())
                .context("ROUNDS")?;
            let served = rest.get(1).map(PathBuf::from);
            return measure::ab::run(
                baseline.as_ref(),
                candidate.as_ref(),
                rounds,
                served.as_deref(),
                connections,
            );
        }
        Some(other) => bail!("unknown argument {other:?}\n{USAGE}"),
    };
    let started = Instant::now();
    let out = out_dir();
    std::fs::create_dir_all(&out)?;
    let json = out.join("results.json");
    if !render_only {
        let results = measure::run()?;
        std::fs::write(&json, serde_json::to_string_pretty(&results)? + "\n")?;
        eprintln!("bench: wrote {}", json.display());
    }

    // The report is rendered from the JSON, so it says exactly what the JSON holds.
    let results: results::Results = serde_json::from_slice(
        &std::fs::read(&json).with_context(|| format!("read {}", json.display()))?,
    )
    .with_context(|| format!("{} is not this version's results", json.display()))?;
    let doc = report::render(&results);
    plots::draw(&results, &out)?;
    let path = out.join("benchmarks.md");
    std::fs::write(&path, &doc)?;
    println!("{doc}");
    println!(
        "wrote {} in {:.0} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
