//! One cell of the runtime matrix: an artifact served by some runtime, driven over HTTP
//! with the README's curl examples and the hostile corpus, the same checks whichever
//! runtime serves it. `tests/tests/runtimes.rs` runs every cell it can and writes the
//! matrix (`make runtimes` copies it to `docs/platforms.md`).

use crate::hostile::{self, Body, HostHeader, Hostile};
use crate::{Artifact, token};
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpStream};
use std::process::Child;
use std::time::{Duration, Instant};

/// No request may take longer than this on any runtime.
pub const PER_REQUEST: Duration = Duration::from_secs(10);

/// What one runtime did with one artifact.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The runtime, as the matrix names it (`fusebox serve`, `jco on Node`).
    pub runtime: String,
    /// Its version.
    pub version: String,
    /// The artifact.
    pub artifact: Artifact,
    /// The checks that passed, of `total`.
    pub passed: usize,
    /// How many checks ran.
    pub total: usize,
    /// Each failed check that the artifact answers, with what went wrong: a failure.
    pub failures: Vec<String>,
    /// Each hostile request the runtime's own HTTP front end handled its own way
    /// ([`Hostile::front_end_may_differ`]): recorded, not a failure of the artifact.
    pub front_end: Vec<String>,
    /// Why the cell did not run, when it did not.
    pub skipped: Option<String>,
    /// When and how a cell that `make test` does not run was recorded (`make lattice`
    /// records wasmCloud's, into `docs/runtimes/`).
    pub recorded: Option<String>,
    /// The bytes the runtime serves from, when the run measured them: the artifact, or
    /// the bundle built from it, type declarations left out.
    pub bundle_bytes: Option<u64>,
    /// From starting the server to its first answer (`GET /healthz`), compiling
    /// included, when the run measured it.
    pub startup: Option<Duration>,
}

impl Cell {
    /// A cell that did not run, and why, in one line.
    pub fn skipped(runtime: &str, version: &str, artifact: Artifact, why: &str) -> Cell {
        Cell {
            runtime: runtime.into(),
            version: version.into(),
            artifact,
            passed: 0,
            total: 0,
            failures: Vec::new(),
            front_end: Vec::new(),
            skipped: Some(why.into()),
            recorded: None,
            bundle_bytes: None,
            startup: None,
        }
    }

    /// Run every check against `addr`, where `runtime` serves `artifact` configured with
    /// the HS256 `key` (the tests' [`TEST_KEY`](crate::TEST_KEY), unless a run deployed
    /// a key of its own).
    pub fn run(
        runtime: &str,
        version: &str,
        artifact: Artifact,
        addr: SocketAddr,
        key: &str,
    ) -> Cell {
        let mut failures = Vec::new();
        let mut front_end = Vec::new();
        let mut total = 0;
        for (name, outcome) in api_examples(addr, key) {
            total += 1;
            if let Err(why) = outcome {
                failures.push(format!("{name}: {why}"));
            }
        }
        let calc = token("mallory", &["calc"], 3600, key);
        let read = token("mallory", &["read"], 3600, key);
        for request in hostile::requests(key, &calc, &read) {
            total += 1;
            // fusebox answers these in milliseconds; a runtime that waits for the whole
            // body never does, and need not cost the full wait each time.
            let patience = match request.body_never_completes() {
                true => Duration::from_secs(1),
                false => PER_REQUEST,
            };
            let outcome = hostile::send_raw(addr, &request, patience)
                .map_err(|e| e.to_string())
                .and_then(|reply| {
                    hostile::check_reply(
                        &request,
                        reply.status,
                        reply.content_type.as_deref(),
                        &reply.body,
                    )
                });
            // Name the request, where the message does not already.
            let outcome = outcome.map_err(|why| match why.starts_with(&request.name) {
                true => why,
                false => format!("{}: {why}", request.name),
            });
            match outcome {
                Ok(()) => {}
                Err(why) if request.front_end_may_differ() => front_end.push(why),
                Err(why) => failures.push(format!("hostile {why}")),
            }
        }
        Cell {
            runtime: runtime.into(),
            version: version.into(),
            artifact,
            passed: total - failures.len() - front_end.len(),
            total,
            failures,
            front_end,
            skipped: None,
            recorded: None,
            bundle_bytes: None,
            startup: None,
        }
    }

