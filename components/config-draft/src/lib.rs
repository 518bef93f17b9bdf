//! `config-draft`: runtime configuration for hosts that speak `wasi:config@0.2.0-draft`.
//!
//! See `wit/config-draft/world.wit` for why it exists. It exports
//! `wasi:config/store@0.2.0-rc.1`, the version fusebox's components import, and answers
//! each call by making the same call on the `0.2.0-draft` import, which is what wasmCloud
//! 1.x provides. The two versions declare the same functions and types, so each value,
//! and each error with its message, passes through unchanged. `examples/wasmcloud/`
//! fuses it; `tests/tests/wasmcloud.rs` tests it under wasmtime with a draft store.
//!
//! Like fusebox's own components it is `no_std` on wasm32, with the allocator and panic
//! handler from `fusebox-guest`, so it imports nothing but the draft store.

#![cfg(target_arch = "wasm32")]
#![no_std]

extern crate alloc;
// The generated bindings name `std::error::Error`; without std, `core` provides it.
extern crate core as std;
extern crate fusebox_guest;

use alloc::string::String;
use alloc::vec::Vec;

#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;

use bindings::exports::wasi::config0_2_0_rc_1::store as rc1;
use bindings::wasi::config0_2_0_draft::store as draft;

/// Implements the exported rc.1 store over the imported draft one.
struct Adapter;

impl rc1::Guest for Adapter {
    fn get(key: String) -> Result<Option<String>, rc1::Error> {
        draft::get(&key).map_err(error)
    }

    fn get_all() -> Result<Vec<(String, String)>, rc1::Error> {
        draft::get_all().map_err(error)
    }
}

/// The same error, at the other version.
fn error(error: draft::Error) -> rc1::Error {
    match error {
        draft::Error::Upstream(message) => rc1::Error::Upstream(message),
        draft::Error::Io(message) => rc1::Error::Io(message),
    }
}

bindings::export!(Adapter with_types_in bindings);
