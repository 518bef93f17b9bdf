//! The JSON API, as plain Rust: routing, authentication policy, request and response
//! shapes, and the mapping of every failure to a status code.
//!
//! The component glue in `lib.rs` turns a `wasi:http` request into a [`Request`], hands
//! this module a [`Services`] implementation backed by the fused calculator and auth
//! components, and writes the [`Response`] back. Native `cargo test` drives the same code
//! with an in-memory [`Services`].
//!
//! | route                         | auth           | body                   | answer                      |
//! |-------------------------------|----------------|------------------------|-----------------------------|
//! | `GET /healthz`                | none           |                        | `{"status":"ok"}`           |
//! | `GET /v1/whoami`              | any valid token|                        | `{"subject","scopes","expires_at"}` |
//! | `POST /v1/{add,subtract,multiply,divide}` | scope `calc` | `{"a":u32,"b":u32}` | `{"result":u32}`    |
//! | `POST /v1/sequence`           | scope `calc`   | `{"values":[u32]}`     | `{"result":[u32]}`          |
//!
//! Errors are `{"error":{"status":N,"code":"…","message":"…"}}` with status 400 (bad JSON
//! or shape), 401 (missing or invalid token), 403 (missing scope), 404, 405, 413 (body
//! over [`MAX_BODY_BYTES`]), 415 (not `application/json`) or 422 (overflow, division by
//! zero).

#![forbid(unsafe_code)]

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// The largest request body accepted, in bytes. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The scope a token needs to use the calculator endpoints.
pub const CALC_SCOPE: &str = "calc";

/// The header in which the auth middleware (WASI 0.3, `components/auth-middleware`)
/// hands the principal it verified to the service behind it, as [`ForwardedPrincipal`]
/// JSON. The middleware removes any copy a client sent, so inside the fused artifact the
/// header can only have come from it.
pub const PRINCIPAL_HEADER: &str = "fusebox-principal";

/// A binary operation the calculator offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `a + b`.
    Add,
    /// `a - b`.
    Subtract,
    /// `a * b`.
    Multiply,
    /// `a / b`.
    Divide,
}

/// What a request asks for, once its method and path have been matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /healthz`.
    Health,
    /// `GET /v1/whoami`.
    WhoAmI,
    /// `POST /v1/{add,subtract,multiply,divide}`.
    Binary(Op),
    /// `POST /v1/sequence`.
    Sequence,
}

impl Endpoint {
    /// Whether this endpoint reads a request body (and so needs one read and limited).
    pub fn takes_body(self) -> bool {
        matches!(self, Endpoint::Binary(_) | Endpoint::Sequence)
    }
}

/// The parts of an HTTP request the API looks at.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// The `authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The `content-type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body, already read and no longer than [`MAX_BODY_BYTES`].
    pub body: &'a [u8],
}

/// An HTTP response: a status, extra headers and a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers beyond `content-type: application/json`, such as `allow`.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
}

impl Response {
    fn json(status: u16, value: &impl Serialize) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: serde_json::to_vec(value).expect("API values always serialize"),
        }
    }
}

/// A failure, carried to the client as a status and a JSON error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// A stable, machine-readable code such as `invalid-token`.
    pub code: &'static str,
    /// A human-readable explanation.
    pub message: String,
    /// Headers the status calls for (`allow` on 405, `www-authenticate` on 401 and 403).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 400: the body is not JSON of the expected shape.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "bad-request", message)
    }

    /// 413: the body is longer than [`MAX_BODY_BYTES`].
    pub fn payload_too_large() -> Self {
        Self::new(
            413,
            "payload-too-large",
            format!("request body exceeds {MAX_BODY_BYTES} bytes"),
        )
    }

    /// 500: the server's own configuration is broken (for the auth middleware, a policy
    /// that does not parse). The message says what to fix.
    pub fn misconfigured(message: impl Into<String>) -> Self {
        Self::new(500, "misconfigured", message)
    }

    /// 500: the host refused a request a component built from a valid one (for the
    /// auth middleware, a header it forwards). The message names what was refused.
    pub fn host_refused(message: impl Into<String>) -> Self {
        Self::new(500, "host-refused", message)
    }

    /// The response that carries this error.
    pub fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: Detail<'a>,
        }
        #[derive(Serialize)]
        struct Detail<'a> {
            status: u16,
            code: &'a str,
            message: &'a str,
        }
        let body = Body {
            error: Detail {
                status: self.status,
                code: self.code,
                message: &self.message,
            },
        };
        let mut response = Response::json(self.status, &body);
        response.headers = self.headers;
        response
    }
}

