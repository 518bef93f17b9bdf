//! A calculator that misbehaves on purpose, to test the host (see `../README.md`).
//!
//! It implements the real `fusebox:calculator/calculator` world and, like the real one,
//! is `no_std` on wasm32, so it imports only the logger: a manifest swaps it in for the
//! real calculator by changing nothing but the calculator's `source` line.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;
// The generated bindings name `std::error::Error`; without std, `core` provides it.
#[cfg(target_arch = "wasm32")]
extern crate core as std;
// The allocator, and a panic handler that traps.
#[cfg(target_arch = "wasm32")]
extern crate fusebox_guest;

#[cfg(target_arch = "wasm32")]
#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;
#[cfg(target_arch = "wasm32")]
mod component;
