//! What {name} answers, as plain Rust with no WebAssembly in sight.

#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

/// The header auth-middleware sets to the principal it verified (JSON with a `subject`),
/// after removing any copy the client sent.
pub const PRINCIPAL_HEADER: &str = "fusebox-principal";

/// The answer to `method path`, given the verified principal's header value if there is
/// one: a status and a JSON body. Replace this with the service's real routes.
pub fn answer(method: &str, path: &str, principal: Option<&[u8]>) -> (u16, Vec<u8>) {
    #[derive(serde::Deserialize)]
    struct Principal {
        subject: String,
    }
    let subject = principal
        .and_then(|value| serde_json::from_slice::<Principal>(value).ok())
        .map(|p| p.subject);
    let body = serde_json::json!({
        "service": "{name}",
        "method": method,
        "path": path,
        "subject": subject,
    });
    (200, serde_json::to_vec(&body).expect("JSON values serialize"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_names_the_caller_the_middleware_verified() {
        let (status, body) = answer("GET", "/hi", Some(br#"{"subject":"alice","scopes":[]}"#));
        assert_eq!(status, 200);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["subject"], "alice");
        assert_eq!(body["path"], "/hi");
        let (_, body) = answer("GET", "/hi", None);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(body["subject"].is_null());
    }
}
