//! The report against hand-built results: each goal row is read from its own field.

use super::*;
use crate::goals::Analysis;
use crate::results::*;
use fusebox_bench::record::Latencies;

fn latencies(median_ns: f64) -> Latencies {
    Latencies {
        count: 1000,
        median_ns,
        p99_ns: median_ns * 1.5,
    }
}

fn load(rps: f64, p50_ms: f64) -> Load {
    Load {
        requests: (rps * 15.0) as u64,
        rps,
        p50_ms,
        p99_ms: p50_ms * 2.0,
        wrong: 0,
        errors: 0,
    }
}

fn phases(in_process_ns: f64) -> PhaseMedians {
    PhaseMedians {
        admit_ns: 100.0,
        contexts_ns: 1_500.0,
        schedule_ns: 500.0,
        instantiate_ns: in_process_ns * 0.4,
        guest_ns: in_process_ns * 0.3,
        teardown_ns: in_process_ns * 0.2,
        body_ns: 900.0,
        in_process_ns,
    }
}

fn components(bytes: u64) -> ComponentSizes {
    ComponentSizes {
        logger_bytes: Some(bytes),
        calculator_bytes: Some(bytes),
        auth_bytes: Some(bytes * 4),
        http_handler_bytes: Some(bytes * 4),
    }
}

/// A full run in which every goal is met, each with room to spare.
fn all_met() -> Results {
    Results {
        date: "2026-12-01T12:00:00Z".into(),
        quick: false,
        machine: Machine {
            cpu: Some("Test CPU".into()),
            cores: 2,
            memory_kib: Some(24_000_000),
            kernel: Some("6.1.0".into()),
            rustc: Some("rustc 1.95.0".into()),
            wasmtime_crate: "48.0.8".into(),
            wasmtime_cli: Some("wasmtime 48.0.8".into()),
        },
        cold_start: ColdStart {
            fused: latencies(30_000.0),
            process_spawn: latencies(10_000_000.0),
            unshare: Some(latencies(20_000_000.0)),
        },
        cross_call: CrossCall {
            add: Call {
                fused: latencies(20.0),
                native: latencies(0.5),
                loopback_http: latencies(100_000.0),
            },
            sequence: Call {
                fused: latencies(20_000.0),
                native: latencies(6_000.0),
                loopback_http: latencies(120_000.0),
            },
        },
        throughput: Throughput {
            seconds: 15,
            load: Servers {
                fusebox: load(10_000.0, 1.3),
                wasmtime: Some(load(4_000.0, 3.3)),
                native: load(40_000.0, 0.2),
            },
            wrk: None,
            wrk_rounds: vec![],
            wrk_round_seconds: 0,
        },
        size: Size {
            component_profile: SizeVariant {
                name: "`component` profile (all settings)".into(),
                profile: "component".into(),
                overrides: Vec::new(),
                components: components(18_000),
                fused: Some(FusedVariant {
                    bytes: 205_000,
                    add: phases(110_000.0),
                }),
            },
            variants: vec![SizeVariant {
                name: "… but `lto = false`".into(),
                profile: "component".into(),
                overrides: vec!["profile.component.lto=false".into()],
                components: components(30_000),
                fused: Some(FusedVariant {
                    bytes: 307_500,
                    add: phases(120_000.0),
                }),
            }],
            artifact_bytes: 200 * 1024,
        },
        density: Density {
            map_count: MapCount::Enough { limit: 262_144 },
            steps: vec![
                DensityStep {
                    live: 0,
                    rss_kib: 70_000,
                },
                DensityStep {
                    live: 10_000,
                    rss_kib: 1_100_000,
                },
            ],
            busy_at_max: true,
        },
        tooling: Tooling {
            make_compose_noop_s: 0.4,
            compose_step_s: 0.037,
            cold_build_s: 6.8,
        },
        polyglot: Polyglot {
            seconds: 15,
            rust: PolyglotRun {
                bytes: 200 * 1024,
                components: vec![
                    ("logger".into(), 17 * 1024),
                    ("calculator".into(), 16 * 1024),
                ],
                compile_s: 0.2,
                load: load(4_000.0, 0.25),
                minor_faults_per_request: Some(0.0),
            },
            python: PolyglotRun {
                bytes: 18 << 20,
                components: vec![
                    ("logger".into(), 17 * 1024),
                    ("calculator".into(), 18 << 20),
                ],
                compile_s: 8.4,
                load: load(2_400.0, 0.4),
                minor_faults_per_request: None,
            },
            others: vec![(
                "C calculator (`examples/c`)".into(),
                PolyglotRun {
                    bytes: 190 * 1024,
                    components: vec![("logger".into(), 17 * 1024), ("calculator".into(), 5_427)],
                    compile_s: 0.19,
                    load: load(4_100.0, 0.24),
                    minor_faults_per_request: Some(0.0),
                },
            )],
            rounds: vec![],
        },
        wasi_0_3: Some(PolyglotRun {
            bytes: 336 * 1024,
            components: vec![
                ("logger".into(), 17 * 1024),
                ("calculator".into(), 16 * 1024),
            ],
            compile_s: 0.3,
            load: load(3_000.0, 0.33),
            minor_faults_per_request: Some(0.0),
        }),
        breakdown: Breakdown {
            requests: 20_000,
            healthz: RouteBreakdown {
                workers: phases(84_000.0),
                one_thread: phases(52_000.0),
                http_ns: 177_000.0,
            },
            add: RouteBreakdown {
                workers: phases(110_000.0),
                one_thread: phases(70_000.0),
                http_ns: 224_000.0,
            },
            add_with_concurrency: Some(phases(80_000.0)),
            add_p3: Some(phases(100_000.0)),
            shape: Some(ArtifactShape {
                core_instances: 31,
                core_modules: 12,
                components: 4,
            }),
            profile: Some(host_profile()),
            interleaved_rounds: Some(INTERLEAVED_ROUNDS),
        },
    }
}

