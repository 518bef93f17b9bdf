//! The bindings glue: maps `api` onto the component's WIT world. Compiled for
//! wasm32 only; see the crate docs.

use crate::api;
use crate::bindings::exports::wasi::http::incoming_handler::Guest;
use crate::bindings::fusebox::auth::types::{AuthError, Principal};
use crate::bindings::fusebox::auth::verifier;
use crate::bindings::fusebox::calculator::math::{self, MathError};
use crate::bindings::fusebox::logger::log::{self, Field, Level};
use crate::bindings::wasi::clocks::monotonic_clock;
use crate::bindings::wasi::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use crate::bindings::wasi::io::streams::StreamError;
use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// Bytes asked for per read of the request body.
const READ_CHUNK: u64 = 16 * 1024;
/// `blocking-write-and-flush` accepts at most this many bytes per call.
const MAX_WRITE: usize = 4096;
/// The longest path echoed into a log line.
const MAX_LOGGED_PATH: usize = 256;

/// The type that implements the exported `incoming-handler` interface.
struct Handler;

impl Guest for Handler {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let started = monotonic_clock::now();
        let method = method_name(&request.method());
        let path_with_query = request.path_with_query().unwrap_or_default();
        let path = path_with_query.split('?').next().unwrap_or_default();

        let response = respond(&request, &method, path);
        let status = response.status;
        send(response, response_out);

        let elapsed_us = monotonic_clock::now().saturating_sub(started) / 1_000;
        let logged_path: String = path.chars().take(MAX_LOGGED_PATH).collect();
        log::event(
            if status >= 500 {
                Level::Error
            } else {
                Level::Info
            },
            "http",
            "request",
            &[
                field("method", method),
                field("path", logged_path),
                field("status", status.to_string()),
                field("duration_us", elapsed_us.to_string()),
            ],
        );
    }
}

/// Route, read the body if the endpoint takes one, and serve.
fn respond(request: &IncomingRequest, method: &str, path: &str) -> api::Response {
    let endpoint = match api::route(method, path) {
        Ok(endpoint) => endpoint,
        Err(error) => return error.into_response(),
    };
    let headers = request.headers();
    let authorization = header(&headers, "authorization");
    let content_type = header(&headers, "content-type");
    let body = if endpoint.takes_body() {
        match read_body(request, &headers) {
            Ok(body) => body,
            Err(error) => return error.into_response(),
        }
    } else {
        Vec::new()
    };
    let parts = api::Request {
        authorization: authorization.as_deref(),
        content_type: content_type.as_deref(),
        body: &body,
    };
    api::serve(&FusedServices, endpoint, &parts)
}

/// The first value of header `name`, if present and valid UTF-8. A value that is not
/// UTF-8 is treated as absent, which the API answers with 401 or 415.
fn header(headers: &Fields, name: &str) -> Option<String> {
    let values = headers.get(name);
    let first = values.into_iter().next()?;
    String::from_utf8(first).ok()
}

/// Read the whole body, refusing (413) as soon as it is known to exceed the limit:
/// from `content-length` before reading anything, or while streaming otherwise.
fn read_body(request: &IncomingRequest, headers: &Fields) -> Result<Vec<u8>, api::ApiError> {
    let declared = header(headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > api::MAX_BODY_BYTES as u64) {
        return Err(api::ApiError::payload_too_large());
    }
    let unreadable = || api::ApiError::bad_request("the request body could not be read");
    let body = request.consume().map_err(|()| unreadable())?;
    let stream = body.stream().map_err(|()| unreadable())?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > api::MAX_BODY_BYTES {
                    return Err(api::ApiError::payload_too_large());
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(_)) => return Err(unreadable()),
        }
    }
    Ok(bytes)
}

/// Write `response` to the client.
fn send(response: api::Response, out: ResponseOutparam) {
    let mut headers: Vec<(String, Vec<u8>)> = vec![
        ("content-type".into(), b"application/json".to_vec()),
        (
            "content-length".into(),
            response.body.len().to_string().into_bytes(),
        ),
    ];
    headers.extend(
        response
            .headers
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.into_bytes())),
    );
    let fields = Fields::from_list(&headers).expect("the API only emits valid headers");
    let outgoing = OutgoingResponse::new(fields);
    outgoing
        .set_status_code(response.status)
        .expect("the API only emits valid status codes");
    let body = outgoing.body().expect("a new response has a body");
    ResponseOutparam::set(out, Ok(outgoing));
    {
        let stream = body.write().expect("a new body has a stream");
        for chunk in response.body.chunks(MAX_WRITE) {
            // The client may have gone away; there is nobody left to tell.
            if stream.blocking_write_and_flush(chunk).is_err() {
                return;
            }
        }
    }
    let _ = OutgoingBody::finish(body, None);
}

fn method_name(method: &Method) -> String {
    match method {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(other) => other.clone(),
    }
}

fn field(key: &str, value: String) -> Field {
    Field {
        key: key.to_owned(),
        value,
    }
}

/// [`api::Services`] backed by the fused auth and calculator components: each call
/// below crosses a component boundary as a plain function call.
struct FusedServices;

impl api::Services for FusedServices {
    type Principal = Principal;

    fn verify(&self, token: &str) -> Result<Principal, String> {
        verifier::verify(token).map_err(|error| {
            match error {
                AuthError::NotConfigured => api::AuthFailure::NotConfigured,
                AuthError::Malformed(why) => api::AuthFailure::Malformed(why),
                AuthError::UnsupportedAlgorithm(alg) => api::AuthFailure::UnsupportedAlgorithm(alg),
                AuthError::BadSignature => api::AuthFailure::BadSignature,
                AuthError::InvalidClaims(why) => api::AuthFailure::InvalidClaims(why),
                AuthError::Expired => api::AuthFailure::Expired,
                AuthError::NotYetValid => api::AuthFailure::NotYetValid,
            }
            .reason()
        })
    }

    fn calculate(&self, op: api::Op, a: u32, b: u32) -> Result<u32, api::MathFailure> {
        let result = match op {
            api::Op::Add => math::add(a, b),
            api::Op::Subtract => math::subtract(a, b),
            api::Op::Multiply => math::multiply(a, b),
            api::Op::Divide => math::divide(a, b),
        };
        result.map_err(|error| match error {
            MathError::Overflow => api::MathFailure::Overflow,
            MathError::DivisionByZero => api::MathFailure::DivisionByZero,
        })
    }

    fn process_sequence(&self, values: Vec<u32>) -> Vec<u32> {
        math::process_sequence(&values)
    }
}

/// The auth component's `principal` resource, seen through the API's trait. Each method
/// is a call into the auth component, which keeps the claims.
impl api::Principal for Principal {
    fn subject(&self) -> String {
        Principal::subject(self)
    }

    fn scopes(&self) -> Vec<String> {
        Principal::scopes(self)
    }

    fn has_scope(&self, scope: &str) -> bool {
        Principal::has_scope(self, scope)
    }

    fn expires_at(&self) -> u64 {
        Principal::expires_at(self)
    }
}

crate::bindings::export!(Handler with_types_in crate::bindings);
