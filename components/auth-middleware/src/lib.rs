//! The auth-middleware component: bearer-token authentication in front of any
//! `wasi:http@0.3.0` service (`wit/auth-middleware/world.wit`).
//!
//! It imports `wasi:http/handler` (the next handler in the chain, fused in by the
//! composer: see docs/wasi-0.3.md) and exports it. For each request:
//! 1. It removes any [`api::PRINCIPAL_HEADER`] the client sent.
//! 2. It looks the request up in its [`policy`] (runtime config `auth.routes`). A request
//!    the policy does not guard passes on as it is.
//! 3. Otherwise it verifies the `authorization: Bearer` token through the fused `auth`
//!    component (`fusebox:auth/verifier`), with the same rules as the WASI 0.2 service,
//!    and answers 401 (no or bad token) or 403 (missing scope) itself, with the API's
//!    JSON error bodies.
//! 4. A verified request passes on with the principal in [`api::PRINCIPAL_HEADER`].
//!
//! Its logic is plain Rust that native `cargo test` covers: [`policy`] here, and the
//! token checks and error bodies of the http-handler's `api.rs`, included by path.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;
#[cfg(target_arch = "wasm32")]
extern crate fusebox_guest;

// Tested where it lives (`cargo test -p http-handler`), so not compiled into this
// crate's tests.
#[cfg(not(test))]
#[path = "../../http-handler/src/api.rs"]
pub mod api;
pub mod policy;

#[cfg(target_arch = "wasm32")]
mod component;