/// 8 s at 1,000 Hz, each server busy throughout: `fusebox serve` at 10,000 req/s, so 80
/// samples are 1 µs a request; the native server at 80,000 req/s; the Python artifact at
/// 2,000 req/s, so 16 samples are 1 µs a request.
fn host_profile() -> HostProfile {
    let rows = |rows: &[(&str, u64)]| {
        rows.iter()
            .map(|&(row, samples)| ProfileRow {
                row: row.into(),
                samples,
            })
            .collect::<Vec<_>>()
    };
    HostProfile {
        seconds: 8.0,
        frequency_hz: 1000,
        fusebox: ServerProfile {
            rps: 10_000.0,
            samples: 8000,
            rows: rows(&[
                ("access log and guest stderr", 400),
                ("instantiation", 1600),
                ("teardown: dropping the store, resetting slots", 1200),
                (GUEST_CODE_ROW, 1640),
                (GUEST_HOST_CALLS_ROW, 2000),
                (
                    "contexts: store, WASI and HTTP contexts, request resources",
                    160,
                ),
                ("hyper: HTTP/1.1 parsing and writing", 1000),
            ]),
            minor_faults_per_request: 0.5,
        },
        native: ServerProfile {
            rps: 80_000.0,
            samples: 8000,
            rows: rows(&[
                (NATIVE_HANDLER_ROW, 1600),
                ("hyper: HTTP/1.1 parsing and writing", 6400),
            ]),
            minor_faults_per_request: 0.0,
        },
        python: Some(ServerProfile {
            rps: 2_000.0,
            samples: 8000,
            rows: rows(&[
                ("access log and guest stderr", 80),
                ("instantiation", 3200),
                (
                    "instantiation: function references (`ref.func`) made by start-up code",
                    800,
                ),
                ("teardown: dropping the store, resetting slots", 1600),
                (GUEST_CODE_ROW, 2000),
                (
                    "contexts: store, WASI and HTTP contexts, request resources",
                    80,
                ),
                ("hyper: HTTP/1.1 parsing and writing", 240),
            ]),
            minor_faults_per_request: 0.25,
        }),
    }
}

