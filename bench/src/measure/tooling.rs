//! Tooling: how long the developer waits.

use super::process::release_bin;
use crate::results::Tooling;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Time `make compose` with nothing to do and the compose step alone; `cold_build` is
/// the size section's first build.
pub fn measure(cold_build: Duration) -> anyhow::Result<Tooling> {
    let make = ["make", "--no-print-directory", "compose"];
    time(&make)?; // bring everything up to date
    let fusebox = release_bin("fusebox");
    let fusebox = fusebox.to_str().expect("a UTF-8 path");
    let compose = [
        fusebox,
        "compose",
        "--no-build",
        "--out",
        "target/fusebox/bench/service.wasm",
    ];
    Ok(Tooling {
        make_compose_noop_s: best_of_3(&make)?.as_secs_f64(),
        compose_step_s: best_of_3(&compose)?.as_secs_f64(),
        cold_build_s: cold_build.as_secs_f64(),
    })
}

/// How long `command` takes, with its output discarded.
fn time(command: &[&str]) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = Command::new(command[0])
        .args(&command[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    anyhow::ensure!(status.success(), "{command:?} failed");
    Ok(started.elapsed())
}

/// The fastest of three runs of `command`.
fn best_of_3(command: &[&str]) -> anyhow::Result<Duration> {
    let runs: Vec<Duration> = (0..3).map(|_| time(command)).collect::<Result<_, _>>()?;
    Ok(runs.into_iter().min().unwrap_or_default())
}
