//! One module per verb, each a clap struct with a `run` method over its library.

pub mod compose;
pub mod inspect;
pub mod keygen;
pub mod new;
pub mod pull;
pub mod push;
pub mod serve;
pub mod sign;
pub mod verify;

/// `bytes` as KiB with one decimal, as every verb prints sizes.
pub fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
