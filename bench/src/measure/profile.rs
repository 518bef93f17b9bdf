//! Where the server's CPU goes under load, host code included: `perf record` of
//! `fusebox serve` and of the native server, each pinned to core 0 under wrk on core 1
//! (the throughput section's authenticated `POST /v1/add`), with DWARF call stacks. Then
//! `fusebox serve` again on the polyglot artifact (the calculator in Python), under the
//! same load and in the same rows, for section 7.
//!
//! Each sample's stack is put in one row by the first rule it matches ([`FUSEBOX_ROWS`],
//! [`NATIVE_ROWS`]), so the rows add up to the server's whole CPU time, and a row's
//! microseconds per request are its samples over the requests served while recording.
//! Frames in JIT-compiled guest code have no symbols, and perf's unwinder stops at them:
//! a stack with one on top is the guest's own code, and a stack with one below host
//! frames is a host call the guest made, unless an earlier rule names the host function
//! it called (the `ref.func` libcall, which a module's start-up code calls while
//! instantiation fills its function tables).
//!
//! The minor page faults the server takes per request come from `/proc/PID/stat` over
//! the same window: `fusebox serve` resets a slot's dirty pages on the way out, and this
//! shows whether pages are faulted back in on the way in.
//!
//! Only in the full `make bench`, and only where `perf` runs (`linux-perf`).

use super::{Bench, KEY, artifact, polyglot, process, throughput};
use crate::results::{
    GUEST_CODE_ROW, GUEST_HOST_CALLS_ROW, HostProfile, NATIVE_HANDLER_ROW, ProfileRow,
    ServerProfile,
};
use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Samples per second.
const FREQUENCY_HZ: u32 = 997;
/// How long each server is recorded.
const SECONDS: u64 = 8;