/// The goal row of `claim` in `doc`, after the claim.
fn row<'a>(doc: &'a str, claim: &str) -> &'a str {
    let start = format!("| {claim} |");
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with(&start)).collect();
    assert_eq!(rows.len(), 1, "one row for {claim:?} in:\n{doc}");
    &rows[0][start.len()..]
}

fn met(doc: &str, claim: &str) -> bool {
    let row = row(doc, claim);
    match () {
        _ if row.ends_with("| met |") => true,
        _ if row.ends_with("| **not met** |") => false,
        _ => panic!("{claim:?} is neither met nor not met: {row}"),
    }
}

/// Each goal, and a change to its own field that makes it missed.
#[allow(clippy::type_complexity)]
fn misses() -> Vec<(&'static str, fn(&mut Results))> {
    vec![
        ("cold start ≥ 40× faster than a process spawn", |r| {
            r.cold_start.process_spawn.median_ns = 1_000_000.0
        }),
        ("cold start median ≤ 35 µs", |r| {
            r.cold_start.fused.median_ns = 60_000.0
        }),
        (
            "authenticated `/v1/add` in a fresh instance, in-process, median ≤ 80 µs",
            |r| r.breakdown.add.one_thread.in_process_ns = 90_000.0,
        ),
        ("fused `math.add` ≤ 100 ns", |r| {
            r.cross_call.add.fused.median_ns = 150.0
        }),
        (
            "fused `math.add` ≥ 200× faster than loopback HTTP",
            |r| r.cross_call.add.loopback_http.median_ns = 3_000.0,
        ),
        (
            "`fusebox serve` ≥ 2.5× the req/s of `wasmtime serve`",
            |r| r.throughput.load.wasmtime.as_mut().unwrap().rps = 6_000.0,
        ),
        (
            "`fusebox serve` within 8× of the native server's req/s (5×: the moonshot)",
            |r| r.throughput.load.native.rps = 90_000.0,
        ),
        (
            "host I/O: `fusebox serve`'s CPU per request outside the instance ≤ 2× the native \
             server's CPU per request",
            |r| {
                let rows = &mut r.breakdown.profile.as_mut().unwrap().fusebox.rows;
                let hyper = rows.iter_mut().find(|row| row.row.starts_with("hyper"));
                hyper.unwrap().samples = 3_000;
            },
        ),
        ("fused artifact ≤ 256 KiB", |r| {
            r.size.artifact_bytes = 300 * 1024
        }),
        ("10,000 live instances at once", |r| {
            r.density.steps[1].live = 5_000
        }),
        ("polyglot p50 ≤ 2× all-Rust p50", |r| {
            r.polyglot.python.load.p50_ms = 0.6
        }),
        ("polyglot req/s ≥ 50% of all-Rust", |r| {
            r.polyglot.python.load.rps = 1_600.0
        }),
    ]
}

#[test]
fn the_python_goals_read_the_median_of_paired_rounds() {
    let mut results = all_met();
    // The loads together would miss both goals: the rounds are what the goals read.
    results.polyglot.python.load = load(1_000.0, 1.0);
    let round = |python_rps, python_p50| PolyglotRound {
        seconds: 5,
        rust: load(4_000.0, 0.25),
        python: load(python_rps, python_p50),
    };
    results.polyglot.rounds = vec![
        round(2_400.0, 0.4),
        round(1_000.0, 0.6),
        round(2_000.0, 0.45),
    ];
    let doc = render(&results);
    assert!(doc.contains("loaded in 3 rounds of 5 s"), "{doc}");
    assert!(
        doc.contains("| 2 | 4000 | 1000 | 0.250 ms | 0.600 ms | 2.40× | 25% |"),
        "{doc}"
    );
    let p50 = "polyglot p50 ≤ 2× all-Rust p50";
    let rps = "polyglot req/s ≥ 50% of all-Rust";
    assert!(met(&doc, p50) && met(&doc, rps), "{}", row(&doc, p50));
    assert!(
        row(&doc, p50).contains("1.80× (the median of 3 rounds; 1.60× to 2.40×)"),
        "{}",
        row(&doc, p50)
    );
    assert!(
        row(&doc, rps).contains("50% (the median of 3 rounds; 25% to 60%)"),
        "{}",
        row(&doc, rps)
    );

    results.polyglot.rounds[2] = round(1_900.0, 0.55);
    let doc = render(&results);
    assert!(!met(&doc, p50) && !met(&doc, rps), "{}", row(&doc, p50));
}

