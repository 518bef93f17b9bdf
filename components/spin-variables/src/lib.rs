//! `spin-variables`: runtime configuration for Spin 3 and 4.1 hosts, from application variables.
//!
//! See `wit/spin-variables/world.wit` for why it exists. It exports
//! `wasi:config/store@0.2.0-rc.1`, the version fusebox's components import, and answers
//! each `get` with Spin's `fermyon:spin/variables@2.0.0`, under the variable name
//! [`variable_name`] gives the key. `examples/spin/fusebox.toml` fuses it, and the
//! composer checks that artifact against Spin's `fermyon:spin/http-trigger@3.0.0` world;
//! `examples/spin-p3/fusebox.toml` fuses it into the WASI 0.3 artifact for Spin 4.1.
//!
//! The name mapping is plain Rust that native `cargo test` covers; the glue is compiled
//! for wasm32 only, where the crate is `no_std` like fusebox's own components.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;
// The generated bindings name `std::error::Error`; without std, `core` provides it.
#[cfg(target_arch = "wasm32")]
extern crate core as std;
#[cfg(target_arch = "wasm32")]
extern crate fusebox_guest;

use alloc::string::String;

/// The Spin variable a config key is read from. Spin allows lowercase ASCII letters,
/// digits and single underscores in a variable name, so letters are lowered, every run
/// of other characters becomes one `_`, and none is left at either end:
/// `auth.hs256-key` is `auth_hs256_key`. Keys that differ only in those characters
/// (`a.b`, `a-b`) read the same variable.
pub fn variable_name(key: &str) -> String {
    let mut name = String::new();
    for c in key.chars() {
        match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => name.push(c),
            _ if name.ends_with('_') || name.is_empty() => {}
            _ => name.push('_'),
        }
    }
    while name.ends_with('_') {
        name.pop();
    }
    name
}

#[cfg(target_arch = "wasm32")]
#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
#[rustfmt::skip] // generated: kept exactly as cargo-component writes it
mod bindings;

#[cfg(target_arch = "wasm32")]
mod component {
    use crate::bindings::exports::wasi::config::store::{Error, Guest};
    use crate::bindings::fermyon::spin::variables;
    use alloc::string::String;
    use alloc::vec::Vec;

    /// Implements the exported rc.1 store over Spin's variables.
    struct Adapter;

    impl Guest for Adapter {
        fn get(key: String) -> Result<Option<String>, Error> {
            match variables::get(&crate::variable_name(&key)) {
                Ok(value) => Ok(Some(value)),
                // A variable the application does not define is a key with no value.
                Err(variables::Error::Undefined(_)) => Ok(None),
                Err(variables::Error::InvalidName(message)) => Err(Error::Upstream(message)),
                Err(variables::Error::Provider(message) | variables::Error::Other(message)) => {
                    Err(Error::Io(message))
                }
            }
        }

        fn get_all() -> Result<Vec<(String, String)>, Error> {
            Err(Error::Upstream(String::from(
                "Spin cannot list its variables: read each key with `get`",
            )))
        }
    }

    crate::bindings::export!(Adapter with_types_in crate::bindings);
}

#[cfg(test)]
mod tests {
    use super::variable_name;

    #[test]
    fn keys_become_spin_variable_names() {
        assert_eq!(variable_name("auth.hs256-key"), "auth_hs256_key");
        assert_eq!(variable_name("Greeting"), "greeting");
        assert_eq!(variable_name("a_b9"), "a_b9");
        assert_eq!(variable_name("-db..url_"), "db_url");
        assert_eq!(variable_name("a.b"), variable_name("a-b"));
    }
}