/// A row: its label, and the symbols that put a stack in it (any frame containing any;
/// [`JIT_LEAF`] matches a JIT frame on top of the stack only).
type Rule = (&'static str, &'static [&'static str]);

/// `fusebox serve`'s rows, in the order they are tried.
pub const FUSEBOX_ROWS: &[Rule] = &[
    (
        "access log and guest stderr",
        &[
            "fusebox_runtime::log::",
            "fusebox_runtime::server::access_log",
        ],
    ),
    // `instantiate_async` holds the instantiation itself when the compiler inlines
    // `_instantiate` into it (it did once tracing was compiled out).
    (
        "instantiation",
        &[
            "InstancePre<T>::_instantiate",
            "InstancePre<T>::instantiate_async",
        ],
    ),
    // wasmtime 48 compiles the element segments it cannot precompute (offsets read from
    // a global, as componentize-py links CPython) into a start-up function: JIT code that
    // makes each function reference through this libcall, so the stack stops at the JIT
    // frame before it reaches `instantiate_async`. The rule cannot see who called the
    // libcall: a guest's own `ref.func` would land here too. The start-up function's own
    // code stays in the guest's compiled-code row.
    (
        "instantiation: function references (`ref.func`) made by start-up code",
        &["libcalls::raw::ref_func"],
    ),
    // Before the teardown row, which holds it: the share of teardown that is the kernel's
    // page walk and the copies back, for every memory and table of the instance. Each
    // part is named, so that the row holds even if the compiler inlines the outer one.
    (
        "teardown: resetting dirty pages (`PAGEMAP_SCAN`, copying back)",
        &[
            "reset_with_pagemap",
            "do_pagemap_scan",
            "manually_reset_region",
        ],
    ),
    (
        "teardown: dropping the store, resetting slots",
        &["drop_in_place<wasmtime::runtime::store::StoreInner"],
    ),
    // A sample taken in the guest's own code has a JIT frame at the top of its stack; one
    // taken in a host function the guest called has the JIT frame below the host's.
    (GUEST_CODE_ROW, &[JIT_LEAF]),
    (GUEST_HOST_CALLS_ROW, &[JIT]),
    (
        "contexts: store, WASI and HTTP contexts, request resources",
        &[
            "fusebox_runtime::runtime::Runtime::state",
            "fusebox_runtime::runtime::Runtime::store",
            "new_incoming_request",
            "new_response_outparam",
        ],
    ),
    ("socket reads, writes and epoll (kernel)", KERNEL_SOCKET),
    (
        "wasi-http: request and response body channels",
        &["wasmtime_wasi_http::"],
    ),
    (
        "hyper: HTTP/1.1 parsing and writing",
        &["hyper::", "hyper_util::"],
    ),
    ("tokio: tasks, timers, the request's spawn", &["tokio::"]),
];

/// The native server's rows.
pub const NATIVE_ROWS: &[Rule] = &[
    ("socket reads, writes and epoll (kernel)", KERNEL_SOCKET),
    (
        NATIVE_HANDLER_ROW,
        &[
            "fusebox_bench::native",
            "auth::",
            "calculator::",
            "http_handler::",
            "sha2::",
            "hmac::",
            "serde_json::",
        ],
    ),
    (
        "hyper: HTTP/1.1 parsing and writing",
        &["hyper::", "hyper_util::"],
    ),
    ("tokio: tasks, timers", &["tokio::"]),
];

/// A frame with no symbol that is not the end-of-stack marker: JIT-compiled code.
const JIT: &str = "<jit>";
/// In a rule: the stack's top frame (where the sample was taken) is JIT-compiled code.
const JIT_LEAF: &str = "<jit leaf>";
/// Kernel frames of socket I/O and readiness.
const KERNEL_SOCKET: &[&str] = &[
    "tcp_",
    "sock_",
    "sys_read",
    "sys_write",
    "sys_writev",
    "sys_recvfrom",
    "sys_sendto",
    "epoll",
    "ep_poll",
    "ep_send_events",
];
/// What a stack matching no rule is counted as.
const OTHER: &str = "other";

/// Profile both servers, then `fusebox serve` on the polyglot artifact, or `None` where
/// `perf` cannot record here.
pub fn measure(bench: &Bench) -> anyhow::Result<Option<HostProfile>> {
    if !perf_works() {
        eprintln!("bench: perf cannot record here; the host profile is left out");
        return Ok(None);
    }
    let script = throughput::wrk_script(bench)?;
    let addr = "127.0.0.1:18187";
    let fusebox = bench.fusebox_serve(Some(0), &artifact(), addr);
    let fusebox = record("fusebox serve", fusebox, addr, &script, FUSEBOX_ROWS)?;
    let mut native = process::command(&process::release_bin("native-server"), Some(0));
    native.arg(addr).env("FUSEBOX_HS256_KEY", KEY);
    let native = record("native server", native, addr, &script, NATIVE_ROWS)?;
    // From the cache section 7's run compiled it into, so that it starts in a second.
    let python = Path::new(polyglot::PYTHON);
    let mut serve = bench.fusebox_serve(Some(0), python, addr);
    serve.arg("--cache-dir").arg(polyglot::cache_dir(python)?);
    let python = record("fusebox serve (Python)", serve, addr, &script, FUSEBOX_ROWS)?;
    Ok(Some(HostProfile {
        seconds: SECONDS as f64,
        frequency_hz: FREQUENCY_HZ,
        fusebox,
        native,
        python: Some(python),
    }))
}

fn perf_works() -> bool {
    Command::new("perf")
        .args(["record", "-q", "-o", "/dev/null", "--", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Start `server`, warm it up, and record it under wrk.
fn record(
    name: &str,
    server: Command,
    addr: &str,
    script: &Path,
    rows: &[Rule],
) -> anyhow::Result<ServerProfile> {
    let server = process::start(name, server, addr, Duration::from_secs(120))?;
    throughput::wrk(addr, script, 2, throughput::WRK_CONNECTIONS)?;
    let data = fusebox_bench::record::dir().join("host-profile.data");
    let pid = server.pid().to_string();
    let faults_before = server.minor_faults()?;
    let perf = Command::new("perf")
        .args(["record", "-q", "-F", &FREQUENCY_HZ.to_string()])
        .args(["--call-graph", "dwarf,16384", "-p", &pid, "-o"])
        .arg(&data)
        .args(["--", "sleep", &SECONDS.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("start perf record")?;
    // wrk runs a little past the recording, so that the server is loaded throughout.
    let run = throughput::wrk(addr, script, SECONDS + 1, throughput::WRK_CONNECTIONS)?;
    let recorded = perf.wait_with_output().context("perf record")?;
    if !recorded.status.success() {
        bail!(
            "perf record of {name} failed ({}): {}",
            recorded.status,
            String::from_utf8_lossy(&recorded.stderr).trim()
        );
    }
    // Faults are counted over wrk's whole run, so per request of that run; samples over
    // perf's SECONDS, so per request of those (`ServerProfile::us_per_request`).
    let faults = server.minor_faults()? - faults_before;
    drop(server);
    eprintln!("bench: reading the profile of {name}");
    let script_out = Command::new("perf")
        .args(["script", "--no-inline", "-F", "ip,sym,dso", "-i"])
        .arg(&data)
        .stderr(Stdio::null())
        .output()
        .context("perf script")?;
    let _ = std::fs::remove_file(&data);
    let text = String::from_utf8_lossy(&script_out.stdout);
    let counts = classify(&text, rows);
    let requests = run.rps * (SECONDS + 1) as f64;
    Ok(ServerProfile {
        rps: run.rps,
        samples: counts.iter().map(|row| row.samples).sum(),
        rows: counts,
        minor_faults_per_request: faults as f64 / requests,
    })
}

/// Count `perf script` stacks (`-F ip,sym,dso`: one `ADDRESS SYMBOL (FILE)` line per
/// frame, a blank line after each sample) by row, in `rows`' order, then [`OTHER`].
pub fn classify(text: &str, rows: &[Rule]) -> Vec<ProfileRow> {
    let mut counts = vec![0u64; rows.len() + 1];
    let mut frames: Vec<&str> = Vec::new();
    for line in text.lines().chain([""]) {
        let line = line.trim();
        if !line.is_empty() {
            let (address, rest) = line.split_once(' ').unwrap_or((line, ""));
            let (symbol, dso) = rest.rsplit_once(" (").unwrap_or((rest, ""));
            // A frame in a perf map (`/tmp/perf-PID.map`, written when wasmtime profiles
            // with `ProfilingStrategy::PerfMap`) is JIT code, named or not. Otherwise, no
            // symbol and no file: code perf cannot map, which in a wasmtime host is what
            // it compiled; the all-ones address marks the end of a stack.
            let in_perf_map = dso.contains("perf-") && dso.contains(".map");
            let jit = in_perf_map
                || (symbol == "[unknown]"
                    && dso.starts_with("[unknown]")
                    && !address.starts_with("ffffffffffff"));
            frames.push(if jit { JIT } else { symbol });
            continue;
        }
        if frames.is_empty() {
            continue;
        }
        let row = rows
            .iter()
            .position(|(_, symbols)| {
                symbols.iter().any(|&s| match s {
                    JIT_LEAF => frames[0] == JIT,
                    s => frames.iter().any(|frame| frame.contains(s)),
                })
            })
            .unwrap_or(rows.len());
        counts[row] += 1;
        frames.clear();
    }
    rows.iter()
        .map(|(label, _)| *label)
        .chain([OTHER])
        .zip(counts)
        .map(|(row, samples)| ProfileRow {
            row: row.to_owned(),
            samples,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stack_lands_in_the_first_row_it_matches() {
        let text = "\
\t  f1a160 wasmtime::runtime::vm::instance::allocator::pooling::MemoryPool::deallocate_many (/x/fusebox)
\t  99ba18 core::ptr::drop_in_place<wasmtime::runtime::store::StoreInner<State>> (/x/fusebox)
\tffffffffffffffff [unknown] ([unknown])

\t  e6cf70 wasmtime::runtime::component::store::call_context (/x/fusebox)
\t  b5a5d6 wasmtime::runtime::component::func::host::HostFn::cabi_entrypoint (/x/fusebox)
\t7eefcb94d326 [unknown] ([unknown])

\t7eefcb94d400 [unknown] ([unknown])

\tffffffff81e2cd59 sock_write_iter ([kernel.kallsyms])
\t 1d2caff hyper::proto::h1::dispatch::Dispatcher::poll_write (/x/fusebox)

\t 1d2caff hyper::proto::h1::role::parse_headers (/x/fusebox)
\t 1d2caff fusebox_runtime::log::access (/x/fusebox)

\t   fde9d [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t 1d2caff main (/x/fusebox)

\t  f1a160 wasmtime::runtime::vm::instance::Instance::new (/x/fusebox)
\t  9e2e00 wasmtime::runtime::component::instance::InstancePre<T>::instantiate_async::{{closure}} (/x/fusebox)
\t 1d2caff tokio::runtime::task::core::Core<T,S>::poll (/x/fusebox)

\t  f5b2e0 wasmtime::runtime::vm::instance::Instance::get_func_ref (/x/fusebox)
\t  e0a1b2 wasmtime::runtime::vm::libcalls::raw::ref_func (/x/fusebox)
\t7eefcb94d326 [unknown] ([unknown])

\tffffffff81400000 pagemap_scan_pmd_entry ([kernel.kallsyms])
\tffffffff81400100 do_pagemap_scan ([kernel.kallsyms])
\t  e1c000 rustix::ioctl::_ioctl (/x/fusebox)
\t  99ba18 core::ptr::drop_in_place<wasmtime::runtime::store::StoreInner<State>> (/x/fusebox)

\t  f00000 __memcpy_avx512_unaligned_erms (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t  e1c100 wasmtime::runtime::vm::cow::MemoryImageSlot::reset_with_original_mapping::manually_reset_region (/x/fusebox)
\t  99ba18 core::ptr::drop_in_place<wasmtime::runtime::store::StoreInner<State>> (/x/fusebox)
";
        let rows = classify(text, FUSEBOX_ROWS);
        let count = |label: &str| rows.iter().find(|row| row.row == label).unwrap().samples;
        assert_eq!(rows.len(), FUSEBOX_ROWS.len() + 1);
        assert_eq!(count("teardown: dropping the store, resetting slots"), 1);
        assert_eq!(
            count("instantiation"),
            1,
            "`_instantiate` inlined into `instantiate_async` is instantiation"
        );
        assert_eq!(count("tokio: tasks, timers, the request's spawn"), 0);
        assert_eq!(
            count("instantiation: function references (`ref.func`) made by start-up code"),
            1,
            "a `ref.func` libcall under a JIT frame is start-up code's, not the guest's"
        );
        assert_eq!(
            count("teardown: resetting dirty pages (`PAGEMAP_SCAN`, copying back)"),
            2,
            "the page walk and the copies back are split out of teardown"
        );
        assert_eq!(
            count(GUEST_CODE_ROW),
            1,
            "a JIT frame on top is the guest's own code"
        );
        assert_eq!(
            count(GUEST_HOST_CALLS_ROW),
            1,
            "a host function above a JIT frame is a host call the guest made"
        );
        assert_eq!(count("socket reads, writes and epoll (kernel)"), 1);
        assert_eq!(
            count("access log and guest stderr"),
            1,
            "the log rule comes first"
        );
        assert_eq!(count("hyper: HTTP/1.1 parsing and writing"), 0);
        assert_eq!(
            count(OTHER),
            1,
            "an unnamed frame in a file is not guest code"
        );
    }

    #[test]
    fn jit_frames_in_a_perf_map_named_or_not_are_guest_code_and_the_native_rows_hold() {
        let text = "\
\t7f0000001000 [unknown] (/tmp/perf-4242.map)
\t 1d2caff fusebox_runtime::runtime::Runtime::run_p2 (/x/fusebox)

\t7f0000002000 wasm[3]::function[50] (/tmp/perf-4242.map)

\t  b5a5d6 wasmtime::runtime::component::func::host::HostFn::entrypoint (/x/fusebox)
\t7f0000002000 wasm[3]::function[50] (/tmp/perf-4242.map)
";
        let rows = classify(text, FUSEBOX_ROWS);
        let count = |label: &str| rows.iter().find(|row| row.row == label).unwrap().samples;
        assert_eq!(count(GUEST_CODE_ROW), 2);
        assert_eq!(count(GUEST_HOST_CALLS_ROW), 1);

        let native = "\
\t  a1 sha2::sha256::compress256 (/x/native-server)
\t  a2 fusebox_bench::native::respond (/x/native-server)
\t  a3 hyper::proto::h1::dispatch::Dispatcher::poll_read (/x/native-server)
\t  a4 native_server::main (/x/native-server)

\t  b1 hyper::proto::h1::role::encode_headers (/x/native-server)
\t  b4 native_server::main (/x/native-server)

\t  c1 tokio::runtime::scheduler::current_thread::Context::park (/x/native-server)
\t  c4 native_server::main (/x/native-server)
";
        let rows = classify(native, NATIVE_ROWS);
        let samples: Vec<u64> = rows.iter().map(|row| row.samples).collect();
        // socket, handler, hyper, tokio, other: `main` alone puts nothing in the handler.
        assert_eq!(samples, [0, 1, 1, 1, 0]);
    }
}
