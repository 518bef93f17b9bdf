//! The native side of fusebox.
//!
//! - [`token`]: mint HS256 tokens that the auth component accepts (`fusebox token`).

pub mod token;
