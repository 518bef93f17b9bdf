//! The bindings glue: maps `api` onto `wasi:http/handler@0.3.0`. Compiled for wasm32
//! only; see the crate docs.

mod answer;

mod bindings {
    wit_bindgen::generate!({
        world: "fusebox:http-service/http-service",
        // Dependencies first: each package's imports must already be known.
        path: [
            "../../wit/deps/io@0.2.6",
            "../../wit/deps/clocks@0.2.6",
            "../../wit/deps/random@0.2.6",
            "../../wit/deps/filesystem@0.2.6",
            "../../wit/deps/sockets@0.2.6",
            "../../wit/deps/cli@0.2.6",
            "../../wit/deps/config@0.2.0-rc.1",
            "../../wit/deps/clocks@0.3.0",
            "../../wit/deps/random@0.3.0",
            "../../wit/deps/filesystem@0.3.0",
            "../../wit/deps/sockets@0.3.0",
            "../../wit/deps/cli@0.3.0",
            "../../wit/deps/http@0.3.0",
            "../../wit/logger",
            "../../wit/calculator",
            "../../wit/http-service",
        ],
        // Bindings for every interface the world reaches, not only the ones it names.
        generate_all,
        pub_export_macro: true,
    });
}

use crate::api;
use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use answer::{into_response, method_name};
use bindings::exports::wasi::http::handler::Guest;
use bindings::fusebox::calculator::math::{self, MathError};
use bindings::fusebox::logger::log::{self, Field, Level};
use bindings::wasi::clocks0_3_0::monotonic_clock;
use bindings::wasi::http::types::{ErrorCode, Fields, Request, Response};
use bindings::wit_future;
use wit_bindgen::StreamResult;

/// Bytes asked for per read of the request body.
const READ_CHUNK: usize = 16 * 1024;
/// The longest path echoed into a log line.
const MAX_LOGGED_PATH: usize = 256;

/// The type that implements the exported `handler` interface.
struct Service;

impl Guest for Service {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let started = monotonic_clock::now();
        let method = method_name(&request.get_method());
        let path_with_query = request.get_path_with_query().unwrap_or_default();
        let path = path_with_query.split('?').next().unwrap_or_default();

        let response = respond(request, &method, path).await;
        let status = response.status;

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
        Ok(into_response(response))
    }
}

/// Route, read the body if the endpoint takes one, and serve.
async fn respond(request: Request, method: &str, path: &str) -> api::Response {
    let endpoint = match api::route(method, path) {
        Ok(endpoint) => endpoint,
        Err(error) => return error.into_response(),
    };
    let headers = request.get_headers();
    let authorization = header(&headers, "authorization");
    let content_type = header(&headers, "content-type");
    let principal = headers
        .get(api::PRINCIPAL_HEADER)
        .first()
        .and_then(|value| api::ForwardedPrincipal::from_header(value));
    let body = if endpoint.takes_body() {
        match read_body(request, &headers).await {
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
    api::serve(&FusedServices { principal }, endpoint, &parts)
}

/// The first value of header `name`, if present and valid UTF-8. A value that is not
/// UTF-8 is treated as absent, which the API answers with 401 or 415.
fn header(headers: &Fields, name: &str) -> Option<String> {
    let first = headers.get(name).into_iter().next()?;
    String::from_utf8(first).ok()
}

/// Read the whole body, refusing (413) as soon as it is known to exceed the limit:
/// from `content-length` before reading anything, or while streaming otherwise.
async fn read_body(request: Request, headers: &Fields) -> Result<Vec<u8>, api::ApiError> {
    let declared = header(headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > api::MAX_BODY_BYTES as u64) {
        return Err(api::ApiError::payload_too_large());
    }
    // The service reports no processing error back to the host through `res`.
    let (_, outcome) = wit_future::new(|| Ok(()));
    let (mut stream, trailers) = Request::consume_body(request, outcome);
    let mut bytes = Vec::new();
    loop {
        let (result, chunk) = stream.read(Vec::with_capacity(READ_CHUNK)).await;
        bytes.extend_from_slice(&chunk);
        if bytes.len() > api::MAX_BODY_BYTES {
            return Err(api::ApiError::payload_too_large());
        }
        match result {
            StreamResult::Complete(_) => {}
            StreamResult::Dropped | StreamResult::Cancelled => break,
        }
    }
    // The stream ends both when the body is complete and when the client went away;
    // the trailers future tells the two apart.
    match trailers.await {
        Ok(_) => Ok(bytes),
        Err(_) => Err(api::ApiError::bad_request(
            "the request body could not be read",
        )),
    }
}

fn field(key: &str, value: String) -> Field {
    Field {
        key: key.to_owned(),
        value,
    }
}

/// [`api::Services`] for a request that the middleware has already authenticated: the
/// principal is the one it forwarded, and the calculator calls cross into the fused
/// calculator component.
struct FusedServices {
    principal: Option<api::ForwardedPrincipal>,
}

impl api::Services for FusedServices {
    type Principal = api::ForwardedPrincipal;

    fn verify(&self, _token: &str) -> Result<api::ForwardedPrincipal, String> {
        self.principal.clone().ok_or_else(|| {
            "no verified principal: the request did not come through the auth middleware".into()
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

bindings::export!(Service with_types_in bindings);
