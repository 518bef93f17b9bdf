//! The {name} service (`wit/{name}/world.wit`): HTTP on WASI 0.3.
//!
//! - [`logic`]: what the service answers, plain Rust that native `cargo test` covers.
//! - `component.rs`: the bindings glue between `logic` and `wasi:http/handler@0.3.0`,
//!   with bindings generated from the WIT by wit-bindgen's macro at build time.
//!
//! The glue is compiled for wasm32 only: natively the crate is just its logic. On wasm32
//! the crate is `no_std`, with the allocator and panic handler from `fusebox-guest`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;
#[cfg(target_arch = "wasm32")]
extern crate fusebox_guest;

pub mod logic;

#[cfg(target_arch = "wasm32")]
mod component;
