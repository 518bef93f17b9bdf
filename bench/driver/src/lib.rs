//! The bench driver: loops of calls into the fused calculator, so that `make bench` can
//! time a cross-component call from inside one instance (see `bench/wit/world.wit`).
//! Built like the real components: `no_std` on wasm32, glue only on wasm32.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;
#[cfg(target_arch = "wasm32")]
extern crate core as std;
#[cfg(target_arch = "wasm32")]
extern crate fusebox_guest;

#[cfg(target_arch = "wasm32")]
#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;

#[cfg(target_arch = "wasm32")]
mod component {
    use crate::bindings::exports::fusebox::bench::calls::Guest;
    use crate::bindings::fusebox::calculator::math;
    use alloc::vec::Vec;

    struct Driver;

    impl Guest for Driver {
        fn add_loop(n: u32, a: u32) -> u32 {
            let mut sum = 0u32;
            for i in 0..n {
                sum = sum.wrapping_add(math::add(a, i).unwrap_or(0));
            }
            sum
        }

        fn sequence_loop(n: u32, len: u32) -> u32 {
            let input: Vec<u32> = (0..len).rev().map(|i| i / 2).collect();
            let mut total = 0u32;
            for _ in 0..n {
                total = total.wrapping_add(math::process_sequence(&input).len() as u32);
            }
            total
        }
    }

    crate::bindings::export!(Driver with_types_in crate::bindings);
}
