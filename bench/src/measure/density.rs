//! Density: N requests held open at once, each holding a live instance, and the
//! server's memory at each step.

use super::{Bench, artifact, process};
use crate::results::{Density, DensityStep, MapCount};
use anyhow::{Context as _, bail};
use fusebox_runtime::mappings_needed;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

/// Hold more and more requests open, and read the server's RSS at each step.
pub fn measure(bench: &Bench) -> anyhow::Result<Density> {
    let wanted: &[usize] = if bench.quick {
        &[0, 250, 1000]
    } else {
        &[0, 100, 1000, 2500, 5000, 10_000]
    };
    let (map_count, limit) = map_count(*wanted.last().expect("steps"));
    // As many steps as the kernel leaves room for; none is always one.
    let steps: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&n| n == 0 || mappings_needed(n) <= limit)
        .collect();
    let max = *steps.last().expect("the first step");
    let addr = "127.0.0.1:18184";
    let mut serve = bench.fusebox_serve(None, &artifact(), addr);
    serve.args(["--deadline", "10m", "--max-instances", &max.to_string()]);
    let server = process::start("fusebox serve", serve, addr, Duration::from_secs(60))?;

    let token = bench.token("density")?;
    // A request whose body never arrives in full: its instance waits, reading it.
    let head = format!(
        "POST /v1/add HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"a\":"
    );
    let healthz = format!("GET /healthz HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    // One completed request first, so that start-up costs are not counted per instance.
    let mut warm = TcpStream::connect(addr)?;
    warm.write_all(healthz.as_bytes())?;
    warm.read_to_end(&mut Vec::new())?;
    std::thread::sleep(Duration::from_millis(300));

    let mut held = Vec::new();
    let mut measured = Vec::new();
    for &live in &steps {
        while held.len() < live {
            let mut stream = TcpStream::connect(addr)?;
            stream.write_all(head.as_bytes())?;
            held.push(stream);
        }
        std::thread::sleep(Duration::from_millis(if live == 0 { 200 } else { 1000 }));
        let rss_kib = rss_kib(server.pid())?;
        eprintln!("bench: {live} instances held, RSS {rss_kib} KiB");
        measured.push(DensityStep { live, rss_kib });
    }
    // Proof that all of them are live instances: one more request is refused as busy.
    let mut extra = TcpStream::connect(addr)?;
    extra.write_all(healthz.as_bytes())?;
    extra.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut answer = Vec::new();
    let _ = extra.read_to_end(&mut answer);
    let busy_at_max = answer.starts_with(b"HTTP/1.1 503");
    drop(held);
    if !busy_at_max {
        bail!("the density run did not fill every instance slot");
    }
    Ok(Density {
        map_count,
        steps: measured,
        busy_at_max,
    })
}

/// Compare Linux's `vm.max_map_count` with what `wanted` live instances need
/// ([`fusebox_runtime::mappings_needed`]), raising it when it is too low and this process
/// may (root). Returns what happened, and the limit the run has.
fn map_count(wanted: usize) -> (MapCount, usize) {
    let path = "/proc/sys/vm/max_map_count";
    let needed = mappings_needed(wanted);
    let limit: usize = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(65_530);
    if limit >= needed {
        return (MapCount::Enough { limit }, limit);
    }
    if std::fs::write(path, needed.to_string()).is_ok() {
        eprintln!("bench: raised vm.max_map_count from {limit} to {needed}");
        let raised = MapCount::Raised {
            from: limit,
            to: needed,
            wanted,
        };
        return (raised, needed);
    }
    let too_low = MapCount::TooLow {
        limit,
        needed,
        wanted,
    };
    (too_low, limit)
}

/// The resident memory of process `pid`.
fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}
