//! HS256 JSON Web Token verification (RFC 7519), following RFC 8725's advice.
//!
//! Verification only: the component never signs. Tokens are minted by the native
//! `auth-token` development helper (`components/auth/token`).
//!
//! Plain Rust with no WebAssembly in sight: the component glue in `lib.rs` supplies the
//! key (from `wasi:config/store`) and the time (from `wasi:clocks/wall-clock`).
//!
//! What is checked, in order:
//! 1. the token is at most [`MAX_TOKEN_BYTES`] and has exactly three base64url segments;
//! 2. the header is a JSON object whose `alg` is exactly `HS256` (never `none`, never
//!    another algorithm, so no algorithm confusion), whose `typ`, if present, is `JWT`,
//!    and that has no `crit` extensions;
//! 3. the HMAC-SHA256 signature over `header.payload` matches, compared in constant time
//!    by [`hmac::Mac::verify_slice`];
//! 4. only then are the claims parsed: `sub` (a non-empty string) and `exp` (an integer
//!    NumericDate) are required; `nbf` and `iat` are optional integers; `scope` is an
//!    optional space-separated string (RFC 8693);
//! 5. `exp`, `nbf` and `iat` are compared with the clock, allowing [`LEEWAY_SECONDS`]
//!    of skew.

#![forbid(unsafe_code)]

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// The longest token accepted, in bytes; longer ones are rejected before any decoding.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The shortest HS256 key accepted: RFC 7518 §3.2 requires at least 256 bits.
pub const MIN_KEY_BYTES: usize = 32;
/// Clock skew tolerated when checking `exp`, `nbf` and `iat`.
pub const LEEWAY_SECONDS: u64 = 30;
/// The only `alg` this verifier accepts.
pub const ALGORITHM: &str = "HS256";

/// The verified claims of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The `sub` claim: who the token speaks for.
    pub subject: String,
    /// The `scope` claim, split on spaces.
    pub scopes: Vec<String>,
    /// The `exp` claim, in seconds since the Unix epoch.
    pub expires_at: u64,
}

impl Claims {
    /// Whether `scope` was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Why a token was rejected; mirrors the WIT `auth-error` variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The key is missing or shorter than [`MIN_KEY_BYTES`].
    NotConfigured,
    /// The token's structure, base64 or JSON is wrong; the text says where.
    Malformed(String),
    /// The header's `alg` is not `HS256`.
    UnsupportedAlgorithm(String),
    /// The signature does not match.
    BadSignature,
    /// A claim is missing or of the wrong type or value; the text names it.
    InvalidClaims(String),
    /// `exp` is in the past.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
}

impl core::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            VerifyError::NotConfigured => write!(f, "no valid signing key is configured"),
            VerifyError::Malformed(why) => write!(f, "malformed token: {why}"),
            VerifyError::UnsupportedAlgorithm(alg) => {
                write!(f, "unsupported algorithm {alg:?}; only HS256 is accepted")
            }
            VerifyError::BadSignature => write!(f, "signature does not match"),
            VerifyError::InvalidClaims(why) => write!(f, "invalid claims: {why}"),
            VerifyError::Expired => write!(f, "token has expired"),
            VerifyError::NotYetValid => write!(f, "token is not valid yet"),
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
    /// Only its presence matters: any `crit` extension is refused.
    crit: Option<serde::de::IgnoredAny>,
}

/// The claims as they appear on the wire. Unknown claims are ignored, as RFC 7519 asks.
#[derive(Deserialize)]
struct WireClaims {
    sub: String,
    exp: u64,
    #[serde(default)]
    nbf: Option<u64>,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

fn mac(key: &[u8]) -> Result<Hmac<Sha256>, VerifyError> {
    if key.len() < MIN_KEY_BYTES {
        return Err(VerifyError::NotConfigured);
    }
    Hmac::<Sha256>::new_from_slice(key).map_err(|_| VerifyError::NotConfigured)
}

fn decode_segment(name: &str, segment: &str) -> Result<Vec<u8>, VerifyError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|e| VerifyError::Malformed(format!("{name} is not base64url: {e}")))
}

