//! The goals fusebox's performance claims set, each read from its own field of
//! [`Results`]: no goal finds its figure by a row's label or position.

use crate::report::{fmt_ns, kib};
use crate::results::{Results, Servers, Spread};

/// One goal, and how this run did against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// Which goals table the goal is listed in.
    pub table: Table,
    /// The goal, as the report states it.
    pub claim: &'static str,
    /// The figure, and whether it meets the goal; or why it was not measured.
    pub outcome: Result<Measured, Missing>,
    /// The analysis the report includes while the goal is not met.
    pub analysis: Option<Analysis>,
}

impl Goal {
    /// True when the goal was measured and not met.
    pub fn missed(&self) -> bool {
        matches!(self.outcome, Ok(Measured { met: false, .. }))
    }
}

/// Where the report lists a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The closing "Goals" section.
    Main,
    /// Section 7, under the polyglot figures.
    Polyglot,
}

/// A measured goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// The figure the goal is judged on, formatted for the report.
    pub figure: String,
    /// Whether the figure meets the goal.
    pub met: bool,
}

/// Why a goal's figure is missing from a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Stock `wasmtime serve` was not measured: wasmtime-cli is not installed.
    WasmtimeCli,
    /// The servers were not profiled: a quick run, or `perf` cannot record here.
    Profile,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::WasmtimeCli => f.write_str("no wasmtime-cli"),
            Missing::Profile => f.write_str("not profiled: a quick run, or no perf"),
        }
    }
}

/// The written analysis of a shortfall (from profiling), in `bench/shortfalls-*.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Analysis {
    /// `shortfalls-cold-start.md`.
    ColdStart,
    /// `shortfalls-throughput.md`.
    Throughput,
    /// `shortfalls-polyglot.md`.
    Polyglot,
}

impl Analysis {
    /// The analysis, as Markdown.
    pub fn text(self) -> &'static str {
        match self {
            Analysis::ColdStart => include_str!("../shortfalls-cold-start.md"),
            Analysis::Throughput => include_str!("../shortfalls-throughput.md"),
            Analysis::Polyglot => include_str!("../shortfalls-polyglot.md"),
        }
    }
}

fn judged(figure: String, met: bool) -> Result<Measured, Missing> {
    Ok(Measured { figure, met })
}

/// The req/s each server reached on authenticated `/v1/add`, round by round: wrk's
/// rounds, or its one run in runs before the rounds, else the load client's mix.
fn requests_per_second(results: &Results) -> Vec<Servers<f64>> {
    let throughput = &results.throughput;
    match &throughput.wrk {
        Some(_) if !throughput.wrk_rounds.is_empty() => throughput
            .wrk_rounds
            .iter()
            .map(|r| r.map(|w| w.rps))
            .collect(),
        Some(wrk) => vec![wrk.map(|w| w.rps)],
        None => vec![throughput.load.map(|l| l.rps)],
    }
}

/// `ratio` of each round's figures, and their spread; `None` if a round lacks one.
fn per_round(
    rounds: &[Servers<f64>],
    ratio: impl Fn(&Servers<f64>) -> Option<f64>,
) -> Option<Spread> {
    Spread::of(rounds.iter().map(ratio).collect::<Option<_>>()?)
}

