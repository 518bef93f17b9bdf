//! Polyglot: the same composition with the calculator in Python
//! (`examples/polyglot/fusebox.toml`), beside the all-Rust one: size, a cold compile,
//! and `POST /v1/add` on `fusebox serve`. The same three for the WASI 0.3 artifact
//! (`examples/p3/fusebox.toml`), right after, for section 9.

use super::{Bench, process, throughput};
use crate::results::{Load, Polyglot, PolyglotRound, PolyglotRun};
use anyhow::Context as _;
use fusebox_bench::{record, root};
use fusebox_compose::Provenance;
use fusebox_runtime::runtime::{Runtime, RuntimeConfig};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The other languages' artifacts, as `make bench` composes them: the label the report
/// gives each, and its file.
const OTHERS: [(&str, &str); 4] = [
    (
        "C calculator (`examples/c`)",
        "target/fusebox/service-c.wasm",
    ),
    (
        "Zig calculator (`examples/zig`)",
        "target/fusebox/service-zig.wasm",
    ),
    (
        "JavaScript calculator (`examples/js`)",
        "target/fusebox/service-js.wasm",
    ),
    (
        "C logger, Python calculator (`examples/mixed`)",
        "target/fusebox/service-mixed.wasm",
    ),
];

/// Measure the all-Rust and Python artifacts side by side, then the other languages', one
/// after the other.
pub fn measure(bench: &Bench) -> anyhow::Result<Polyglot> {
    let (rust, rounds, python) = side_by_side(bench)?;
    let mut others = Vec::new();
    for (label, path) in OTHERS {
        others.push((label.to_owned(), run(bench, path, "127.0.0.1:18194", &[])?));
    }
    Ok(Polyglot {
        seconds: bench.seconds,
        rust,
        python,
        others,
        rounds,
    })
}

/// The all-Rust and Python artifacts, both served at once, loaded in rounds of a few
/// seconds each, the two in alternating order; each one's load is its rounds' together.
fn side_by_side(bench: &Bench) -> anyhow::Result<(PolyglotRun, Vec<PolyglotRound>, PolyglotRun)> {
    let rust = Served::start(bench, RUST, "127.0.0.1:18191", &[])?;
    let python = Served::start(bench, PYTHON, "127.0.0.1:18192", &[])?;
    let (count, seconds) = bench.rounds();
    eprintln!(
        "bench: {RUST} and {PYTHON} side by side, POST /v1/add on one connection, \
         {count} rounds of {seconds} s each"
    );
    let faults = [rust.faults()?, python.faults()?];
    let mut rounds = Vec::new();
    for round in 0..count {
        let (first, second) = match round % 2 {
            0 => (&rust, &python),
            _ => (&python, &rust),
        };
        let first_load = first.load(seconds)?;
        let second_load = second.load(seconds)?;
        let (rust_load, python_load) = match round % 2 {
            0 => (first_load, second_load),
            _ => (second_load, first_load),
        };
        rounds.push(PolyglotRound {
            seconds,
            rust: rust_load,
            python: python_load,
        });
    }
    let rust = rust.finish(Load::together(rounds.iter().map(|r| &r.rust)), faults[0])?;
    let python = python.finish(Load::together(rounds.iter().map(|r| &r.python)), faults[1])?;
    Ok((rust, rounds, python))
}

/// The WASI 0.3 artifact, measured as the other languages' artifacts are: one run.
pub fn measure_p3(bench: &Bench) -> anyhow::Result<PolyglotRun> {
    let routes = format!("auth.routes=@{}", root().join(P3_ROUTES).display());
    run(
        bench,
        "target/fusebox/service-p3.wasm",
        "127.0.0.1:18193",
        &["--config", &routes],
    )
}

/// The all-Rust artifact, as `make compose` writes it.
const RUST: &str = "target/fusebox/service.wasm";

/// The polyglot artifact: the calculator in Python.
pub const PYTHON: &str = "target/fusebox/service-polyglot.wasm";