    /// The cell as JSON, to record a run that `make test` cannot repeat.
    pub fn to_json(&self) -> Value {
        json!({
            "runtime": self.runtime,
            "version": self.version,
            "artifact": self.artifact.manifest_path(),
            "passed": self.passed,
            "total": self.total,
            "failures": self.failures,
            "front_end": self.front_end,
            "skipped": self.skipped,
            "recorded": self.recorded,
            "bundle_bytes": self.bundle_bytes,
            "startup_ms": self.startup.map(|t| t.as_millis() as u64),
        })
    }

    /// A cell recorded by [`Cell::to_json`], or what is wrong with the record.
    pub fn from_json(value: &Value) -> Result<Cell, String> {
        let text = |key: &str| {
            value[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("`{key}` is not a string"))
        };
        let count = |key: &str| {
            value[key]
                .as_u64()
                .map(|n| n as usize)
                .ok_or_else(|| format!("`{key}` is not a count"))
        };
        let list = |key: &str| -> Result<Vec<String>, String> {
            let items = value[key]
                .as_array()
                .ok_or_else(|| format!("`{key}` is not a list"))?;
            items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| format!("`{key}` holds something other than text"))
        };
        let manifest = text("artifact")?;
        let artifact = Artifact::ALL
            .into_iter()
            .find(|a| a.manifest_path() == manifest)
            .ok_or_else(|| format!("`artifact` names no known manifest: {manifest}"))?;
        let (passed, total) = (count("passed")?, count("total")?);
        let (failures, front_end) = (list("failures")?, list("front_end")?);
        if passed + failures.len() + front_end.len() != total {
            return Err(format!(
                "{passed} passed, {} failed and {} handled by the front end do not add up to \
                 {total} checks",
                failures.len(),
                front_end.len()
            ));
        }
        Ok(Cell {
            runtime: text("runtime")?,
            version: text("version")?,
            artifact,
            passed,
            total,
            failures,
            front_end,
            skipped: value["skipped"].as_str().map(str::to_owned),
            recorded: value["recorded"].as_str().map(str::to_owned),
            bundle_bytes: value["bundle_bytes"].as_u64(),
            startup: value["startup_ms"].as_u64().map(Duration::from_millis),
        })
    }
}