#[test]
fn every_goal_is_read_from_its_own_field() {
    let results = all_met();
    let doc = render(&results);
    let misses = misses();
    assert_eq!(misses.len(), goals::evaluate(&results).len());
    for (claim, _) in &misses {
        assert!(
            met(&doc, claim),
            "{claim:?} should be met: {}",
            row(&doc, claim)
        );
    }
    for (claim, miss) in &misses {
        let mut changed = results.clone();
        miss(&mut changed);
        let doc = render(&changed);
        for (other, _) in &misses {
            assert_eq!(
                met(&doc, other),
                other != claim,
                "after missing {claim:?}, {other:?} reads {}",
                row(&doc, other)
            );
        }
    }
}

#[test]
fn a_goal_without_its_figure_says_why() {
    let claim = "`fusebox serve` ≥ 2.5× the req/s of `wasmtime serve`";
    let mut results = all_met();
    results.throughput.load.wasmtime = None;
    let doc = render(&results);
    assert_eq!(row(&doc, claim), " not measured (no wasmtime-cli) | — |");
    assert!(doc.contains("Stock `wasmtime serve` was not measured in this run"));
    assert!(!doc.contains("| stock wasmtime serve |"));
}

#[test]
fn the_throughput_goals_read_wrk_when_it_ran() {
    let claim = "`fusebox serve` ≥ 2.5× the req/s of `wasmtime serve`";
    let mut results = all_met();
    // The load client's mix says 1.25×, wrk's authenticated /v1/add 2.5×.
    results.throughput.load.wasmtime.as_mut().unwrap().rps = 8_000.0;
    assert!(!met(&render(&results), claim));
    let wrk = |rps| Wrk {
        requests: 1000,
        rps,
        p50_ms: 1.0,
        p99_ms: 2.0,
        non_2xx: 0,
    };
    results.throughput.wrk = Some(Servers {
        fusebox: wrk(10_000.0),
        wasmtime: Some(wrk(4_000.0)),
        native: wrk(45_000.0),
    });
    let doc = render(&results);
    assert!(met(&doc, claim));
    assert_eq!(row(&doc, claim), " 2.50× | met |");
    assert_eq!(
        row(
            &doc,
            "`fusebox serve` within 8× of the native server's req/s (5×: the moonshot)"
        ),
        " 4.5× slower | met |"
    );

    // In rounds, the goals read the median of the rounds' ratios, not the rounds together.
    let round = |fusebox, wasmtime, native| Servers {
        fusebox: wrk(fusebox),
        wasmtime: Some(wrk(wasmtime)),
        native: wrk(native),
    };
    results.throughput.wrk_rounds = vec![
        round(10_000.0, 5_000.0, 90_000.0),
        round(5_000.0, 1_000.0, 60_000.0),
        round(10_000.0, 3_000.0, 70_000.0),
    ];
    results.throughput.wrk_round_seconds = 3;
    let doc = render(&results);
    assert!(doc.contains("in 3 rounds of 3 s"), "{doc}");
    assert!(
        doc.contains("| 2 | 5000 | 1000 | 60000 | 12.00× | 5.00× |"),
        "{doc}"
    );
    assert_eq!(
        row(&doc, claim),
        " 3.33× (the median of 3 rounds; 2.00× to 5.00×) | met |"
    );
    let native = "`fusebox serve` within 8× of the native server's req/s (5×: the moonshot)";
    assert_eq!(
        row(&doc, native),
        " 9.0× slower (the median of 3 rounds; 7.0× to 12.0×) | **not met** |"
    );
}

