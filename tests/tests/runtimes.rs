//! The runtime matrix: every artifact on every runtime that installs here, each cell
//! driven over loopback HTTP with the README's API examples and the hostile corpus
//! (`fusebox_tests::runtimes`). The run writes the matrix to
//! `target/fusebox/runtimes.md`; `make runtimes` copies it to `docs/platforms.md`.
//!
//! - **fusebox serve**: `fusebox serve`'s server, in this process.
//! - **jco on Node**: the Node and jco `scripts/ensure-node.sh` pins into `target/npm`
//!   (`make test` runs it), serving through `runtimes/jco/serve.mjs` (WASI 0.2 through
//!   preview2-shim, 0.3 through preview3-shim). Missing, the cell
//!   fails: it is part of `make test`.
//! - **workerd**: Cloudflare's Workers runtime, from the same `target/npm`, serving the
//!   bundle `runtimes/workerd/build.mjs` makes from the artifact (through preview2-shim
//!   for WASI 0.2, preview3-shim and `fetch-p3.js` for 0.3). Missing, the cell fails.
//! - **stock `wasmtime serve`**: when `wasmtime` is on the PATH (`make stock-wasmtime`
//!   installs it, 8 to 14 minutes); otherwise the cell says so.
//! - **recorded cells**: each cell in `docs/runtimes/`, recorded by a run `make test`
//!   cannot repeat (`make lattice` records wasmCloud's with `tests/examples/cell.rs`),
//!   marked with when and how. A recorded failure fails this test too.

use fusebox_tests::runtimes::{Cell, Process, first_answer, matrix, wait_for_port};
use fusebox_tests::{Artifact, TEST_KEY, TestServer, repo, test_limits};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port for a server started by the test.
fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// The output of `program args…`, trimmed, or why there is none.
fn output(program: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned()),
        false => Err(format!(
            "{} {}: {}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// `artifact`'s runtime config as one JSON object, as `runtimes/jco` reads it.
fn config_json(artifact: Artifact) -> String {
    let config: serde_json::Map<String, serde_json::Value> = artifact
        .config()
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.into()))
        .collect();
    serde_json::Value::Object(config).to_string()
}

fn fusebox_cells(cells: &mut Vec<Cell>) {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The server stops (and drains) on drop, which needs the runtime's context.
    let _context = tokio.enter();
    for artifact in Artifact::ALL {
        let server = tokio.block_on(TestServer::for_artifact(artifact, test_limits()));
        let addr = server.addr;
        let mut cell = tokio
            .block_on(tokio::task::spawn_blocking(move || {
                Cell::run(
                    "fusebox serve",
                    env!("CARGO_PKG_VERSION"),
                    artifact,
                    addr,
                    TEST_KEY,
                )
            }))
            .unwrap();
        // Its start-up is left out: this is a test build (see `runtimes::bundles`).
        cell.bundle_bytes = Some(artifact.bytes().len() as u64);
        cells.push(cell);
        drop(server);
    }
}

/// What the matrix calls jco's row.
const JCO: &str = "jco on Node";

fn jco_cells(cells: &mut Vec<Cell>) {
    let npm = repo().join("target/npm");
    let node = npm.join("node_modules/.bin/node");
    let jco = npm.join("node_modules/.bin/jco");
    let versions = output(&node, &["--version"]).and_then(|node_version| {
        let jco_version = output(&node, &[jco.to_str().unwrap(), "--version"])?;
        Ok(format!("jco {jco_version}, Node {node_version}"))
    });
    let version = match versions {
        Ok(version) => version,
        Err(why) => {
            panic!("jco is not installed in target/npm ({why}); run scripts/ensure-node.sh")
        }
    };
    for artifact in Artifact::ALL {
        cells.push(jco_cell(&node, &jco, &version, artifact));
    }
}

fn jco_cell(node: &Path, jco: &Path, version: &str, artifact: Artifact) -> Cell {
    // Under target/npm, so that the glue's imports resolve from its node_modules.
    let dir: PathBuf = repo()
        .join("target/npm/out")
        .join(format!("{artifact:?}").to_lowercase());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join("service.wasm");
    std::fs::write(&wasm, artifact.bytes()).unwrap();
    // WASI 0.2 through preview2-shim, synchronously; WASI 0.3 through preview3-shim,
    // whose async glue instantiates with a promise.
    let instantiation = match artifact {
        Artifact::P3 => "async",
        _ => "sync",
    };
    let transpiled = output(
        node,
        &[
            jco.to_str().unwrap(),
            "transpile",
            wasm.to_str().unwrap(),
            "--instantiation",
            instantiation,
            "--name",
            "service",
            "--quiet",
            "-o",
            dir.to_str().unwrap(),
        ],
    );
    if let Err(why) = transpiled {
        panic!("jco transpile failed for {artifact:?}: {why}");
    }
    for file in ["serve.mjs", "config-store.mjs", "../artifact-imports.mjs"] {
        let from = repo().join("runtimes/jco").join(file);
        std::fs::copy(&from, dir.join(from.file_name().unwrap())).unwrap();
    }
    let addr = free_addr();
    let mut command = Command::new(node);
    command
        .arg(dir.join("serve.mjs"))
        .arg(dir.join("service.js"))
        .arg(addr.port().to_string())
        .env("FUSEBOX_CONFIG", config_json(artifact));
    let bundle = bundle_bytes(&dir);
    serve_and_run(JCO, version, artifact, addr, command, 60, bundle)
}