/// Verify `token` with `key` at time `now` (seconds since the Unix epoch).
pub fn verify(token: &str, key: &[u8], now: u64) -> Result<Claims, VerifyError> {
    let mac = mac(key)?;
    if token.len() > MAX_TOKEN_BYTES {
        return Err(VerifyError::Malformed(format!(
            "token is longer than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(VerifyError::Malformed(
            "expected three dot-separated segments".into(),
        ));
    };

    // What the signature covers: `header.payload`, exactly as sent.
    let signed = &token[..header.len() + 1 + payload.len()];

    // The header decides how the rest is read, so check it before anything else.
    let header: Header = serde_json::from_slice(&decode_segment("header", header)?)
        .map_err(|e| VerifyError::Malformed(format!("header is not a JOSE header: {e}")))?;
    if header.alg != ALGORITHM {
        return Err(VerifyError::UnsupportedAlgorithm(header.alg));
    }
    if header.typ.as_deref().is_some_and(|t| t != "JWT") {
        return Err(VerifyError::Malformed("header typ is not JWT".into()));
    }
    if header.crit.is_some() {
        return Err(VerifyError::Malformed(
            "header has crit extensions, which are not supported".into(),
        ));
    }

    // Authenticate before parsing claims: unauthenticated bytes never reach serde.
    let signature = decode_segment("signature", signature)?;
    let mut mac = mac;
    mac.update(signed.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| VerifyError::BadSignature)?;

    let claims: WireClaims = serde_json::from_slice(&decode_segment("payload", payload)?)
        .map_err(|e| VerifyError::InvalidClaims(e.to_string()))?;
    if claims.sub.is_empty() {
        return Err(VerifyError::InvalidClaims("sub is empty".into()));
    }
    if now > claims.exp.saturating_add(LEEWAY_SECONDS) {
        return Err(VerifyError::Expired);
    }
    if claims
        .nbf
        .is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECONDS))
    {
        return Err(VerifyError::NotYetValid);
    }
    if claims
        .iat
        .is_some_and(|iat| iat > now.saturating_add(LEEWAY_SECONDS))
    {
        return Err(VerifyError::InvalidClaims("iat is in the future".into()));
    }
    Ok(Claims {
        subject: claims.sub,
        scopes: claims
            .scope
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        expires_at: claims.exp,
    })
}

/// Properties that hold for every input. `cargo test` checks them with proptest; the
/// cargo-fuzz target `fuzz/fuzz_targets/jwt.rs` (`make fuzz`) with libFuzzer.
#[cfg(any(test, fuzzing))]
pub mod properties {
    use super::*;

    /// The key the properties sign with.
    pub const KEY: &[u8] = b"fusebox-property-key-0123456789ab";
    /// The verifier's clock during the properties.
    pub const NOW: u64 = 1_800_000_000;

