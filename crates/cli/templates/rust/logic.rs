//! What {name} does, as plain Rust with no WebAssembly in sight.

#![forbid(unsafe_code)]

use alloc::borrow::ToOwned;
use alloc::string::String;

/// Return `input` unchanged.
pub fn echo(input: &str) -> String {
    input.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_returns_its_input() {
        assert_eq!(echo("hello"), "hello");
        assert_eq!(echo(""), "");
    }
}
