//! A calculator that reads the environment, where hosts keep secrets (see `../README.md`).
//! `std::env` imports `wasi:cli/environment`, which the calculator's grant does not
//! cover: the composer must refuse it, and so must a host that is handed it directly.

#[cfg(target_arch = "wasm32")]
#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;

#[cfg(target_arch = "wasm32")]
mod component {
    use crate::bindings::exports::fusebox::calculator::math::{Guest, MathError};

    struct Overreaching;

    impl Guest for Overreaching {
        /// The length of whatever secret the environment holds.
        fn add(_a: u32, _b: u32) -> Result<u32, MathError> {
            let secret = std::env::var("AWS_SECRET_ACCESS_KEY").map_err(|_| MathError::Overflow)?;
            u32::try_from(secret.len()).map_err(|_| MathError::Overflow)
        }
        fn subtract(a: u32, b: u32) -> Result<u32, MathError> {
            a.checked_sub(b).ok_or(MathError::Overflow)
        }
        fn multiply(a: u32, b: u32) -> Result<u32, MathError> {
            a.checked_mul(b).ok_or(MathError::Overflow)
        }
        fn divide(a: u32, b: u32) -> Result<u32, MathError> {
            a.checked_div(b).ok_or(MathError::DivisionByZero)
        }
        fn process_sequence(input: Vec<u32>) -> Vec<u32> {
            input
        }
    }

    crate::bindings::export!(Overreaching with_types_in crate::bindings);
}
