//! The auth component's JWT verifier (`components/auth/src/jwt.rs`) on arbitrary bytes.
#![no_main]

extern crate alloc;

#[path = "../../components/auth/src/jwt.rs"]
#[allow(dead_code)]
mod jwt;

use jwt::properties::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // As a token of its own.
    if let Ok(text) = std::str::from_utf8(data) {
        unsigned_text_is_refused(text);
    }
    // As a header and claims, split at the first 0xff, then correctly signed.
    let (header, claims) = match data.iter().position(|&b| b == 0xff) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&br#"{"alg":"HS256"}"#[..], data),
    };
    signed_tokens_are_judged_by_their_contents(header, claims);
    // As a tampering of a valid token.
    if let [a, b, c, ..] = data {
        any_changed_character_is_refused(usize::from(*a) << 8 | usize::from(*b), *c);
    }
});