/// The bytes of the bundle in `dir`: every file but type declarations and the artifact
/// it was built from.
fn bundle_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                bundle_bytes(&path)
            } else if name.ends_with(".d.ts") || name == "service.wasm" {
                0
            } else {
                std::fs::metadata(&path).unwrap().len()
            }
        })
        .sum()
}

/// Start `command`, which serves `artifact` with `runtime` on `addr` from a bundle of
/// `bundle` bytes, wait up to `seconds` for it to listen and give its first answer (its
/// start-up), run the cell's checks, and stop it (by its PID).
fn serve_and_run(
    runtime: &str,
    version: &str,
    artifact: Artifact,
    addr: SocketAddr,
    mut command: Command,
    seconds: u64,
    bundle: u64,
) -> Cell {
    let started = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{runtime} does not start: {e}"));
    let mut process = Process(child);
    if let Err(why) = wait_for_port(addr, &mut process, Duration::from_secs(seconds)) {
        panic!("{runtime}, {artifact:?}: {why}");
    }
    if let Err(why) = first_answer(addr, Duration::from_secs(seconds)) {
        panic!("{runtime}, {artifact:?}: no first answer: {why}");
    }
    let startup = started.elapsed();
    let mut cell = Cell::run(runtime, version, artifact, addr, TEST_KEY);
    cell.bundle_bytes = Some(bundle);
    cell.startup = Some(startup);
    cell
}

fn workerd_cells(cells: &mut Vec<Cell>) {
    const RUNTIME: &str = "workerd";
    let npm = repo().join("target/npm");
    let node = npm.join("node_modules/.bin/node");
    let workerd = npm.join("node_modules/.bin/workerd");
    let version = output(&workerd, &["--version"]).unwrap_or_else(|why| {
        panic!("workerd is not installed in target/npm ({why}); run scripts/ensure-node.sh")
    });
    for artifact in Artifact::ALL {
        let dir = repo()
            .join("target/npm/workerd")
            .join(format!("{artifact:?}").to_lowercase());
        let wasm = dir.with_extension("wasm");
        std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
        std::fs::write(&wasm, artifact.bytes()).unwrap();
        let build = repo().join("runtimes/workerd/build.mjs");
        if let Err(why) = output(
            &node,
            &[
                build.to_str().unwrap(),
                wasm.to_str().unwrap(),
                dir.to_str().unwrap(),
            ],
        ) {
            panic!("the workerd bundle for {artifact:?} did not build: {why}");
        }
        let addr = free_addr();
        let mut command = Command::new(&workerd);
        command
            .current_dir(&dir)
            .args(["serve", "config.capnp", "--socket-addr"])
            .arg(format!("http={addr}"))
            .env("FUSEBOX_CONFIG", config_json(artifact));
        let bundle = bundle_bytes(&dir);
        cells.push(serve_and_run(
            RUNTIME, &version, artifact, addr, command, 60, bundle,
        ));
    }
}

