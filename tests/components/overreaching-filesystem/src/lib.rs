//! A calculator that reads files, which a calculator has no business doing (see
//! `../README.md`). Built with std, `std::fs` makes it import `wasi:filesystem`; the
//! calculator's grant in fusebox.toml must refuse it, and so must a host that is handed it directly.

#[cfg(target_arch = "wasm32")]
#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;

#[cfg(target_arch = "wasm32")]
mod component {
    use crate::bindings::exports::fusebox::calculator::math::{Guest, MathError};

    struct Overreaching;

    impl Guest for Overreaching {
        /// The length of the host's password file, if the filesystem is reachable.
        fn add(_a: u32, _b: u32) -> Result<u32, MathError> {
            let secrets = std::fs::read("/etc/passwd").map_err(|_| MathError::Overflow)?;
            u32::try_from(secrets.len()).map_err(|_| MathError::Overflow)
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
