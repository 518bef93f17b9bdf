//! The http-service component: the fusebox JSON API on WASI 0.3's
//! `wasi:http/handler@0.3.0` (`wit/http-service/world.wit`).
//!
//! The same API as the WASI 0.2 `http-handler`, from the same module: `api.rs` is that
//! crate's, included by path, so routing, policy, JSON shapes and status codes have one
//! home. Only the glue differs:
//! - The handler is an `async fn`. It reads the body as a `stream<u8>` and answers with a
//!   `response` whose body stream it writes after returning, from a task it spawns
//!   (`wit_bindgen::spawn_local`): a stream write waits for its reader, and the host
//!   reads the body only once it has the response.
//! - It verifies no token. The auth middleware in front of it (`auth-middleware`) does,
//!   and passes the verified principal on in [`api::PRINCIPAL_HEADER`]. The API's own
//!   checks still run on that principal: a request that reached the service without
//!   one gets 401, so a chain without the middleware fails closed.
//!
//! Like every fusebox component it is `no_std` on wasm32, with `fusebox-guest`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;
#[cfg(target_arch = "wasm32")]
extern crate fusebox_guest;

// Tested where it lives (`cargo test -p http-handler`), so not compiled into this
// crate's tests.
#[cfg(not(test))]
#[path = "../../http-handler/src/api.rs"]
pub mod api;

#[cfg(target_arch = "wasm32")]
mod component;