#[test]
fn shortfalls_are_explained_while_they_stand() {
    let doc = render(&all_met());
    assert!(!doc.contains("## Where a goal is not met, and why"));
    for analysis in [
        Analysis::ColdStart,
        Analysis::Throughput,
        Analysis::Polyglot,
    ] {
        assert!(!doc.contains(analysis.text()), "{analysis:?}");
    }

    let mut results = all_met();
    results.cold_start.fused.median_ns = 60_000.0;
    results.polyglot.python.load.rps = 1_000.0;
    let doc = render(&results);
    let header = doc.find("## Where a goal is not met, and why").unwrap();
    let cold = doc.find(Analysis::ColdStart.text()).unwrap();
    let polyglot = doc.find(Analysis::Polyglot.text()).unwrap();
    assert!(header < cold, "the cold start analysis follows the goals");
    assert!(
        polyglot < doc.find("## 8.").unwrap(),
        "the polyglot analysis stays in section 7"
    );
    assert!(!doc.contains(Analysis::Throughput.text()));
}

#[test]
fn the_report_is_the_same_from_json() {
    let results = all_met();
    let json = serde_json::to_string_pretty(&results).unwrap();
    let read: Results = serde_json::from_str(&json).unwrap();
    assert_eq!(read, results);
    assert_eq!(render(&read), render(&results));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["density"]["map_count"]["outcome"], "enough");
    assert_eq!(value["throughput"]["wrk"], serde_json::Value::Null);
}

#[test]
fn sections_render_their_figures() {
    let doc = render(&all_met());
    for heading in [
        "## Machine",
        "## 1. Cold start",
        "## 2. Cross-component calls",
        "## 3. Throughput and latency",
        "## 4. Size",
        "## 5. Density",
        "## 6. Tooling",
        "## 7. Polyglot: the calculator in Python",
        "## 8. Where a request's time goes",
        "## Goals",
    ] {
        assert!(doc.contains(&format!("\n{heading}\n")), "{heading}");
    }
    assert!(doc.contains("| fused instance | 30.0 µs | 45.0 µs | 1000 | 1.0× |"));
    assert!(
        doc.contains(
            "| native hyper server | 600000 | 40000 | 0.20 ms | 0.40 ms | 0 | 0 | 4.00× |"
        )
    );
    assert!(doc.contains("- `lto = false`: +102500 bytes (+50%)"));
    assert!(doc.contains("| 10000 | 1074.2 MiB | 103.0 KiB |"));
    assert!(doc.contains(
        "| C calculator (`examples/c`) | 0.2 MiB | 17.0 KiB | 5.3 KiB | 0.19 s | 61500 | 0.240 ms | 0.480 ms | 4100 | 0 | 0 | 0.00 |"
    ), "{doc}");
    assert!(
        doc.contains(
            "| polyglot (`examples/polyglot/fusebox.toml`) | 18.0 MiB | 17.0 KiB | 18.0 MiB |"
        ),
        "{doc}"
    );
    assert!(doc.contains(
        "| **in-process total** | **84.0 µs** | **52.0 µs** | **110.0 µs** | **70.0 µs** |"
    ));
    assert!(doc.contains("Not measured in this run: `wrk` is not installed."));
}

#[test]
fn the_concurrency_lever_sits_beside_the_same_route_without_it() {
    let mut results = all_met();
    let doc = render(&results);
    assert!(
        doc.contains("| **in-process total** | 70.0 µs | 80.0 µs | 1.14× |"),
        "{doc}"
    );
    // A run from before the lever was measured renders without the table.
    results.breakdown.add_with_concurrency = None;
    assert!(!render(&results).contains("concurrency off (fusebox)"));
}

#[test]
fn wasi_0_3_sits_beside_0_2_and_its_extra_cost_is_split() {
    let doc = render(&all_met());
    assert!(doc.contains("## 9. WASI 0.3 beside 0.2"), "{doc}");
    // 100 µs against 70 µs: 30 µs more, 10 of them concurrency support itself.
    assert!(
        doc.contains("took 30.0 µs more in-process than the 0.2 one (1.43×)"),
        "{doc}"
    );
    assert!(doc.contains("costs the 0.2 artifact 10.0 µs"), "{doc}");
    assert!(doc.contains("the rest, 20.0 µs"), "{doc}");
    assert!(
        doc.contains("by -25% in req/s (3000 against 4000)"),
        "{doc}"
    );
    // A run from before it was measured renders without the section.
    let mut results = all_met();
    results.wasi_0_3 = None;
    assert!(!render(&results).contains("## 9."));
}

