//! Polyglot: the same composition with the calculator in Python
//! (`examples/polyglot/fusebox.toml`), beside the all-Rust one: size, a cold compile,
//! and `POST /v1/add` on `fusebox serve`. The same three for the WASI 0.3 artifact
//! (`examples/p3/fusebox.toml`), right after, for section 9.

use super::{Bench, process, throughput};
use crate::results::{Polyglot, PolyglotRun};
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

/// Measure the all-Rust and Python artifacts, then the other languages', one after the
/// other.
pub fn measure(bench: &Bench) -> anyhow::Result<Polyglot> {
    let rust = run(bench, "target/fusebox/service.wasm", "127.0.0.1:18191", &[])?;
    let python = run(bench, PYTHON, "127.0.0.1:18192", &[])?;
    let mut others = Vec::new();
    for (label, path) in OTHERS {
        others.push((label.to_owned(), run(bench, path, "127.0.0.1:18194", &[])?));
    }
    Ok(Polyglot {
        seconds: bench.seconds,
        rust,
        python,
        others,
    })
}

/// The WASI 0.3 artifact, measured as the two above are.
pub fn measure_p3(bench: &Bench) -> anyhow::Result<PolyglotRun> {
    let routes = format!("auth.routes=@{}", root().join(P3_ROUTES).display());
    run(
        bench,
        "target/fusebox/service-p3.wasm",
        "127.0.0.1:18193",
        &["--config", &routes],
    )
}

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
    eprintln!(
        "bench: {path}, POST /v1/add on one connection for {} s",
        bench.seconds
    );
    let faults = server.minor_faults()?;
    let load = throughput::load(bench, addr, &["--mix", "add", "--connections", "1"])?;
    let faults = server.minor_faults()? - faults;
    Ok(PolyglotRun {
        bytes: bytes.len() as u64,
        components,
        compile_s: compile.as_secs_f64(),
        minor_faults_per_request: Some(faults as f64 / load.requests.max(1) as f64),
        load,
    })
}
