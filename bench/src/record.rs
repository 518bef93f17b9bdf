//! Per-iteration timings: the criterion benches record every iteration they time, and
//! the report reads back the median and p99 (criterion itself reports means and
//! medians of batches, not tails).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// The median and tail of one benchmark's iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latencies {
    /// How many iterations were timed.
    pub count: usize,
    /// The median, in nanoseconds per operation.
    pub median_ns: f64,
    /// The 99th percentile, in nanoseconds per operation.
    pub p99_ns: f64,
}

/// Where the timings are kept: `target/fusebox/bench/`.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fusebox/bench")
}

/// The value at quantile `q` (0..=1) of sorted `values`.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Summarise `samples`, each covering `per` operations, and save them as `name`.
pub fn save(name: &str, samples: &[Duration], per: u32) -> Latencies {
    let mut ns: Vec<f64> = samples
        .iter()
        .map(|d| d.as_nanos() as f64 / f64::from(per))
        .collect();
    ns.sort_by(f64::total_cmp);
    let latencies = Latencies {
        count: ns.len(),
        median_ns: quantile(&ns, 0.5),
        p99_ns: quantile(&ns, 0.99),
    };
    std::fs::create_dir_all(dir()).expect("create target/fusebox/bench");
    let path = dir().join(format!("{}.json", name.replace('/', "-")));
    std::fs::write(&path, serde_json::to_vec(&latencies).unwrap()).expect("write timings");
    latencies
}

/// The timings saved as `name`, if a bench run saved them.
pub fn load(name: &str) -> Option<Latencies> {
    let path = dir().join(format!("{}.json", name.replace('/', "-")));
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}