#[test]
fn the_host_profile_gives_each_row_per_request_and_what_lies_outside_the_instance() {
    let doc = render(&all_met());
    assert!(
        doc.contains("| access log and guest stderr | 5.0 | 5% |"),
        "{doc}"
    );
    assert!(doc.contains("| instantiation | 20.0 | 20% |"));
    assert!(doc.contains("| **server CPU per request** | **100.0** | 100% |"));
    assert!(doc.contains("| **server CPU per request** | **12.5** | 100% |"));
    // Outside the instance: the log and hyper rows, 17.5 µs, against 12.5 µs native.
    assert!(
        doc.contains("spends 17.5 µs of CPU per request, 1.4×"),
        "{doc}"
    );
    assert!(doc.contains("**Core instances per request: 31**, of 12 core modules in 4"));
    // Section 7: the Python artifact's rows beside the all-Rust ones, each in its own
    // requests: 3,200 samples at 2,000 req/s are 200 µs; a row the all-Rust profile lacks
    // is a dash there, not another row's figure.
    let section_7 = &doc[doc.find("## 7.").unwrap()..doc.find("## 8.").unwrap()];
    assert!(
        section_7.contains("| instantiation | 20.0 | 200.0 | 40% |"),
        "{section_7}"
    );
    assert!(section_7.contains(
        "| instantiation: function references (`ref.func`) made by start-up code | — | 50.0 \
         | 10% |"
    ));
    assert!(section_7.contains("| **server CPU per request** | **100.0** | **500.0** | 100% |"));
    assert!(doc.contains("0.25 on the Python artifact, 0.50 on the all-Rust one"));
    // Inside the instance: 1,640 samples of guest code are 20.5 µs, 2,000 of host calls
    // 25.0 µs; the native handler's 1,600 samples at 80,000 req/s are 2.5 µs.
    assert!(
        doc.contains("took 20.5 µs per request under this load: 8.2× the native handler's 2.5 µs"),
        "{doc}"
    );
    assert!(doc.contains("The host code it called took 25.0 µs"));
    // Both guest rows are the instance's own work, so that host I/O leaves them out.
    for row in [GUEST_CODE_ROW, GUEST_HOST_CALLS_ROW] {
        assert!(
            INSTANCE_ROWS.iter().any(|name| row.starts_with(name)),
            "{row}"
        );
    }
    // A profile from before the guest row was split: no paragraph, the same host I/O.
    let mut unsplit = all_met();
    let fusebox = &mut unsplit.breakdown.profile.as_mut().unwrap().fusebox;
    fusebox.rows.retain(|row| row.row != GUEST_HOST_CALLS_ROW);
    for row in &mut fusebox.rows {
        if row.row == GUEST_CODE_ROW {
            row.row = "guest: JIT code and the host calls it makes".into();
            row.samples = 3640;
        }
    }
    let unsplit = render(&unsplit);
    assert!(!unsplit.contains("Inside the instance"));
    assert!(unsplit.contains("spends 17.5 µs of CPU per request, 1.4×"));
    // The interleaved rounds are the run's own: four in a run from before they were kept.
    assert!(doc.contains("one thread, in 16 rounds interleaved"));
    let mut older = all_met();
    older.breakdown.interleaved_rounds = None;
    assert!(render(&older).contains("one thread, in 4 rounds interleaved"));
    let mut without = all_met();
    without.breakdown.profile.as_mut().unwrap().python = None;
    assert!(!render(&without).contains("Python artifact's CPU"));
    without.breakdown.profile = None;
    let doc = render(&without);
    assert!(!doc.contains("by `perf`"));
    assert_eq!(
        row(
            &doc,
            "host I/O: `fusebox serve`'s CPU per request outside the instance ≤ 2× the native \
             server's CPU per request"
        ),
        " not measured (not profiled: a quick run, or no perf) | — |"
    );
}
