//! Throughput: the same artifact under `fusebox serve` and stock `wasmtime serve`, and
//! the same logic natively, each driven by the load client and by wrk.

use super::process::{self, release_bin};
use super::{Bench, KEY, artifact};
use crate::results::{Load, Server, Servers, Throughput, Wrk};
use anyhow::{Context as _, bail};
use fusebox_bench::{record, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Run the load client against each server in turn, then wrk against all of them in
/// rounds.
pub fn measure(bench: &Bench) -> anyhow::Result<Throughput> {
    let wrk_script = have("wrk").then(|| wrk_script(bench)).transpose()?;

    let fusebox = bench.fusebox_serve(Some(0), &artifact(), "127.0.0.1:18181");
    let mut native = process::command(&release_bin("native-server"), Some(0));
    native.arg("127.0.0.1:18183").env("FUSEBOX_HS256_KEY", KEY);
    let wasmtime = have("wasmtime").then(|| {
        let mut wasmtime = process::command(Path::new("wasmtime"), Some(0));
        wasmtime
            .arg("serve")
            .arg("-Sconfig")
            .arg(format!("-Sconfig-var={}={KEY}", auth_token::KEY_CONFIG))
            .args(["--addr", "127.0.0.1:18182"])
            .arg(artifact());
        wasmtime
    });

    // Every server is started first and stays up: the load client runs against each in
    // turn, then wrk in rounds, each round loading all of them one after the other.
    let mut servers = vec![(Server::Fusebox, "127.0.0.1:18181", fusebox)];
    servers.extend(wasmtime.map(|command| (Server::Wasmtime, "127.0.0.1:18182", command)));
    servers.push((Server::Native, "127.0.0.1:18183", native));
    let servers = servers
        .into_iter()
        .map(|(server, addr, command)| {
            let guard = process::start(server.label(), command, addr, Duration::from_secs(60))?;
            Ok((server, addr, guard))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;

    let mut loads = Vec::new();
    for (server, addr, _) in &servers {
        eprintln!("bench: {} for {} s", server.label(), bench.seconds);
        loads.push(load(addr, bench.seconds, &[])?);
    }
    let load = by_server(&servers, loads);

    let mut wrk_rounds = Vec::new();
    let (count, seconds) = bench.rounds();
    if let Some(script) = &wrk_script {
        eprintln!(
            "bench: wrk against each server, {count} rounds of {seconds} s, the order turning"
        );
        for round in 0..count as usize {
            let mut runs = vec![None; servers.len()];
            for turn in 0..servers.len() {
                let which = (round + turn) % servers.len();
                runs[which] = Some(wrk(servers[which].1, script, seconds, WRK_CONNECTIONS)?);
            }
            wrk_rounds.push(by_server(&servers, runs.into_iter().flatten().collect()));
        }
    }
    let wrk = (!wrk_rounds.is_empty()).then(|| Servers {
        fusebox: Wrk::together(wrk_rounds.iter().map(|r| &r.fusebox)),
        wasmtime: wrk_rounds
            .iter()
            .map(|r| r.wasmtime.as_ref())
            .collect::<Option<Vec<_>>>()
            .map(Wrk::together),
        native: Wrk::together(wrk_rounds.iter().map(|r| &r.native)),
    });
    Ok(Throughput {
        seconds: bench.seconds,
        load,
        wrk,
        wrk_rounds,
        wrk_round_seconds: seconds,
    })
}

/// One figure per server, from `figures` in the order of `servers`.
fn by_server<T, G>(servers: &[(Server, &str, G)], figures: Vec<T>) -> Servers<T> {
    let mut fusebox = None;
    let mut wasmtime = None;
    let mut native = None;
    for ((server, _, _), figure) in servers.iter().zip(figures) {
        match server {
            Server::Fusebox => fusebox = Some(figure),
            Server::Wasmtime => wasmtime = Some(figure),
            Server::Native => native = Some(figure),
        }
    }
    Servers {
        fusebox: fusebox.expect("fusebox serve is always measured"),
        wasmtime,
        native: native.expect("the native server is always measured"),
    }
}

/// Whether `program --version` runs.
fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// Run the load client (`tests/examples/load.rs`) on core 1 against `addr` for
/// `seconds`, with `extra` arguments, and read its figures.
pub fn load(addr: &str, seconds: u64, extra: &[&str]) -> anyhow::Result<Load> {
    let seconds = seconds.to_string();
    let output = process::command(&root().join("target/release/examples/load"), Some(1))
        .args(["--addr", addr, "--seconds", &seconds, "--json"])
        .args(extra)
        .env("FUSEBOX_HS256_KEY", KEY)
        .stderr(Stdio::inherit())
        .output()
        .context("run the load client")?;
    if !output.status.success() {
        bail!("the load run against {addr} failed");
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The wrk script for an authenticated `POST /v1/add`, written under target/.
pub(super) fn wrk_script(bench: &Bench) -> anyhow::Result<PathBuf> {
    let token = bench.token("wrk")?;
    let path = record::dir().join("add.lua");
    std::fs::write(
        &path,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{{\"a\":40,\"b\":2}}'\n\
             wrk.headers[\"content-type\"] = \"application/json\"\n\
             wrk.headers[\"authorization\"] = \"Bearer {token}\"\n"
        ),
    )?;
    Ok(path)
}

/// Keep-alive connections wrk opens, unless told otherwise: enough to keep one server
/// core busy.
pub(super) const WRK_CONNECTIONS: u32 = 16;

/// Run wrk on core 1 against `addr`, with one thread and `connections` keep-alive
/// connections, and read its report.
pub(super) fn wrk(
    addr: &str,
    script: &Path,
    seconds: u64,
    connections: u32,
) -> anyhow::Result<Wrk> {
    let output = process::command(Path::new("wrk"), Some(1))
        .arg("-t1")
        .arg(format!("-c{connections}"))
        .args(["--latency", "-d"])
        .arg(format!("{seconds}s"))
        .arg("-s")
        .arg(script)
        .arg(format!("http://{addr}/v1/add"))
        .output()
        .context("run wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("wrk against {addr} failed: {text}");
    }
    let run = parse_wrk(&text)?;
    if run.requests == 0 {
        bail!("wrk against {addr} reported no requests: {text}");
    }
    Ok(run)
}

/// The figures in wrk's `--latency` report.
fn parse_wrk(text: &str) -> anyhow::Result<Wrk> {
    let ms = |value: &str| -> Option<f64> {
        let (number, unit) = value.split_at(value.find(|c: char| c.is_alphabetic())?);
        let number: f64 = number.parse().ok()?;
        Some(match unit {
            "us" => number / 1000.0,
            "ms" => number,
            "s" => number * 1000.0,
            _ => return None,
        })
    };
    let mut run = Wrk::default();
    for line in text.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["50%", value] => run.p50_ms = ms(value).context("wrk's p50")?,
            ["99%", value] => run.p99_ms = ms(value).context("wrk's p99")?,
            ["Requests/sec:", value] => run.rps = value.parse()?,
            [count, "requests", "in", ..] => run.requests = count.parse()?,
            ["Non-2xx", "or", "3xx", "responses:", count] => run.non_2xx = count.parse()?,
            _ => {}
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_reports_are_read() {
        let text = "Running 3s test @ http://127.0.0.1:18181/v1/add
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  420.11us   9.87ms   80.00%
    Req/Sec    10.41k   512.00    11.20k    70.00%
  Latency Distribution
     50%    1.39ms
     75%    1.61ms
     90%    1.95ms
     99%    2.89ms
  31150 requests in 3.00s, 4.10MB read
  Non-2xx or 3xx responses: 2
Requests/sec:  10346.12
Transfer/sec:      1.36MB
";
        let run = parse_wrk(text).unwrap();
        assert_eq!(run.requests, 31150);
        assert_eq!(run.non_2xx, 2);
        assert!((run.rps - 10346.12).abs() < 1e-9);
        assert!((run.p50_ms - 1.39).abs() < 1e-9);
        assert!((run.p99_ms - 2.89).abs() < 1e-9);
    }
}