/// Where `make bench` keeps the artifact at `path` compiled: the cold compile writes it,
/// and every `fusebox serve` of that artifact after it starts from it.
pub fn cache_dir(path: &Path) -> anyhow::Result<PathBuf> {
    let stem = path.file_stem().context("an artifact file")?;
    Ok(record::dir().join("cache").join(stem))
}

/// The auth middleware's policy for the API, as `fusebox serve` is given it.
pub const P3_ROUTES: &str = "examples/p3/auth-routes";

/// Compile the artifact at `path` cold into a cache of its own, then serve it from that
/// cache, with `args` beside the key, and load it.
fn run(bench: &Bench, path: &str, addr: &str, args: &[&str]) -> anyhow::Result<PolyglotRun> {
    let served = Served::start(bench, path, addr, args)?;
    let faults = served.faults()?;
    let load = served.load(bench.seconds)?;
    served.finish(load, faults)
}

/// An artifact compiled cold, and served by `fusebox serve` from that compile's cache.
struct Served {
    /// The artifact's file, relative to the workspace.
    path: String,
    /// Where `fusebox serve` listens.
    addr: String,
    /// Its size.
    bytes: u64,
    /// The logger's and calculator's sizes, from its provenance.
    components: Vec<(String, u64)>,
    /// The cold compile's time.
    compile: Duration,
    /// The server; dropping it stops it.
    server: process::Guard,
}

impl Served {
    /// Compile the artifact at `path` cold into a cache of its own, then serve it from
    /// that cache on `addr`, with `args` beside the key.
    fn start(bench: &Bench, path: &str, addr: &str, args: &[&str]) -> anyhow::Result<Served> {
        let bytes = std::fs::read(root().join(path))
            .with_context(|| format!("{path}: run `make bench`'s compose targets first"))?;
        let provenance = Provenance::read(&bytes)?
            .with_context(|| format!("{path} has no fusebox-provenance section"))?;
        let components = ["logger", "calculator"]
            .into_iter()
            .map(|name| {
                let input = provenance.inputs.iter().find(|input| input.name == name);
                let input = input.with_context(|| format!("{path} has no {name} component"))?;
                Ok((name.to_owned(), input.size))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        // A cold compile, into an empty cache that `fusebox serve` then starts from.
        let cache = cache_dir(Path::new(path))?;
        let _ = std::fs::remove_dir_all(&cache);
        let started = Instant::now();
        let config = RuntimeConfig {
            cache_dir: Some(cache.clone()),
            ..RuntimeConfig::default()
        };
        drop(Runtime::new(&bytes, config)?);
        let compile = started.elapsed();

        let mut serve = bench.fusebox_serve(Some(0), Path::new(path), addr);
        serve.arg("--cache-dir").arg(&cache).args(args);
        let server = process::start("fusebox serve", serve, addr, Duration::from_secs(120))?;
        Ok(Served {
            path: path.to_owned(),
            addr: addr.to_owned(),
            bytes: bytes.len() as u64,
            components,
            compile,
            server,
        })
    }

    /// The server's minor page faults so far.
    fn faults(&self) -> anyhow::Result<u64> {
        self.server.minor_faults()
    }

    /// `POST /v1/add` on one connection for `seconds`.
    fn load(&self, seconds: u64) -> anyhow::Result<Load> {
        eprintln!(
            "bench: {}, POST /v1/add on one connection for {seconds} s",
            self.path
        );
        let extra = ["--mix", "add", "--connections", "1"];
        throughput::load(&self.addr, seconds, &extra)
    }

    /// The run, from `load` and the faults counted before it; this stops the server.
    fn finish(self, load: Load, faults_before: u64) -> anyhow::Result<PolyglotRun> {
        let faults = self.faults()? - faults_before;
        Ok(PolyglotRun {
            bytes: self.bytes,
            components: self.components,
            compile_s: self.compile.as_secs_f64(),
            minor_faults_per_request: Some(faults as f64 / load.requests.max(1) as f64),
            load,
        })
    }
}
