//! The native side of fusebox: a production host for the fused artifact, and tokens.
//!
//! - [`runtime`]: wasmtime with wasmtime-wasi-http, serving each request in a fresh,
//!   limited instance of the artifact (`fusebox serve` is built on it, and so are the
//!   end-to-end tests).
//! - [`server`]: HTTP/1.1 on top of the runtime, with access logs and graceful shutdown.
//! - [`token`]: mint HS256 tokens that the auth component accepts (`fusebox token`).

/// The `wasi:config/store` key the auth component reads its HS256 key from (it is
/// `KEY_NAME` in `components/auth/src/lib.rs`).
pub const AUTH_KEY_CONFIG: &str = "auth.hs256-key";

pub mod runtime;
pub mod server;
pub mod token;

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
         wasi:http/proxy and wasi:config/store): {0:#}"
    )]
    NotGranted(wasmtime::Error),
    /// The artifact does not export `wasi:http/incoming-handler`.
    #[error("the artifact is not a wasi:http/proxy component: {0:#}")]
    NotAProxy(wasmtime::Error),
}
