//! `make bench`: fusebox's performance claims, each measured side by side with its
//! baseline in one run, and reported as ratios.
//!
//! - [`native`]: the components' logic compiled natively, the baseline for everything.
//! - [`fused`]: the bench artifact (driver + calculator + logger) for cross-component calls.
//! - [`mesh`]: a small native HTTP service doing the same arithmetic over loopback.
//! - [`record`]: per-iteration timings that the criterion benches save for the report.
//!
//! `benches/micro.rs` (criterion) measures the micro figures: cold start against process
//! spawns, and calls across the fused boundary against native calls and loopback HTTP.
//! `src/main.rs` (`fusebox-bench`) measures the macro figures (throughput, size, density,
//! tooling, polyglot, breakdown) and reads the micro ones back into typed results, writes
//! them as `results.json`, and renders `docs/benchmarks.md` and its plots from that JSON.

// The logic modules are `no_std` + `alloc` code, written for the components.
extern crate alloc;

pub mod fused;
pub mod mesh;
pub mod native;
pub mod record;

/// True when `FUSEBOX_BENCH_QUICK` is set: the same code paths, shorter.
pub fn quick() -> bool {
    std::env::var_os("FUSEBOX_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The repository root.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