    /// `header.claims`, each base64url-encoded, signed with HS256 and `key`.
    pub fn sign(header: &[u8], claims: &[u8], key: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    /// Text that was not signed with the key is refused (a forgery would have to guess
    /// a 256-bit HMAC), without a panic, however it is shaped.
    pub fn unsigned_text_is_refused(token: &str) {
        assert!(verify(token, KEY, NOW).is_err(), "accepted {token:?}");
    }

    /// A token signed with the key but carrying arbitrary header and claims bytes is
    /// accepted only when they are what the rules ask for, and then the verified claims
    /// are exactly the signed ones.
    pub fn signed_tokens_are_judged_by_their_contents(header: &[u8], claims: &[u8]) {
        let Ok(verified) = verify(&sign(header, claims, KEY), KEY, NOW) else {
            return;
        };
        let header: serde_json::Value = serde_json::from_slice(header).expect("a JSON header");
        assert_eq!(header["alg"], ALGORITHM);
        let wire: WireClaims = serde_json::from_slice(claims).expect("claims that parse");
        assert!(!wire.sub.is_empty());
        assert_eq!(verified.subject, wire.sub);
        assert_eq!(verified.expires_at, wire.exp);
        assert!(NOW <= wire.exp.saturating_add(LEEWAY_SECONDS));
        assert!(wire.nbf.is_none_or(|nbf| nbf <= NOW + LEEWAY_SECONDS));
        assert!(wire.iat.is_none_or(|iat| iat <= NOW + LEEWAY_SECONDS));
    }

    /// Replacing any one character of a valid token with a different one makes it
    /// invalid.
    pub fn any_changed_character_is_refused(position: usize, replacement: u8) {
        let claims = format!(r#"{{"sub":"alice","scope":"calc","exp":{}}}"#, NOW + 60);
        let token = sign(br#"{"alg":"HS256","typ":"JWT"}"#, claims.as_bytes(), KEY);
        assert!(verify(&token, KEY, NOW).is_ok());
        let mut bytes = token.into_bytes();
        let position = position % bytes.len();
        if bytes[position] == replacement || !replacement.is_ascii() {
            return;
        }
        bytes[position] = replacement;
        let tampered = String::from_utf8(bytes).expect("ASCII stays UTF-8");
        assert!(
            verify(&tampered, KEY, NOW).is_err(),
            "accepted {tampered:?}"
        );
    }
}

#[cfg(test)]
mod proptests {
    use super::properties::*;
    use proptest::prelude::*;

    /// Headers and claims that are JSON-shaped often enough to reach the later checks.
    fn json_object() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(br#"{"alg":"HS256"}"#.to_vec()),
            r#"\{"alg":"(HS256|none|HS512|RS256)"(,"typ":"(JWT|JWE)")?(,"crit":\[\])?\}"#
                .prop_map(String::into_bytes),
            r#"\{"sub":"[a-z]{0,4}","exp":[0-9]{1,11}(,"nbf":[0-9]{1,11})?(,"iat":[0-9]{1,11})?(,"scope":"[a-z ]{0,10}")?\}"#
                .prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..64),
        ]
    }

    proptest! {
        #[test]
        fn unsigned_text(token in any::<String>()) {
            unsigned_text_is_refused(&token);
        }

        #[test]
        fn unsigned_three_segments(token in "[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}") {
            unsigned_text_is_refused(&token);
        }

        #[test]
        fn signed_contents(header in json_object(), claims in json_object()) {
            signed_tokens_are_judged_by_their_contents(&header, &claims);
        }

        #[test]
        fn tampering(position in any::<usize>(), replacement in any::<u8>()) {
            any_changed_character_is_refused(position, replacement);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"fusebox-test-key-0123456789abcdef";
    const NOW: u64 = 1_800_000_000;

    fn token(scopes: &[&str], issued_at: u64, expires_at: u64) -> String {
        let claims = format!(
            r#"{{"sub":"alice","scope":"{}","iat":{issued_at},"nbf":{issued_at},"exp":{expires_at}}}"#,
            scopes.join(" ")
        );
        raw(HS256, &claims, KEY)
    }

    /// Sign arbitrary header and claims JSON, including tokens no honest minter makes.
    fn raw(header: &str, claims: &str, key: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

    #[test]
    fn a_valid_token_yields_its_claims() {
        let claims = verify(&token(&["calc", "admin"], NOW - 10, NOW + 3600), KEY, NOW).unwrap();
        assert_eq!(claims.subject, "alice");
        assert_eq!(claims.scopes, ["calc", "admin"]);
        assert_eq!(claims.expires_at, NOW + 3600);
        assert!(claims.has_scope("calc"));
        assert!(!claims.has_scope("cal"));
    }

    #[test]
    fn a_token_without_scope_has_no_scopes() {
        let t = raw(
            HS256,
            &format!(r#"{{"sub":"bob","exp":{}}}"#, NOW + 60),
            KEY,
        );
        let claims = verify(&t, KEY, NOW).unwrap();
        assert!(claims.scopes.is_empty());
        assert!(!claims.has_scope("calc"));
    }

    #[test]
    fn expired_tokens_are_rejected_after_the_leeway() {
        let t = token(&["calc"], NOW - 7200, NOW - 3600);
        assert_eq!(verify(&t, KEY, NOW), Err(VerifyError::Expired));
        let just = token(&["calc"], NOW - 100, NOW - LEEWAY_SECONDS);
        assert!(verify(&just, KEY, NOW).is_ok());
        let past = token(&["calc"], NOW - 100, NOW - LEEWAY_SECONDS - 1);
        assert_eq!(verify(&past, KEY, NOW), Err(VerifyError::Expired));
    }

    #[test]
    fn tokens_not_yet_valid_are_rejected() {
        let claims = format!(r#"{{"sub":"a","exp":{},"nbf":{}}}"#, NOW + 7200, NOW + 3600);
        assert_eq!(
            verify(&raw(HS256, &claims, KEY), KEY, NOW),
            Err(VerifyError::NotYetValid)
        );
    }

    #[test]
    fn far_future_iat_is_rejected() {
        let claims = format!(r#"{{"sub":"a","exp":{},"iat":{}}}"#, NOW + 7200, NOW + 3600);
        assert!(matches!(
            verify(&raw(HS256, &claims, KEY), KEY, NOW),
            Err(VerifyError::InvalidClaims(why)) if why.contains("iat")
        ));
    }

    #[test]
    fn a_bad_signature_is_rejected() {
        let forged = raw(
            HS256,
            &format!(r#"{{"sub":"a","exp":{}}}"#, NOW + 60),
            b"another-key-that-is-long-enough!!",
        );
        assert_eq!(verify(&forged, KEY, NOW), Err(VerifyError::BadSignature));

        // Flip one character of the signature of a genuine token.
        let mut t = token(&["calc"], NOW, NOW + 60).into_bytes();
        let last = t.len() - 2;
        t[last] = if t[last] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(t).unwrap();
        assert_eq!(verify(&t, KEY, NOW), Err(VerifyError::BadSignature));
    }

    #[test]
    fn changing_the_claims_breaks_the_signature() {
        let genuine = token(&["calc"], NOW, NOW + 60);
        let parts: Vec<&str> = genuine.split('.').collect();
        let elevated = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"root","exp":{},"scope":"calc admin"}}"#,
            NOW + 60
        ));
        let t = format!("{}.{}.{}", parts[0], elevated, parts[2]);
        assert_eq!(verify(&t, KEY, NOW), Err(VerifyError::BadSignature));
    }

    #[test]
    fn only_hs256_is_accepted() {
        let claims = format!(r#"{{"sub":"a","exp":{}}}"#, NOW + 60);
        for alg in ["none", "None", "HS512", "RS256", "ES256", "hs256", ""] {
            let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
            assert_eq!(
                verify(&raw(&header, &claims, KEY), KEY, NOW),
                Err(VerifyError::UnsupportedAlgorithm(alg.into())),
                "alg {alg:?}"
            );
        }
        // `alg: none` with an empty signature segment, the classic attack.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(&claims)
        );
        assert_eq!(
            verify(&none, KEY, NOW),
            Err(VerifyError::UnsupportedAlgorithm("none".into()))
        );
    }

    #[test]
    fn unexpected_header_fields_are_rejected() {
        let claims = format!(r#"{{"sub":"a","exp":{}}}"#, NOW + 60);
        let jwe = raw(r#"{"alg":"HS256","typ":"JWE"}"#, &claims, KEY);
        assert!(matches!(
            verify(&jwe, KEY, NOW),
            Err(VerifyError::Malformed(_))
        ));
        let crit = raw(r#"{"alg":"HS256","crit":["exp"]}"#, &claims, KEY);
        assert!(matches!(
            verify(&crit, KEY, NOW),
            Err(VerifyError::Malformed(_))
        ));
        let no_typ = raw(r#"{"alg":"HS256"}"#, &claims, KEY);
        assert!(verify(&no_typ, KEY, NOW).is_ok());
    }

    #[test]
    fn malformed_structure_is_rejected() {
        let good = token(&["calc"], NOW, NOW + 60);
        let truncated = &good[..good.len() / 2];
        let cases = [
            "".to_string(),
            "abc".to_string(),
            "a.b".to_string(),
            format!("{good}.extra"),
            format!(" {good}"),
            format!("{good} "),
            truncated.to_string(),
            "!!!.???.***".to_string(),
            format!("{}.e30.sig", URL_SAFE_NO_PAD.encode("not json")),
            format!("{}=.e30.sig", URL_SAFE_NO_PAD.encode(HS256)),
        ];
        for t in cases {
            assert!(
                matches!(
                    verify(&t, KEY, NOW),
                    Err(VerifyError::Malformed(_) | VerifyError::BadSignature)
                ),
                "{t:?} gave {:?}",
                verify(&t, KEY, NOW)
            );
        }
    }

    #[test]
    fn malformed_claims_are_rejected_after_the_signature_check() {
        for claims in [
            "not json".to_string(),
            "[]".to_string(),
            format!(r#"{{"exp":{}}}"#, NOW + 60),
            r#"{"sub":"a"}"#.to_string(),
            format!(r#"{{"sub":"","exp":{}}}"#, NOW + 60),
            format!(r#"{{"sub":7,"exp":{}}}"#, NOW + 60),
            r#"{"sub":"a","exp":"tomorrow"}"#.to_string(),
            format!(r#"{{"sub":"a","exp":{}.5}}"#, NOW + 60),
            r#"{"sub":"a","exp":-1}"#.to_string(),
            format!(r#"{{"sub":"a","exp":{},"scope":["calc"]}}"#, NOW + 60),
            format!(r#"{{"sub":"a","exp":{},"nbf":"now"}}"#, NOW + 60),
        ] {
            assert!(
                matches!(
                    verify(&raw(HS256, &claims, KEY), KEY, NOW),
                    Err(VerifyError::InvalidClaims(_))
                ),
                "{claims}"
            );
        }
    }

    #[test]
    fn huge_tokens_are_rejected_without_decoding() {
        let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert!(
            matches!(verify(&huge, KEY, NOW), Err(VerifyError::Malformed(why)) if why.contains("longer"))
        );
    }

    #[test]
    fn short_or_missing_keys_refuse_everything() {
        let t = token(&["calc"], NOW, NOW + 60);
        assert_eq!(verify(&t, b"", NOW), Err(VerifyError::NotConfigured));
        assert_eq!(
            verify(&t, &KEY[..MIN_KEY_BYTES - 1], NOW),
            Err(VerifyError::NotConfigured)
        );
    }

    #[test]
    fn errors_explain_themselves() {
        assert_eq!(
            VerifyError::UnsupportedAlgorithm("none".into()).to_string(),
            "unsupported algorithm \"none\"; only HS256 is accepted"
        );
        assert_eq!(VerifyError::Expired.to_string(), "token has expired");
    }
}
