//! Measuring: each submodule measures one section of the report and returns its part
//! of [`Results`]; [`process`] starts and stops the servers and clients they run.

pub mod ab;
mod breakdown;
mod density;
mod machine;
mod micro;
mod polyglot;
mod process;
mod profile;
mod size;
mod throughput;
mod tooling;

use crate::results::Results;
use fusebox_bench::{quick, record, root};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// The HS256 key every server and client in the run shares.
const KEY: &str = "benchmark-key-0123456789abcdef-0123456789";

/// Measure everything, in the report's order (the size builds come before the tooling
/// section, which reports their cold build). Runs from the repository root.
pub fn run() -> anyhow::Result<Results> {
    process::raise_fd_limit();
    std::env::set_current_dir(root())?;
    let date = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let bench = Bench::new(quick())?;
    let machine = machine::measure();
    let cold_start = micro::cold_start()?;
    let cross_call = micro::cross_call()?;
    let throughput = throughput::measure(&bench)?;
    let (size, cold_build) = size::measure(&bench)?;
    let density = density::measure(&bench)?;
    let tooling = tooling::measure(cold_build)?;
    let polyglot = polyglot::measure(&bench)?;
    let wasi_0_3 = polyglot::measure_p3(&bench)?;
    let breakdown = breakdown::measure(&bench)?;
    Ok(Results {
        date,
        quick: bench.quick,
        machine,
        cold_start,
        cross_call,
        throughput,
        size,
        density,
        tooling,
        polyglot,
        wasi_0_3: Some(wasi_0_3),
        breakdown,
    })
}

/// What every measurement shares.
struct Bench {
    /// `make bench-quick`: shorter runs, fewer variants.
    quick: bool,
    /// [`KEY`], in a file for `fusebox serve --config auth.hs256-key=@FILE`.
    key_file: PathBuf,
    /// How long each load run lasts, in seconds.
    seconds: u64,
}

impl Bench {
    fn new(quick: bool) -> anyhow::Result<Self> {
        std::fs::create_dir_all(record::dir())?;
        let key_file = record::dir().join("key");
        std::fs::write(&key_file, KEY)?;
        Ok(Bench {
            quick,
            key_file,
            seconds: if quick { 3 } else { 15 },
        })
    }

    /// The rounds a side-by-side load is split into, and each round's seconds: 5 rounds
    /// of 3 s in a full run, 3 of 1 s in a quick one, so the whole takes as long as one
    /// run would.
    fn rounds(&self) -> (u64, u64) {
        let seconds = (self.seconds / 5).max(1);
        ((self.seconds / seconds).max(1), seconds)
    }

    /// A bearer token for `subject` with the `calc` scope, valid for an hour.
    fn token(&self, subject: &str) -> anyhow::Result<String> {
        let claims = auth_token::Claims::new(subject, &["calc"], Duration::from_secs(3600));
        auth_token::mint(&claims, KEY.as_bytes())
    }

    /// Release `fusebox serve ARTIFACT --addr ADDR` with the key as its config value,
    /// pinned to `core` when given.
    fn fusebox_serve(&self, core: Option<usize>, artifact: &Path, addr: &str) -> Command {
        self.serve_with(&process::release_bin("fusebox"), core, artifact, addr)
    }

    /// [`Bench::fusebox_serve`] with another build of `fusebox`.
    fn serve_with(
        &self,
        fusebox: &Path,
        core: Option<usize>,
        artifact: &Path,
        addr: &str,
    ) -> Command {
        let mut command = process::command(fusebox, core);
        command
            .arg("serve")
            .arg(artifact)
            .arg("--config")
            .arg(format!(
                "{}=@{}",
                auth_token::KEY_CONFIG,
                self.key_file.display()
            ))
            .args(["--addr", addr]);
        command
    }
}

/// The artifact `make compose` built.
fn artifact() -> PathBuf {
    root().join("target/fusebox/service.wasm")
}
