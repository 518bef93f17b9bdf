//! The bindings glue: the policy and the API's token checks on `wasi:http/handler@0.3.0`,
//! imported and exported. Compiled for wasm32 only; see the crate docs.

#[path = "../../http-service/src/component/answer.rs"]
mod answer;

mod bindings {
    wit_bindgen::generate!({
        world: "fusebox:auth-middleware/auth-middleware",
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
            "../../wit/auth",
            "../../wit/auth-middleware",
        ],
        // Bindings for every interface the world reaches, not only the ones it names.
        generate_all,
        pub_export_macro: true,
    });
}

use crate::api;
use crate::policy::{self, Policy, Requirement};
use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use answer::{into_response, method_name};
use bindings::exports::wasi::http::handler::Guest;
use bindings::fusebox::auth::types::{AuthError, Principal};
use bindings::fusebox::auth::verifier;
use bindings::fusebox::logger::log::{self, Field, Level};
use bindings::wasi::config::store as config;
use bindings::wasi::http::handler;
use bindings::wasi::http::types::{ErrorCode, Fields, HeaderError, Request, Response};
use bindings::wit_future;

/// The type that implements the exported `handler` interface.
struct Middleware;

impl Guest for Middleware {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let method = method_name(&request.get_method());
        let path_with_query = request.get_path_with_query().unwrap_or_default();
        let path = path_with_query.split('?').next().unwrap_or_default();
        let headers = request.get_headers();
        let requirement = match policy() {
            Ok(policy) => policy.requirement(&method, path),
            // A policy that does not parse guards nothing safely: refuse everything, and
            // say why to the operator (in the log) and the client (in the body).
            Err(why) => {
                deny(&method, path, 500, "misconfigured");
                return Ok(into_response(
                    api::ApiError::misconfigured(why).into_response(),
                ));
            }
        };
        let principal = match requirement {
            Requirement::Nothing => None,
            Requirement::Token | Requirement::Scope(_) => {
                let authorization = headers
                    .get("authorization")
                    .into_iter()
                    .next()
                    .and_then(|value| String::from_utf8(value).ok());
                let parts = api::Request {
                    authorization: authorization.as_deref(),
                    ..api::Request::default()
                };
                let checked = match &requirement {
                    Requirement::Scope(scope) => api::authorize(&FusedAuth, &parts, scope),
                    _ => api::authenticate(&FusedAuth, &parts),
                };
                match checked {
                    Ok(principal) => Some(api::ForwardedPrincipal::of(&principal)),
                    Err(error) => {
                        deny(&method, path, error.status, error.code);
                        return Ok(into_response(error.into_response()));
                    }
                }
            }
        };
        match forward(request, headers, principal) {
            Ok(next) => handler::handle(next).await,
            Err(refused) => {
                deny(&method, path, 500, "host-refused");
                Ok(into_response(
                    api::ApiError::host_refused(refused).into_response(),
                ))
            }
        }
    }
}

/// The policy from the runtime config, or the default when none is configured.
fn policy() -> Result<Policy, String> {
    match config::get(policy::CONFIG_KEY) {
        Ok(Some(text)) => Policy::parse(&text),
        Ok(None) => Ok(Policy::default()),
        Err(error) => Err(alloc::format!(
            "the config store failed to read {}: {error:?}",
            policy::CONFIG_KEY
        )),
    }
}

/// `request` with its headers replaced by `headers` without any client-sent principal,
/// plus `principal` if there is one. A request's headers cannot be changed once it
/// exists, so this is a new request, with the same body stream and trailers.
///
/// A header the host forbids a component to set (`host`, `connection`, …) is left out:
/// some hosts pass one in (preview3-shim passes `host`; wasmtime strips it), it is the
/// host's own, and the authority travels in the request itself. Any other header the host
/// refuses is an error naming it, never a silent drop: the service must see the principal,
/// and every header the client sent that a component may set.
fn forward(
    request: Request,
    headers: Fields,
    principal: Option<api::ForwardedPrincipal>,
) -> Result<Request, String> {
    let mut fields = headers.copy_all();
    fields.retain(|(name, _)| !name.eq_ignore_ascii_case(api::PRINCIPAL_HEADER));
    if let Some(principal) = principal {
        fields.push((
            api::PRINCIPAL_HEADER.to_owned(),
            principal.to_header().into_bytes(),
        ));
    }
    let forwarded = Fields::new();
    for (name, value) in &fields {
        match forwarded.append(name, value) {
            Ok(()) | Err(HeaderError::Forbidden) => {}
            Err(error) => {
                return Err(alloc::format!(
                    "the host refused the forwarded header {name} ({error:?})"
                ));
            }
        }
    }
    let method = request.get_method();
    let scheme = request.get_scheme();
    let authority = request.get_authority();
    let path_with_query = request.get_path_with_query();
    let options = request.get_options();
    // The middleware reports no processing error back through `res`.
    let (_, outcome) = wit_future::new(|| Ok(()));
    let (body, trailers) = Request::consume_body(request, outcome);
    let (next, _) = Request::new(forwarded, Some(body), trailers, options);
    // Each of these was valid on the original request.
    let _ = next.set_method(&method);
    let _ = next.set_scheme(scheme.as_ref());
    let _ = next.set_authority(authority.as_deref());
    let _ = next.set_path_with_query(path_with_query.as_deref());
    Ok(next)
}

/// Log a refused request: the service behind never sees it, so this is its only line.
fn deny(method: &str, path: &str, status: u16, code: &str) {
    let logged_path: String = path.chars().take(256).collect();
    log::event(
        Level::Info,
        "auth-middleware",
        "refused",
        &[
            field("method", method.to_owned()),
            field("path", logged_path),
            field("status", status.to_string()),
            field("code", code.to_owned()),
        ],
    );
}

fn field(key: &str, value: String) -> Field {
    Field {
        key: key.to_owned(),
        value,
    }
}

/// The API's token checks, backed by the fused auth component. The middleware never
/// calculates: the service behind it does.
struct FusedAuth;

impl api::Services for FusedAuth {
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

    fn calculate(&self, _: api::Op, _: u32, _: u32) -> Result<u32, api::MathFailure> {
        unreachable!("the middleware only authenticates")
    }

    fn process_sequence(&self, _: Vec<u32>) -> Vec<u32> {
        unreachable!("the middleware only authenticates")
    }
}

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

bindings::export!(Middleware with_types_in bindings);
