//! The bindings glue: maps `jwt` onto the component's WIT world. Compiled for
//! wasm32 only; see the crate docs.

use crate::bindings::exports::fusebox::auth::types::{
    AuthError, GuestPrincipal, Principal as PrincipalHandle,
};
use crate::bindings::exports::fusebox::auth::verifier::Guest;
use crate::bindings::fusebox::logger::log::{self, Field, Level};
use crate::bindings::wasi::clocks::wall_clock;
use crate::bindings::wasi::config::store;
use crate::{KEY_NAME, jwt};
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// The component: implements `verifier` and owns the `principal` resource type.
struct Auth;

/// The state behind one `principal` handle: the verified claims. They never leave this
/// component except through the resource's methods.
pub(crate) struct Principal {
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

impl crate::bindings::exports::fusebox::auth::types::Guest for Auth {
    type Principal = Principal;
}

impl Guest for Auth {
    fn verify(token: String) -> Result<PrincipalHandle, AuthError> {
        let key = match store::get(KEY_NAME) {
            Ok(Some(key)) => key,
            Ok(None) => return Err(reject(jwt::VerifyError::NotConfigured, "key is not set")),
            Err(_) => {
                return Err(reject(
                    jwt::VerifyError::NotConfigured,
                    "config store failed",
                ));
            }
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

crate::bindings::export!(Auth with_types_in crate::bindings);
