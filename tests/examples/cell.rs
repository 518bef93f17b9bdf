//! One cell of the runtime matrix, run against an artifact some other process serves, and
//! recorded: for a runtime that `make test` cannot start itself.
//!
//! ```text
//! cargo run --release -p fusebox-tests --example cell -- --addr 127.0.0.1:18201 \
//!     --runtime wasmCloud --version "wasmcloud-host 0.27.1" --key-file hs256.key \
//!     --recorded "by make lattice on 2026-12-02" --out docs/runtimes/wasmcloud.json
//! ```
//!
//! It sends the matrix's checks (`fusebox_tests::runtimes::Cell::run`: the README's API
//! examples and the hostile corpus) to `--addr`, signing tokens with the key the server
//! was deployed with, and writes the cell as JSON to `--out`, with `--recorded` saying
//! when and how. `tests/tests/runtimes.rs` puts every cell in `docs/runtimes/` into the
//! matrix beside the ones it runs. `--artifact` names the manifest whose service is
//! served (`fusebox.toml` by default). It prints the cell's tally, and exits non-zero if a
//! check the artifact answers failed; the record is written either way.

use fusebox_tests::Artifact;
use fusebox_tests::runtimes::Cell;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    addr: SocketAddr,
    runtime: String,
    version: String,
    key: String,
    artifact: Artifact,
    recorded: String,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut addr = None;
    let mut runtime = None;
    let mut version = None;
    let mut key = None;
    let mut artifact = Artifact::Rust;
    let mut recorded = None;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => addr = Some(value.parse().map_err(|e| format!("--addr {value}: {e}"))?),
            "--runtime" => runtime = Some(value),
            "--version" => version = Some(value),
            "--key-file" => {
                let text = std::fs::read_to_string(&value)
                    .map_err(|e| format!("--key-file {value}: {e}"))?;
                key = Some(text.trim().to_owned());
            }
            "--artifact" => {
                artifact = Artifact::ALL
                    .into_iter()
                    .find(|a| a.manifest_path() == value)
                    .ok_or_else(|| {
                        format!("--artifact {value}: not one of the matrix's manifests")
                    })?
            }
            "--recorded" => recorded = Some(value),
            "--out" => out = Some(PathBuf::from(value)),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let need = |flag: &str| format!("{flag} is required");
    Ok(Args {
        addr: addr.ok_or_else(|| need("--addr"))?,
        runtime: runtime.ok_or_else(|| need("--runtime"))?,
        version: version.ok_or_else(|| need("--version"))?,
        key: key.ok_or_else(|| need("--key-file"))?,
        artifact,
        recorded: recorded.ok_or_else(|| need("--recorded"))?,
        out: out.ok_or_else(|| need("--out"))?,
    })
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(why) => {
            eprintln!("cell: {why}");
            return ExitCode::from(2);
        }
    };
    let mut cell = Cell::run(
        &args.runtime,
        &args.version,
        args.artifact,
        args.addr,
        &args.key,
    );
    cell.recorded = Some(args.recorded);
    let json = serde_json::to_string_pretty(&cell.to_json()).expect("a cell is JSON");
    let written = match args.out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
    .and_then(|()| std::fs::write(&args.out, json + "\n"));
    if let Err(e) = written {
        eprintln!("cell: write {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "{} on {}: {}/{} passed, {} handled by its own front end, {} failed; recorded in {}",
        args.artifact.label(),
        args.runtime,
        cell.passed,
        cell.total,
        cell.front_end.len(),
        cell.failures.len(),
        args.out.display()
    );
    for failure in &cell.failures {
        println!("  failed: {failure}");
    }
    match cell.failures.is_empty() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}
