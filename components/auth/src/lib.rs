//! The auth component: turns a bearer token into a `principal` resource.
//!
//! Token checking lives in [`jwt`], plain Rust that native `cargo test` covers. This file
//! is the glue to `wit/auth/world.wit`: it reads the HS256 key from `wasi:config/store`
//! (so no key is ever compiled in), reads the time from `wasi:clocks/wall-clock`, logs
//! each rejection through the shared logger, and hands out [`Principal`] resources.

#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
mod bindings;
pub mod jwt;

use bindings::exports::fusebox::auth::types::{AuthError, GuestPrincipal, Principal as PrincipalHandle};
use bindings::exports::fusebox::auth::verifier::Guest;
use bindings::fusebox::logger::log::{self, Field, Level};
use bindings::wasi::clocks::wall_clock;
use bindings::wasi::config::store;

/// The config-store key under which the host provides the HS256 signing key.
pub const KEY_NAME: &str = "auth.hs256-key";

/// The component: implements `verifier` and owns the `principal` resource type.
struct Auth;

/// The state behind one `principal` handle: the verified claims. They never leave this
/// component except through the resource's methods.
pub struct Principal {
    claims: jwt::Claims,
}

impl GuestPrincipal for Principal {
    fn subject(&self) -> String {
        self.claims.subject.clone()
    }

    fn scopes(&self) -> Vec<String> {
        self.claims.scopes.clone()
    }

    fn has_scope(&self, scope: String) -> bool {
        self.claims.has_scope(&scope)
    }

    fn expires_at(&self) -> u64 {
        self.claims.expires_at
    }
}

impl bindings::exports::fusebox::auth::types::Guest for Auth {
    type Principal = Principal;
}

impl Guest for Auth {
    fn verify(token: String) -> Result<PrincipalHandle, AuthError> {
        let key = match store::get(KEY_NAME) {
            Ok(Some(key)) => key,
            Ok(None) => return Err(reject(jwt::VerifyError::NotConfigured, "key is not set")),
            Err(_) => return Err(reject(jwt::VerifyError::NotConfigured, "config store failed")),
        };
        let now = wall_clock::now().seconds;
        match jwt::verify(&token, key.as_bytes(), now) {
            Ok(claims) => Ok(PrincipalHandle::new(Principal { claims })),
            Err(error) => Err(reject(error, "")),
        }
    }
}

/// Log why a token was refused (never the token itself) and convert the reason to WIT.
fn reject(error: jwt::VerifyError, detail: &str) -> AuthError {
    let mut fields = vec![Field {
        key: "reason".into(),
        value: error.to_string(),
    }];
    if !detail.is_empty() {
        fields.push(Field {
            key: "detail".into(),
            value: detail.into(),
        });
    }
    log::event(Level::Warn, "auth", "token rejected", &fields);
    match error {
        jwt::VerifyError::NotConfigured => AuthError::NotConfigured,
        jwt::VerifyError::Malformed(why) => AuthError::Malformed(why),
        jwt::VerifyError::UnsupportedAlgorithm(alg) => AuthError::UnsupportedAlgorithm(alg),
        jwt::VerifyError::BadSignature => AuthError::BadSignature,
        jwt::VerifyError::InvalidClaims(why) => AuthError::InvalidClaims(why),
        jwt::VerifyError::Expired => AuthError::Expired,
        jwt::VerifyError::NotYetValid => AuthError::NotYetValid,
    }
}

bindings::export!(Auth with_types_in bindings);
