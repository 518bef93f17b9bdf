//! A calculator that misbehaves on purpose, to test the host (see `../README.md`).
//!
//! It implements the real `fusebox:calculator/calculator` world, so the composer fuses it
//! in place of the real calculator.

#[cfg(target_arch = "wasm32")]
#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;
#[cfg(target_arch = "wasm32")]
mod component;
