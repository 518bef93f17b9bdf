//! The misbehaviours, one per operation.

use crate::bindings::exports::fusebox::calculator::math::{Guest, MathError};
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

/// How many times `subtract` has run in this instance.
static SUBTRACT_CALLS: AtomicU32 = AtomicU32::new(0);

struct Misbehaving;

impl Guest for Misbehaving {
    fn add(_a: u32, _b: u32) -> Result<u32, MathError> {
        panic!("deliberate panic in add")
    }

    fn subtract(_a: u32, _b: u32) -> Result<u32, MathError> {
        Ok(SUBTRACT_CALLS.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn multiply(a: u32, _b: u32) -> Result<u32, MathError> {
        let mut spins = a;
        loop {
            spins = core::hint::black_box(spins.wrapping_add(1));
        }
    }

    fn divide(a: u32, b: u32) -> Result<u32, MathError> {
        a.checked_div(b).ok_or(MathError::DivisionByZero)
    }

    fn process_sequence(input: Vec<u32>) -> Vec<u32> {
        // Without std an allocation failure panics, and the panic handler traps.
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1; 1 << 20]);
            if core::hint::black_box(hoard.len()) == usize::MAX {
                return input;
            }
        }
    }
}

crate::bindings::export!(Misbehaving with_types_in crate::bindings);
