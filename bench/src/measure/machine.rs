//! The machine the run measures on.

use crate::results::Machine;
use std::process::Command;

/// The wasmtime crate `fusebox serve` is built on (pinned in the workspace's Cargo.toml,
/// and patched by its `[patch.crates-io]`).
const WASMTIME_CRATE: &str = "48.0.8, with fusebox's patch (`patches/wasmtime-48.0.8.patch`)";

/// Read the machine's description.
pub fn measure() -> Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|m| m.trim().to_owned())
    });
    let memory_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
    });
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_kib,
        kernel: output("uname", &["-r"]),
        rustc: output("rustc", &["--version"]),
        wasmtime_crate: WASMTIME_CRATE.to_owned(),
        wasmtime_cli: output("wasmtime", &["--version"]),
    }
}

/// What `program args` prints, or `None` when it cannot run or fails.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
