//! The fusebox runtime: a host for any `wasi:http` component, WASI 0.2 or 0.3, fused or
//! not.
//!
//! - [`runtime`]: wasmtime with wasmtime-wasi-http, serving each request in a fresh,
//!   limited instance of the artifact (`fusebox serve` is built on it, and so are the
//!   end-to-end tests and the benchmarks).
//! - [`server`]: HTTP/1.1 on top of the runtime, with access logs and graceful shutdown.
//! - [`log`]: the server's JSON log lines, buffered per server thread.
//!
//! It knows no component: what a component needs from its operator arrives as plain
//! `wasi:config/store` values ([`runtime::RuntimeConfig::config`]). It links nothing
//! that serving does not need, so no registry client and no signing code.

pub mod log;
pub mod runtime;
pub mod server;

/// Each live instance maps about this many memory regions (measured: 18 for fusebox's
/// artifact, one per memory, table and stack slot and image), with a margin.
const MAPPINGS_PER_INSTANCE: usize = 20;

/// A warning when Linux's `vm.max_map_count` is too low for `max_instances` live at once:
/// past it, mmap fails, instances cannot start, and the allocator itself can fail.
/// `None` when the limit is high enough, or cannot be read (not Linux).
pub fn map_count_warning(max_instances: usize) -> Option<String> {
    let limit: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let needed = mappings_needed(max_instances);
    (needed > limit).then(|| {
        format!(
            "--max-instances {max_instances} can need about {needed} memory mappings, but \
             vm.max_map_count is {limit}: raise it (sysctl vm.max_map_count={needed}) or \
             lower --max-instances to {}",
            limit.saturating_sub(10_000) / MAPPINGS_PER_INSTANCE
        )
    })
}

/// About how many memory mappings a process needs to keep `max_instances` instances live
/// at once: [`map_count_warning`]'s estimate, for whoever raises `vm.max_map_count`.
pub fn mappings_needed(max_instances: usize) -> usize {
    max_instances.saturating_mul(MAPPINGS_PER_INSTANCE) + 10_000
}

/// Stop library errors from capturing backtraces (`RUST_LIB_BACKTRACE=0`), unless the
/// environment already says otherwise.
///
/// Some wasmtime and wasi-http errors are routine: a client closes a stream, or a guest
/// traps. With `RUST_BACKTRACE=1` set for panics, each of them would walk the stack, and
/// `make bench` measured that at about 10% of a cold start. Panics still print their
/// backtraces, and `RUST_LIB_BACKTRACE=1` turns the error backtraces back on.
///
/// # Safety
///
/// This sets an environment variable. Call it before any other thread starts, as the
/// first thing in `main`.
pub unsafe fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: the caller promises that no other thread exists yet.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
}

/// Why a runtime could not start.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The engine could not be configured.
    #[error("cannot configure wasmtime: {0:#}")]
    Engine(wasmtime::Error),
    /// The artifact is not a component wasmtime can compile.
    #[error("cannot compile the artifact: {0:#}")]
    Compile(wasmtime::Error),
    /// The artifact imports something this host does not grant.
    #[error(
        "the artifact needs a capability this host does not grant (it grants only \
         wasi:http/proxy, for WASI 0.3 also wasi:http/service, and wasi:config/store): {0:#}"
    )]
    NotGranted(wasmtime::Error),
    /// The artifact exports neither `wasi:http/incoming-handler` (WASI 0.2) nor
    /// `wasi:http/handler` (WASI 0.3).
    #[error(
        "the artifact is neither a wasi:http/proxy (WASI 0.2) nor a wasi:http/service \
         (WASI 0.3) component: {0:#}"
    )]
    NotAProxy(wasmtime::Error),
}