/// Every goal, in the report's order, judged on `results`.
pub fn evaluate(results: &Results) -> Vec<Goal> {
    let cold = &results.cold_start;
    let add = &results.cross_call.add;
    let in_process = &results.breakdown.add;
    let rps = requests_per_second(results);
    let native_ratio = per_round(&rps, |r| Some(r.native / r.fusebox)).expect("one round at least");
    let wasmtime_ratio = per_round(&rps, |r| Some(r.fusebox / r.wasmtime?));
    let spawn_ratio = cold.process_spawn.median_ns / cold.fused.median_ns;
    let http_ratio = add.loopback_http.median_ns / add.fused.median_ns;
    let artifact = results.size.artifact_bytes;
    let density = &results.density;
    let (p50_ratio, rps_share) = results.polyglot.python_ratios();
    let rounds = results.polyglot.rounds.len();
    let main = |claim, outcome, analysis| Goal {
        table: Table::Main,
        claim,
        outcome,
        analysis,
    };
    vec![
        main(
            "cold start ≥ 40× faster than a process spawn",
            judged(format!("{spawn_ratio:.1}×"), spawn_ratio >= 40.0),
            Some(Analysis::ColdStart),
        ),
        main(
            "cold start median ≤ 35 µs",
            judged(
                fmt_ns(cold.fused.median_ns),
                cold.fused.median_ns <= 35_000.0,
            ),
            Some(Analysis::ColdStart),
        ),
        main(
            "authenticated `/v1/add` in a fresh instance, in-process, median ≤ 80 µs",
            judged(
                format!(
                    "{} on one thread, as each `fusebox serve` thread runs it ({} on tokio's \
                     worker-per-core runtime, section 8)",
                    fmt_ns(in_process.one_thread.in_process_ns),
                    fmt_ns(in_process.workers.in_process_ns)
                ),
                in_process.one_thread.in_process_ns <= 80_000.0,
            ),
            Some(Analysis::Throughput),
        ),
        main(
            "fused `math.add` ≤ 100 ns",
            judged(fmt_ns(add.fused.median_ns), add.fused.median_ns <= 100.0),
            None,
        ),
        main(
            "fused `math.add` ≥ 200× faster than loopback HTTP",
            judged(format!("{http_ratio:.0}×"), http_ratio >= 200.0),
            None,
        ),
        main(
            "`fusebox serve` ≥ 2.5× the req/s of `wasmtime serve`",
            match wasmtime_ratio {
                Some(ratio) => judged(
                    over_rounds(rps.len(), ratio, |r| format!("{r:.2}×"), ""),
                    ratio.median >= 2.5,
                ),
                None => Err(Missing::WasmtimeCli),
            },
            Some(Analysis::Throughput),
        ),
        main(
            "`fusebox serve` within 8× of the native server's req/s (5×: the moonshot)",
            judged(
                over_rounds(rps.len(), native_ratio, |r| format!("{r:.1}×"), " slower"),
                native_ratio.median <= 8.0,
            ),
            Some(Analysis::Throughput),
        ),
        main(
            "host I/O: `fusebox serve`'s CPU per request outside the instance ≤ 2× the \
             native server's CPU per request",
            match &results.breakdown.profile {
                Some(profile) => {
                    let ratio = profile.outside_instance_ratio();
                    judged(format!("{ratio:.1}× (section 8, by perf)"), ratio <= 2.0)
                }
                None => Err(Missing::Profile),
            },
            Some(Analysis::Throughput),
        ),
        main(
            "fused artifact ≤ 256 KiB",
            judged(kib(artifact), artifact <= 256 * 1024),
            None,
        ),
        main(
            "10,000 live instances at once",
            judged(
                match density.busy_at_max {
                    true => density.most().to_string(),
                    false => format!("{} (not all of them live)", density.most()),
                },
                density.busy_at_max && density.most() >= 10_000,
            ),
            None,
        ),
        Goal {
            table: Table::Polyglot,
            claim: "polyglot p50 ≤ 2× all-Rust p50",
            outcome: judged(
                over_rounds(rounds, p50_ratio, |r| format!("{r:.2}×"), ""),
                p50_ratio.median <= 2.0,
            ),
            analysis: Some(Analysis::Polyglot),
        },
        Goal {
            table: Table::Polyglot,
            claim: "polyglot req/s ≥ 50% of all-Rust",
            outcome: judged(
                over_rounds(rounds, rps_share, |r| format!("{:.0}%", r * 100.0), ""),
                rps_share.median >= 0.5,
            ),
            analysis: Some(Analysis::Polyglot),
        },
    ]
}

/// A ratio over `rounds` paired rounds as the goals table gives it: the median, then the
/// least and the most round's, each written by `fmt`, the median followed by `suffix`.
fn over_rounds(rounds: usize, ratio: Spread, fmt: impl Fn(f64) -> String, suffix: &str) -> String {
    match rounds {
        0 | 1 => format!("{}{suffix}", fmt(ratio.median)),
        _ => format!(
            "{}{suffix} (the median of {rounds} rounds; {} to {})",
            fmt(ratio.median),
            fmt(ratio.least),
            fmt(ratio.most)
        ),
    }
}

/// The analyses to include for the goals of `table` that were missed, each once.
pub fn shortfalls(goals: &[Goal], table: Table) -> Vec<Analysis> {
    let mut analyses: Vec<Analysis> = goals
        .iter()
        .filter(|g| g.table == table && g.missed())
        .filter_map(|g| g.analysis)
        .collect();
    analyses.sort();
    analyses.dedup();
    analyses
}
