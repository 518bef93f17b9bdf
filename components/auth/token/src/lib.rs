//! A development helper for the example `auth` component: mint the HS256 JSON Web Tokens
//! it accepts, and name the `wasi:config/store` key it reads its signing key from.
//!
//! The auth component only verifies (`components/auth/src/jwt.rs`); signing is a native
//! job for operators and tests, so it lives beside the component, not in the runtime,
//! which knows no component. The two are independent implementations of RFC 7519, and
//! the end-to-end tests check that they agree. `cargo run -p auth-token -- --help` is the
//! command-line face.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The `wasi:config/store` key the auth component reads its HS256 key from: give the
/// runtime `--config auth.hs256-key=@FILE`. It is `KEY_NAME` in
/// `components/auth/src/lib.rs`; a test below keeps the two equal, and likewise
/// [`MIN_KEY_BYTES`].
pub const KEY_CONFIG: &str = "auth.hs256-key";

/// The shortest key accepted: RFC 7518 §3.2 requires at least 256 bits for HS256, and
/// the auth component refuses shorter ones.
pub const MIN_KEY_BYTES: usize = 32;

/// What to put in a token.
#[derive(Debug, Clone)]
pub struct Claims {
    /// The `sub` claim: who the token speaks for.
    pub subject: String,
    /// The scopes, joined with spaces into the `scope` claim.
    pub scopes: Vec<String>,
    /// When the token becomes valid (`iat` and `nbf`).
    pub not_before: SystemTime,
    /// When the token expires (`exp`).
    pub expires_at: SystemTime,
}

impl Claims {
    /// Claims for `subject` with `scopes`, valid from now for `ttl`.
    pub fn new(subject: impl Into<String>, scopes: &[&str], ttl: Duration) -> Self {
        let now = SystemTime::now();
        Claims {
            subject: subject.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            not_before: now,
            expires_at: now + ttl,
        }
    }
}

#[derive(Serialize)]
struct Wire<'a> {
    sub: &'a str,
    scope: String,
    iat: u64,
    nbf: u64,
    exp: u64,
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Sign `claims` with `key`. Fails if the key is shorter than [`MIN_KEY_BYTES`].
pub fn mint(claims: &Claims, key: &[u8]) -> anyhow::Result<String> {
    anyhow::ensure!(
        key.len() >= MIN_KEY_BYTES,
        "the HS256 key must be at least {MIN_KEY_BYTES} bytes (it is {})",
        key.len()
    );
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = serde_json::to_vec(&Wire {
        sub: &claims.subject,
        scope: claims.scopes.join(" "),
        iat: unix(claims.not_before),
        nbf: unix(claims.not_before),
        exp: unix(claims.expires_at),
    })?;
    let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok(format!("{signing_input}.{signature}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"auth-token-test-key--0123456789abcdef";

    fn decode(segment: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
    }

    #[test]
    fn tokens_have_the_expected_header_and_claims() {
        let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let claims = Claims {
            subject: "alice".into(),
            scopes: vec!["calc".into(), "admin".into()],
            not_before: start,
            expires_at: start + Duration::from_secs(3600),
        };
        let token = mint(&claims, KEY).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            decode(parts[0]),
            serde_json::json!({"alg": "HS256", "typ": "JWT"})
        );
        assert_eq!(
            decode(parts[1]),
            serde_json::json!({"sub": "alice", "scope": "calc admin", "iat": 1_800_000_000u64,
                               "nbf": 1_800_000_000u64, "exp": 1_800_003_600u64})
        );
        // The signature is HMAC-SHA256 over `header.payload`.
        let mut mac = Hmac::<Sha256>::new_from_slice(KEY).unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
            .unwrap();
    }

    #[test]
    fn the_config_key_and_the_key_length_are_the_ones_the_component_uses() {
        let component = include_str!("../../src/lib.rs");
        let declaration = format!("pub const KEY_NAME: &str = {KEY_CONFIG:?};");
        assert!(component.contains(&declaration), "expected `{declaration}`");
        let verifier = include_str!("../../src/jwt.rs");
        let declaration = format!("MIN_KEY_BYTES: usize = {MIN_KEY_BYTES};");
        assert!(verifier.contains(&declaration), "expected `{declaration}`");
    }

    #[test]
    fn short_keys_are_refused() {
        let claims = Claims::new("a", &[], Duration::from_secs(60));
        let error = mint(&claims, b"short").unwrap_err();
        assert!(error.to_string().contains("at least 32 bytes"), "{error}");
    }
}