fn wasmtime_cells(cells: &mut Vec<Cell>) {
    const RUNTIME: &str = "stock wasmtime serve";
    let version = output(Path::new("wasmtime"), &["--version"]);
    for artifact in Artifact::ALL {
        let Ok(version) = &version else {
            cells.push(Cell::skipped(
                RUNTIME,
                "",
                artifact,
                "wasmtime-cli is not installed here; `make stock-wasmtime` installs it \
                 (8 to 14 minutes) and runs this cell",
            ));
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let wasm = dir.path().join("service.wasm");
        std::fs::write(&wasm, artifact.bytes()).unwrap();
        let addr = free_addr();
        let mut command = Command::new("wasmtime");
        // No compilation cache, so that its start-up is a cold compile, as every other
        // runtime's is.
        command.arg("serve").arg("-Ccache=n").arg("-Sconfig");
        for (key, value) in artifact.config() {
            command.arg(format!("-Sconfig-var={key}={}", one_line(&value)));
        }
        command.arg(format!("--addr={addr}")).arg(&wasm);
        // A large artifact compiles for seconds before the port opens.
        cells.push(serve_and_run(
            RUNTIME,
            version,
            artifact,
            addr,
            command,
            180,
            artifact.bytes().len() as u64,
        ));
    }
}

/// The cells recorded in `docs/runtimes/` (one JSON file each, as
/// `tests/examples/cell.rs` writes them), and for each recorded runtime a cell saying why
/// every other artifact did not run.
fn recorded_cells(cells: &mut Vec<Cell>) {
    let dir = repo().join("docs/runtimes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let cell = serde_json::from_str(&text)
            .map_err(|e| e.to_string())
            .and_then(|json| Cell::from_json(&json))
            .unwrap_or_else(|why| panic!("{}: {why}", path.display()));
        for artifact in Artifact::ALL {
            if artifact != cell.artifact {
                cells.push(Cell::skipped(
                    &cell.runtime,
                    &cell.version,
                    artifact,
                    &format!(
                        "the recorded run served one artifact, in the {} column",
                        cell.artifact.label()
                    ),
                ));
            }
        }
        cells.push(cell);
    }
}

/// `value` as one `-Sconfig-var` can carry it: wasmtime splits `-S` on commas, so the
/// middleware's policy goes without its comments, one rule after another.
fn one_line(value: &str) -> String {
    let rules: Vec<&str> = value
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .collect();
    let line = rules.join("; ");
    assert!(
        !line.contains(','),
        "a -S value cannot hold a comma: {line}"
    );
    line
}

#[test]
fn every_runtime_serves_every_artifact() {
    let mut cells = Vec::new();
    fusebox_cells(&mut cells);
    jco_cells(&mut cells);
    workerd_cells(&mut cells);
    wasmtime_cells(&mut cells);
    recorded_cells(&mut cells);

    let date = output(Path::new("date"), &["-u", "+%Y-%m-%d"]).unwrap_or_default();
    let mut report = matrix(&cells, &date);
    let failed: Vec<&Cell> = cells.iter().filter(|c| !c.failures.is_empty()).collect();
    for cell in &failed {
        report.push_str(&format!(
            "\n### {} on {}: FAILED\n\n",
            cell.artifact.label(),
            cell.runtime,
        ));
        for failure in &cell.failures {
            report.push_str(&format!("- {failure}\n"));
        }
    }
    // fusebox's own server must answer everything as the API says, front end included.
    for cell in cells.iter().filter(|c| c.runtime == "fusebox serve") {
        assert!(
            cell.front_end.is_empty(),
            "fusebox serve, {:?}: {:?}",
            cell.artifact,
            cell.front_end
        );
    }
    let path = repo().join("target/fusebox/runtimes.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &report).unwrap();
    eprintln!("{report}");
    assert!(
        failed.is_empty(),
        "some cells failed (see {}):\n{report}",
        path.display()
    );
}

#[test]
fn a_recorded_cell_reads_back_as_written_and_a_broken_record_is_refused() {
    let mut cell = Cell::skipped("wasmCloud", "wasmcloud-host 0.27.1", Artifact::Rust, "x");
    cell.skipped = None;
    cell.passed = 257;
    cell.total = 258;
    cell.front_end = vec!["two Host headers: expected 400, got 200".into()];
    cell.recorded = Some("recorded by `make lattice` on 2026-12-02".into());
    cell.bundle_bytes = Some(823_000);
    cell.startup = Some(Duration::from_millis(350));
    let back = Cell::from_json(&cell.to_json()).unwrap();
    assert_eq!(
        (back.bundle_bytes, back.startup),
        (cell.bundle_bytes, cell.startup)
    );
    assert_eq!(
        (back.passed, back.total, back.artifact),
        (257, 258, Artifact::Rust)
    );
    assert_eq!(back.front_end, cell.front_end);
    assert_eq!(back.recorded, cell.recorded);
    assert!(back.failures.is_empty() && back.skipped.is_none());

    // The matrix marks the recorded cell with a note saying when and how.
    let report = matrix(&[back], "2026-12-03");
    assert!(
        report.contains("| wasmCloud | wasmcloud-host 0.27.1 | 257/258 (1, 2) |"),
        "{report}"
    );
    assert!(report.contains("1. wasmCloud: recorded by `make lattice` on 2026-12-02."));
    assert!(
        report.contains("| wasmCloud | 803.7 KiB, 0.35 s |"),
        "{report}"
    );

    let mut broken = cell.to_json();
    broken["artifact"] = "examples/nowhere/fusebox.toml".into();
    let refusal = Cell::from_json(&broken).unwrap_err();
    assert!(
        refusal.contains("examples/nowhere/fusebox.toml"),
        "{refusal}"
    );
    let mut broken = cell.to_json();
    broken["total"] = 274.into();
    assert_eq!(
        Cell::from_json(&broken).unwrap_err(),
        "257 passed, 0 failed and 1 handled by the front end do not add up to 274 checks"
    );
    let mut broken = cell.to_json();
    broken["passed"] = "many".into();
    assert_eq!(
        Cell::from_json(&broken).unwrap_err(),
        "`passed` is not a count"
    );
}