/// Why the calculator gave no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFailure {
    /// The result does not fit in a `u32`.
    Overflow,
    /// The divisor was zero.
    DivisionByZero,
}

/// An authenticated caller, as seen by the API.
pub trait Principal {
    /// Who the caller is.
    fn subject(&self) -> String;
    /// The scopes the caller holds.
    fn scopes(&self) -> Vec<String>;
    /// Whether the caller holds `scope`.
    fn has_scope(&self, scope: &str) -> bool;
    /// When the caller's token expires, in seconds since the Unix epoch.
    fn expires_at(&self) -> u64;
}

/// A principal that the auth middleware verified, as it travels in [`PRINCIPAL_HEADER`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardedPrincipal {
    /// Who the caller is.
    pub subject: String,
    /// The scopes the caller holds.
    pub scopes: Vec<String>,
    /// When the caller's token expires, in seconds since the Unix epoch.
    pub expires_at: u64,
}

impl ForwardedPrincipal {
    /// A copy of `principal`'s claims.
    pub fn of(principal: &impl Principal) -> Self {
        ForwardedPrincipal {
            subject: principal.subject(),
            scopes: principal.scopes(),
            expires_at: principal.expires_at(),
        }
    }

    /// The header value: JSON, which escapes every control character, with every
    /// character outside ASCII escaped too (`\u5f20`), so that any host takes it as a
    /// header value. Some (preview2-shim) refuse a value whose UTF-8 decodes to a
    /// character above U+00FF; RFC 9110 allows those bytes, but ASCII is safe everywhere.
    pub fn to_header(&self) -> String {
        let json = serde_json::to_string(self).expect("a principal always serializes");
        let mut ascii = String::with_capacity(json.len());
        for c in json.chars() {
            match c.is_ascii() {
                true => ascii.push(c),
                // Outside ASCII, a character can only be inside a JSON string.
                false => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        ascii.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        ascii
    }

    /// The principal in a header value, or `None` if it is not one.
    pub fn from_header(value: &[u8]) -> Option<Self> {
        serde_json::from_slice(value).ok()
    }
}

impl Principal for ForwardedPrincipal {
    fn subject(&self) -> String {
        self.subject.clone()
    }
    fn scopes(&self) -> Vec<String> {
        self.scopes.clone()
    }
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// Why the auth component rejected a token: its `auth-error` variant, which each glue
/// maps from its own bindings, so that the words the client reads have one home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No signing key is configured.
    NotConfigured,
    /// The token is not a well-formed JWT; the text says where.
    Malformed(String),
    /// The header names an algorithm other than HS256.
    UnsupportedAlgorithm(String),
    /// The signature does not match.
    BadSignature,
    /// A required claim is missing or has the wrong type.
    InvalidClaims(String),
    /// The token has expired.
    Expired,
    /// The token is not valid yet.
    NotYetValid,
}

impl AuthFailure {
    /// The reason shown to the client in the 401 body.
    pub fn reason(&self) -> String {
        match self {
            AuthFailure::NotConfigured => "the server has no token key configured".into(),
            AuthFailure::Malformed(why) => format!("malformed token: {why}"),
            AuthFailure::UnsupportedAlgorithm(alg) => {
                format!("unsupported algorithm {alg:?}; only HS256 is accepted")
            }
            AuthFailure::BadSignature => "token signature does not match".into(),
            AuthFailure::InvalidClaims(why) => format!("invalid claims: {why}"),
            AuthFailure::Expired => "token has expired".into(),
            AuthFailure::NotYetValid => "token is not valid yet".into(),
        }
    }
}

/// What the API needs from the rest of the system. In the component these calls cross
/// into the fused auth and calculator components.
pub trait Services {
    /// The principal type that [`Services::verify`] hands out.
    type Principal: Principal;
    /// Verify a bearer token, returning the principal or a reason to show the client.
    fn verify(&self, token: &str) -> Result<Self::Principal, String>;
    /// Apply `op` to `a` and `b`.
    fn calculate(&self, op: Op, a: u32, b: u32) -> Result<u32, MathFailure>;
    /// The calculator's `process-sequence`.
    fn process_sequence(&self, values: Vec<u32>) -> Vec<u32>;
}

/// Match a method and path to an endpoint: 404 for an unknown path, 405 (with `allow`)
/// for a known path with the wrong method. The path must not include the query.
pub fn route(method: &str, path: &str) -> Result<Endpoint, ApiError> {
    let (endpoint, allowed) = match path {
        "/healthz" => (Endpoint::Health, "GET"),
        "/v1/whoami" => (Endpoint::WhoAmI, "GET"),
        "/v1/add" => (Endpoint::Binary(Op::Add), "POST"),
        "/v1/subtract" => (Endpoint::Binary(Op::Subtract), "POST"),
        "/v1/multiply" => (Endpoint::Binary(Op::Multiply), "POST"),
        "/v1/divide" => (Endpoint::Binary(Op::Divide), "POST"),
        "/v1/sequence" => (Endpoint::Sequence, "POST"),
        _ => {
            return Err(ApiError::new(
                404,
                "not-found",
                format!("no route for {}", truncate(path, 128)),
            ));
        }
    };
    if method != allowed {
        return Err(ApiError::new(
            405,
            "method-not-allowed",
            format!("{path} accepts {allowed} only"),
        )
        .with_header("allow", allowed));
    }
    Ok(endpoint)
}

/// Serve a routed request.
pub fn serve<S: Services>(services: &S, endpoint: Endpoint, request: &Request<'_>) -> Response {
    match try_serve(services, endpoint, request) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BinaryRequest {
    a: u32,
    b: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SequenceRequest {
    values: Vec<u32>,
}

#[derive(Serialize)]
struct Answer<T> {
    result: T,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

#[derive(Serialize)]
struct WhoAmI {
    subject: String,
    scopes: Vec<String>,
    expires_at: u64,
}

fn try_serve<S: Services>(
    services: &S,
    endpoint: Endpoint,
    request: &Request<'_>,
) -> Result<Response, ApiError> {
    match endpoint {
        Endpoint::Health => Ok(Response::json(200, &Health { status: "ok" })),
        Endpoint::WhoAmI => {
            let principal = authenticate(services, request)?;
            Ok(Response::json(
                200,
                &WhoAmI {
                    subject: principal.subject(),
                    scopes: principal.scopes(),
                    expires_at: principal.expires_at(),
                },
            ))
        }
        Endpoint::Binary(op) => {
            authorize(services, request, CALC_SCOPE)?;
            let BinaryRequest { a, b } = parse_json(request)?;
            let result = services.calculate(op, a, b).map_err(math_error)?;
            Ok(Response::json(200, &Answer { result }))
        }
        Endpoint::Sequence => {
            authorize(services, request, CALC_SCOPE)?;
            let SequenceRequest { values } = parse_json(request)?;
            let result = services.process_sequence(values);
            Ok(Response::json(200, &Answer { result }))
        }
    }
}

/// 401 unless the request carries a valid `Bearer` token.
pub fn authenticate<S: Services>(
    services: &S,
    request: &Request<'_>,
) -> Result<S::Principal, ApiError> {
    let unauthorized = |code, message: String| {
        ApiError::new(401, code, message).with_header("www-authenticate", "Bearer")
    };
    let header = request.authorization.ok_or_else(|| {
        unauthorized(
            "missing-token",
            "an Authorization: Bearer token is required".into(),
        )
    })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| {
            unauthorized(
                "missing-token",
                "the Authorization scheme must be Bearer".into(),
            )
        })?;
    services
        .verify(token)
        .map_err(|reason| unauthorized("invalid-token", reason))
}

/// 401 as for [`authenticate`], then 403 unless the principal holds `scope`.
pub fn authorize<S: Services>(
    services: &S,
    request: &Request<'_>,
    scope: &str,
) -> Result<S::Principal, ApiError> {
    let principal = authenticate(services, request)?;
    if !principal.has_scope(scope) {
        return Err(ApiError::new(
            403,
            "insufficient-scope",
            format!("this endpoint needs the {scope:?} scope"),
        )
        .with_header(
            "www-authenticate",
            format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
        ));
    }
    Ok(principal)
}

/// 415 unless the body is declared JSON, then 400 unless it is a JSON object that parses
/// as `T`. (serde's derived `Deserialize` would also accept a struct written as an array,
/// `[1, 2]`; the API promises objects only.)
fn parse_json<T: for<'de> Deserialize<'de>>(request: &Request<'_>) -> Result<T, ApiError> {
    let is_json = request.content_type.is_some_and(|value| {
        let essence = value.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/json")
    });
    if !is_json {
        return Err(ApiError::new(
            415,
            "unsupported-media-type",
            "the body must be sent as content-type: application/json",
        ));
    }
    if !request.body.trim_ascii_start().starts_with(b"{") {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    }
    serde_json::from_slice(request.body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

fn math_error(failure: MathFailure) -> ApiError {
    match failure {
        MathFailure::Overflow => ApiError::new(422, "overflow", "the result does not fit in a u32"),
        MathFailure::DivisionByZero => {
            ApiError::new(422, "division-by-zero", "the divisor must not be zero")
        }
    }
}

/// At most `max` bytes of `text`, cut at a character boundary, so that echoing a
/// client's path back cannot make a huge error body.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Properties that hold for every request, whatever its bytes. `cargo test` checks them
/// with proptest; the cargo-fuzz target `fuzz/fuzz_targets/api.rs` (`make fuzz`) checks
/// them with libFuzzer.
#[cfg(any(test, fuzzing))]
pub mod properties {
    use super::*;

    /// A principal handed out by [`Fake`]: `token-<subject>-<scope>,<scope>`.
    pub struct FakePrincipal {
        subject: String,
        scopes: Vec<String>,
    }

    impl Principal for FakePrincipal {
        fn subject(&self) -> String {
            self.subject.clone()
        }
        fn scopes(&self) -> Vec<String> {
            self.scopes.clone()
        }
        fn has_scope(&self, scope: &str) -> bool {
            self.scopes.iter().any(|s| s == scope)
        }
        fn expires_at(&self) -> u64 {
            42
        }
    }

    /// In-memory stand-ins for the auth and calculator components.
    pub struct Fake;

    impl Services for Fake {
        type Principal = FakePrincipal;

        fn verify(&self, token: &str) -> Result<FakePrincipal, String> {
            let rest = token.strip_prefix("token-").ok_or("bad signature")?;
            let (subject, scopes) = rest.split_once('-').unwrap_or((rest, ""));
            Ok(FakePrincipal {
                subject: subject.into(),
                scopes: scopes
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(Into::into)
                    .collect(),
            })
        }

        fn calculate(&self, op: Op, a: u32, b: u32) -> Result<u32, MathFailure> {
            match op {
                Op::Add => a.checked_add(b).ok_or(MathFailure::Overflow),
                Op::Subtract => a.checked_sub(b).ok_or(MathFailure::Overflow),
                Op::Multiply => a.checked_mul(b).ok_or(MathFailure::Overflow),
                Op::Divide => a.checked_div(b).ok_or(MathFailure::DivisionByZero),
            }
        }

        fn process_sequence(&self, mut values: Vec<u32>) -> Vec<u32> {
            values.sort_unstable();
            values.dedup();
            values
        }
    }

    /// Route and serve one request, as the component glue does (the body already cut to
    /// [`MAX_BODY_BYTES`]), and check the answer: a status the API documents, a JSON
    /// body, and for every error an `error` object that repeats the status.
    pub fn every_request_gets_a_documented_json_answer(
        method: &str,
        path: &str,
        authorization: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) {
        let body = &body[..body.len().min(MAX_BODY_BYTES)];
        let response = match route(method, path) {
            Ok(endpoint) => serve(
                &Fake,
                endpoint,
                &Request {
                    authorization,
                    content_type,
                    body,
                },
            ),
            Err(error) => error.into_response(),
        };
        let status = response.status;
        assert!(
            matches!(status, 200 | 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422),
            "undocumented status {status}"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&response.body).expect("every body is JSON");
        if status != 200 {
            assert_eq!(json["error"]["status"], status, "{json}");
            assert!(json["error"]["code"].is_string(), "{json}");
            assert!(
                json["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.len() < 1024),
                "{json}"
            );
        }
        // Only /healthz answers 200 without a token the verifier accepts.
        if status == 200 && path != "/healthz" {
            let token = authorization.and_then(|a| {
                a.strip_prefix("Bearer ")
                    .or_else(|| a.strip_prefix("bearer "))
            });
            assert!(
                token.is_some_and(|t| t.starts_with("token-")),
                "200 for {path} with {authorization:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::properties::Fake;
    use super::*;
    use serde_json::Value;

    const CALC: &str = "Bearer token-alice-calc";

    fn call(method: &str, path: &str, auth: Option<&str>, body: &str) -> (u16, Value, Response) {
        let response = match route(method, path) {
            Ok(endpoint) => serve(
                &Fake,
                endpoint,
                &Request {
                    authorization: auth,
                    content_type: Some("application/json"),
                    body: body.as_bytes(),
                },
            ),
            Err(error) => error.into_response(),
        };
        let json = serde_json::from_slice(&response.body).expect("every body is JSON");
        (response.status, json, response)
    }

    fn error_code(json: &Value) -> &str {
        json["error"]["code"]
            .as_str()
            .expect("an error body has a code")
    }

    #[test]
    fn health_needs_no_token() {
        let (status, json, _) = call("GET", "/healthz", None, "");
        assert_eq!((status, json), (200, serde_json::json!({"status": "ok"})));
    }

    #[test]
    fn arithmetic_endpoints_answer() {
        for (path, a, b, expected) in [
            ("/v1/add", 2, 3, 5),
            ("/v1/subtract", 9, 4, 5),
            ("/v1/multiply", 6, 7, 42),
            ("/v1/divide", 9, 2, 4),
        ] {
            let (status, json, _) =
                call("POST", path, Some(CALC), &format!(r#"{{"a":{a},"b":{b}}}"#));
            assert_eq!(status, 200, "{path}: {json}");
            assert_eq!(json["result"], expected, "{path}");
        }
    }

    #[test]
    fn sequence_endpoint_answers() {
        let (status, json, _) = call(
            "POST",
            "/v1/sequence",
            Some(CALC),
            r#"{"values":[3,1,3,2]}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(json["result"], serde_json::json!([1, 2, 3]));
    }

    #[test]
    fn whoami_returns_the_principal_without_needing_a_scope() {
        let (status, json, _) = call("GET", "/v1/whoami", Some("Bearer token-bob"), "");
        assert_eq!(status, 200);
        assert_eq!(
            json,
            serde_json::json!({"subject": "bob", "scopes": [], "expires_at": 42})
        );
    }

    #[test]
    fn arithmetic_failures_are_422() {
        let (status, json, _) = call("POST", "/v1/add", Some(CALC), r#"{"a":4294967295,"b":1}"#);
        assert_eq!((status, error_code(&json)), (422, "overflow"));
        let (status, json, _) = call("POST", "/v1/divide", Some(CALC), r#"{"a":1,"b":0}"#);
        assert_eq!((status, error_code(&json)), (422, "division-by-zero"));
    }

    #[test]
    fn bad_json_and_wrong_shapes_are_400() {
        for body in [
            "",
            "{",
            "not json",
            r#"{"a":1}"#,
            r#"{"a":1,"b":2,"c":3}"#,
            r#"{"a":-1,"b":2}"#,
            r#"{"a":1.5,"b":2}"#,
            r#"{"a":4294967296,"b":2}"#,
            r#"{"a":"1","b":2}"#,
            "[1,2]",
        ] {
            let (status, json, _) = call("POST", "/v1/add", Some(CALC), body);
            assert_eq!(
                (status, error_code(&json)),
                (400, "bad-request"),
                "body {body:?}"
            );
        }
        let (status, _, _) = call("POST", "/v1/sequence", Some(CALC), r#"{"values":[1,"x"]}"#);
        assert_eq!(status, 400);
    }

    #[test]
    fn a_missing_token_is_401_with_a_challenge() {
        let (status, json, response) = call("POST", "/v1/add", None, r#"{"a":1,"b":2}"#);
        assert_eq!((status, error_code(&json)), (401, "missing-token"));
        assert!(
            response
                .headers
                .contains(&("www-authenticate", "Bearer".into()))
        );
        let (status, _, _) = call("GET", "/v1/whoami", Some("Basic YWxpY2U6cHc="), "");
        assert_eq!(status, 401);
    }

    #[test]
    fn an_invalid_token_is_401_and_says_why() {
        let (status, json, _) = call("GET", "/v1/whoami", Some("Bearer forged"), "");
        assert_eq!((status, error_code(&json)), (401, "invalid-token"));
        assert_eq!(json["error"]["message"], "bad signature");
    }

    #[test]
    fn a_missing_scope_is_403() {
        let (status, json, response) = call(
            "POST",
            "/v1/multiply",
            Some("Bearer token-bob-read"),
            r#"{"a":1,"b":2}"#,
        );
        assert_eq!((status, error_code(&json)), (403, "insufficient-scope"));
        assert!(response.headers.iter().any(
            |(name, value)| *name == "www-authenticate" && value.contains("insufficient_scope")
        ));
    }

    #[test]
    fn authentication_comes_before_the_body_is_read() {
        // A client without a token learns nothing about what the body should look like.
        let (status, _, _) = call("POST", "/v1/add", None, "garbage");
        assert_eq!(status, 401);
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        for path in [
            "/",
            "/v1",
            "/v1/add/",
            "/V1/ADD",
            "/v1/../healthz",
            "//healthz",
            "/v1/modulo",
        ] {
            let (status, json, _) = call("GET", path, None, "");
            assert_eq!((status, error_code(&json)), (404, "not-found"), "{path}");
        }
        let (status, json, response) = call("GET", "/v1/add", Some(CALC), "");
        assert_eq!((status, error_code(&json)), (405, "method-not-allowed"));
        assert!(response.headers.contains(&("allow", "POST".into())));
        let (status, _, response) = call("DELETE", "/healthz", None, "");
        assert_eq!(status, 405);
        assert!(response.headers.contains(&("allow", "GET".into())));
    }

    #[test]
    fn the_not_found_message_is_bounded() {
        let long = format!("/{}", "é".repeat(10_000));
        let (status, json, _) = call("GET", &long, None, "");
        assert_eq!(status, 404);
        assert!(json["error"]["message"].as_str().unwrap().len() < 200);
    }

    #[test]
    fn bodies_must_be_declared_json() {
        let endpoint = route("POST", "/v1/add").unwrap();
        for content_type in [None, Some("text/plain"), Some("application/jsonx")] {
            let request = Request {
                authorization: Some(CALC),
                content_type,
                body: br#"{"a":1,"b":2}"#,
            };
            assert_eq!(
                serve(&Fake, endpoint, &request).status,
                415,
                "{content_type:?}"
            );
        }
        let request = Request {
            authorization: Some(CALC),
            content_type: Some("Application/JSON; charset=utf-8"),
            body: br#"{"a":1,"b":2}"#,
        };
        assert_eq!(serve(&Fake, endpoint, &request).status, 200);
    }

    #[test]
    fn payload_too_large_is_413_and_names_the_limit() {
        let response = ApiError::payload_too_large().into_response();
        assert_eq!(response.status, 413);
        let json: Value = serde_json::from_slice(&response.body).unwrap();
        assert!(json["error"]["message"].as_str().unwrap().contains("65536"));
    }

    #[test]
    fn only_body_endpoints_take_a_body() {
        assert!(!Endpoint::Health.takes_body());
        assert!(!Endpoint::WhoAmI.takes_body());
        assert!(Endpoint::Sequence.takes_body());
        assert!(Endpoint::Binary(Op::Add).takes_body());
    }

    #[test]
    fn a_forwarded_principal_header_is_ascii_and_reads_back_unchanged() {
        let principal = ForwardedPrincipal {
            subject: "张三 \u{1f600} \"quoted\"\n".into(),
            scopes: vec!["calc".into(), "é".into()],
            expires_at: 1_796_224_367,
        };
        let header = principal.to_header();
        assert!(header.is_ascii(), "{header}");
        assert!(header.contains("\\u5f20\\u4e09"), "{header}");
        // A character outside the BMP is escaped as its UTF-16 surrogate pair.
        assert!(header.contains("\\ud83d\\ude00"), "{header}");
        assert_eq!(
            ForwardedPrincipal::from_header(header.as_bytes()),
            Some(principal)
        );
    }
}

#[cfg(test)]
mod proptests {
    use super::properties::every_request_gets_a_documented_json_answer as check;
    use proptest::prelude::*;

    /// Paths near the real ones, so that routing is not always a 404.
    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("/healthz".to_string()),
            Just("/v1/whoami".to_string()),
            Just("/v1/add".to_string()),
            Just("/v1/divide".to_string()),
            Just("/v1/sequence".to_string()),
            "/[a-z0-9/.%]{0,40}",
            any::<String>(),
        ]
    }

    /// Bodies that are JSON-like often enough to get past the first checks.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            r#"\{"a":[0-9]{1,11},"b":-?[0-9]{1,11}\}"#.prop_map(String::into_bytes),
            r#"\{"values":\[([0-9]{1,10},){0,20}[0-9]{0,10}\]\}"#.prop_map(String::into_bytes),
            "[{}\\[\\]\":,0-9a-z ]{0,64}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..256),
        ]
    }

    proptest! {
        #[test]
        fn every_request_gets_a_documented_json_answer(
            method in prop_oneof![
                Just("GET".to_string()),
                Just("POST".to_string()),
                "[A-Za-z]{1,8}",
            ],
            path in path(),
            authorization in proptest::option::of(prop_oneof![
                Just("Bearer token-alice-calc".to_string()),
                Just("Bearer token-bob-read".to_string()),
                any::<String>(),
            ]),
            content_type in proptest::option::of(prop_oneof![
                Just("application/json".to_string()),
                any::<String>(),
            ]),
            body in body(),
        ) {
            check(&method, &path, authorization.as_deref(), content_type.as_deref(), &body);
        }
    }
}