/// A request of the README's examples.
fn request(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> Hostile {
    let mut headers = Vec::new();
    if let Some(token) = token {
        headers.push((
            "authorization".to_owned(),
            format!("Bearer {token}").into_bytes(),
        ));
    }
    let body = match body {
        Some((content_type, bytes)) => {
            headers.push(("content-type".to_owned(), content_type.as_bytes().to_vec()));
            Body::Sized(bytes)
        }
        None => Body::Empty,
    };
    Hostile {
        name: format!("{method} {path}"),
        method: method.into(),
        path: path.into(),
        host: HostHeader::Usual,
        headers,
        body,
        expect: 0,
    }
}

/// Ask `addr` for `GET /healthz` until it answers 200, for at most `limit`: how a cell
/// times a runtime's start-up to its first answer, compiling included.
pub fn first_answer(addr: SocketAddr, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    let healthz = request("GET", "/healthz", None, None);
    loop {
        let outcome = hostile::send_raw(addr, &healthz, limit).map_err(|e| e.to_string());
        match outcome {
            Ok(reply) if reply.status == 200 => return Ok(()),
            Ok(reply) if started.elapsed() > limit => {
                return Err(format!("GET /healthz answered {}", reply.status));
            }
            Err(why) if started.elapsed() > limit => return Err(why),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// The README's curl examples, one per status the API answers with, each with what the
/// answer must say: healthz, add, sequence, whoami, 401, 403, 404, 405, 413, 415, 422.
pub fn api_examples(addr: SocketAddr, key: &str) -> Vec<(String, Result<(), String>)> {
    let calc = token("alice", &["calc"], 3600, key);
    let read = token("alice", &["read"], 3600, key);
    let json = |text: &str| Some(("application/json", text.as_bytes().to_vec()));
    let cases: Vec<(Hostile, u16, &str)> = vec![
        (
            request("GET", "/healthz", None, None),
            200,
            r#"{"status":"ok"}"#,
        ),
        (
            request("POST", "/v1/add", Some(&calc), json(r#"{"a":40,"b":2}"#)),
            200,
            r#"{"result":42}"#,
        ),
        (
            request(
                "POST",
                "/v1/sequence",
                Some(&calc),
                json(r#"{"values":[3,1,3,2]}"#),
            ),
            200,
            r#"{"result":[1,2,3]}"#,
        ),
        (
            request("GET", "/v1/whoami", Some(&calc), None),
            200,
            r#""subject":"alice""#,
        ),
        (
            request("POST", "/v1/multiply", None, json(r#"{"a":6,"b":7}"#)),
            401,
            r#""missing-token""#,
        ),
        (
            request("POST", "/v1/add", Some(&read), json(r#"{"a":1,"b":2}"#)),
            403,
            r#""status":403"#,
        ),
        (
            request("GET", "/v1/nothing", Some(&calc), None),
            404,
            r#""status":404"#,
        ),
        (
            request("GET", "/v1/add", Some(&calc), None),
            405,
            r#""status":405"#,
        ),
        (
            request(
                "POST",
                "/v1/sequence",
                Some(&calc),
                Some(("application/json", vec![b' '; 65 * 1024])),
            ),
            413,
            r#""status":413"#,
        ),
        (
            request(
                "POST",
                "/v1/add",
                Some(&calc),
                Some(("text/plain", br#"{"a":1,"b":2}"#.to_vec())),
            ),
            415,
            r#""status":415"#,
        ),
        (
            request(
                "POST",
                "/v1/add",
                Some(&calc),
                json(r#"{"a":4294967295,"b":1}"#),
            ),
            422,
            r#""overflow""#,
        ),
    ];
    cases
        .into_iter()
        .map(|(request, status, expected)| {
            let outcome = hostile::send_raw(addr, &request, PER_REQUEST)
                .map_err(|e| e.to_string())
                .and_then(|reply| {
                    let body = String::from_utf8_lossy(&reply.body);
                    if reply.status != status {
                        return Err(format!("{} instead of {status}: {body}", reply.status));
                    }
                    serde_json::from_slice::<Value>(&reply.body)
                        .map_err(|e| format!("the body is not JSON ({e}): {body}"))?;
                    match body.contains(expected) {
                        true => Ok(()),
                        false => Err(format!("{body} lacks {expected}")),
                    }
                });
            (request.name, outcome)
        })
        .collect()
}

/// A server process started for a cell, killed (by its PID) when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Wait until something listens on `addr`, or fail after `limit`, or as soon as
/// `process` has exited.
pub fn wait_for_port(
    addr: SocketAddr,
    process: &mut Process,
    limit: Duration,
) -> Result<(), String> {
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = process.0.try_wait() {
            return Err(format!("it exited ({status}) before listening on {addr}"));
        }
        if started.elapsed() > limit {
            return Err(format!("nothing listened on {addr} within {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// The matrix of `cells` as Markdown: one row per runtime, one column per artifact, each
/// cell `passed/total`, or why it did not run.
pub fn matrix(cells: &[Cell], date: &str) -> String {
    let artifacts: Vec<Artifact> = {
        let mut seen = Vec::new();
        for cell in cells {
            if !seen.contains(&cell.artifact) {
                seen.push(cell.artifact);
            }
        }
        seen
    };
    let mut runtimes: Vec<(&str, &str)> = Vec::new();
    for cell in cells {
        if !runtimes.iter().any(|(r, _)| *r == cell.runtime) {
            runtimes.push((&cell.runtime, &cell.version));
        }
    }
    let mut out = header(&["runtime", "version"], &artifacts);
    let mut notes = Vec::new();
    for (runtime, version) in runtimes {
        let row: Vec<String> = artifacts
            .iter()
            .map(|artifact| {
                let Some(cell) = cells
                    .iter()
                    .find(|c| c.runtime == runtime && c.artifact == *artifact)
                else {
                    return "not run".to_owned();
                };
                let mut marks = Vec::new();
                if let Some(when) = &cell.recorded {
                    marks.push(note(&mut notes, format!("{runtime}: {when}.")));
                }
                if let Some(why) = &cell.skipped {
                    marks.push(note(&mut notes, format!("{runtime}: {why}.")));
                    return format!("not run ({})", join(&marks));
                }
                if !cell.front_end.is_empty() {
                    let why = format!(
                        "{runtime}: {} hostile requests it handles by its own rules before \
                         the guest runs (listed below).",
                        cell.front_end.len()
                    );
                    marks.push(note(&mut notes, why));
                }
                match marks.is_empty() {
                    true => format!("{}/{}", cell.passed, cell.total),
                    false => format!("{}/{} ({})", cell.passed, cell.total, join(&marks)),
                }
            })
            .collect();
        out.push_str(&format!(
            "| {runtime} | {version} | {} |\n",
            row.join(" | ")
        ));
    }
    out.push_str(&format!(
        "\nEach cell: checks passed of those run (the README's 11 API examples plus the \
         hostile corpus, over HTTP on loopback), on {date}. A check the artifact answers \
         must pass everywhere; what a runtime handles by its own rules before the guest runs \
         (a bad `Host`, an unknown method, oversized headers, dot segments, a body that \
         never ends) is recorded below.\n"
    ));
    if !notes.is_empty() {
        out.push('\n');
    }
    for (i, note) in notes.iter().enumerate() {
        out.push_str(&format!("{}. {note}\n", i + 1));
    }
    out.push_str(&bundles(cells, &artifacts));
    // Each runtime's front-end differences once per distinct list: they are usually
    // the same for every artifact it serves.
    let mut lists: Vec<(&str, Vec<&str>, &[String])> = Vec::new();
    for cell in cells.iter().filter(|c| !c.front_end.is_empty()) {
        match lists
            .iter_mut()
            .find(|(runtime, _, list)| *runtime == cell.runtime && *list == cell.front_end)
        {
            Some((_, artifacts, _)) => artifacts.push(cell.artifact.label()),
            None => lists.push((&cell.runtime, vec![cell.artifact.label()], &cell.front_end)),
        }
    }
    for (runtime, artifacts, list) in lists {
        out.push_str(&format!(
            "\n<details><summary>{runtime}: the {} requests it handles itself \
             ({})</summary>\n\n",
            list.len(),
            artifacts.join("; ")
        ));
        for difference in list {
            out.push_str(&format!("- {}\n", one_line(difference)));
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// The number of the note `text` in `notes`, added if it is not there yet: cells with
/// the same reason share one note.
fn note(notes: &mut Vec<String>, text: String) -> usize {
    match notes.iter().position(|n| *n == text) {
        Some(at) => at + 1,
        None => {
            notes.push(text);
            notes.len()
        }
    }
}

/// The table of what each runtime served each artifact from (every cell that measured
/// it) and how long it took to give its first answer (where that was measured too);
/// empty if no cell measured its bundle.
fn bundles(cells: &[Cell], artifacts: &[Artifact]) -> String {
    let measured: Vec<&Cell> = cells.iter().filter(|c| c.bundle_bytes.is_some()).collect();
    if measured.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\nWhat each runtime serves, and how long it takes to start: the bytes it loads (the \
         artifact; for jco, the glue, core modules and server script, with the shims in \
         `target/npm` on top; for workerd, the whole bundle, shim included; type \
         declarations left out), and the time from starting it to its first answer to \
         `GET /healthz`, compiling included, with no compilation cache. `fusebox serve` \
         runs inside the test binary, built for tests, so its time is not given here: \
         `make bench` times the release host's compile (benchmarks.md, section 7).\n\n{}",
        header(&["runtime"], artifacts)
    );
    let mut runtimes: Vec<&str> = Vec::new();
    for cell in &measured {
        if !runtimes.contains(&cell.runtime.as_str()) {
            runtimes.push(&cell.runtime);
        }
    }
    for runtime in runtimes {
        let row: Vec<String> = artifacts
            .iter()
            .map(|artifact| {
                match measured
                    .iter()
                    .find(|c| c.runtime == runtime && c.artifact == *artifact)
                {
                    Some(cell) => match cell.startup {
                        Some(startup) => format!(
                            "{}, {:.2} s",
                            size(cell.bundle_bytes.unwrap_or_default()),
                            startup.as_secs_f64()
                        ),
                        None => size(cell.bundle_bytes.unwrap_or_default()),
                    },
                    None => "–".to_owned(),
                }
            })
            .collect();
        out.push_str(&format!("| {runtime} | {} |\n", row.join(" | ")));
    }
    out
}

/// A table's header: the `first` columns, then one per artifact.
fn header(first: &[&str], artifacts: &[Artifact]) -> String {
    let labels: Vec<&str> = first
        .iter()
        .copied()
        .chain(artifacts.iter().map(|a| a.label()))
        .collect();
    format!(
        "| {} |\n|{}\n",
        labels.join(" | "),
        "---|".repeat(labels.len())
    )
}

/// `bytes` as KiB below a MiB, MiB above.
fn size(bytes: u64) -> String {
    match bytes < 1024 * 1024 {
        true => format!("{:.1} KiB", bytes as f64 / 1024.0),
        false => format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0)),
    }
}

/// Note numbers as a cell shows them: `1, 3`.
fn join(marks: &[usize]) -> String {
    marks
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first line of `text`, at most 160 characters: an HTML error page or a long body
/// shortened for a list.
fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(160) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}
