//! Answering on `wasi:http@0.3.0`: shared by the two WASI 0.3 components (this crate,
//! and auth-middleware, which includes this file by path). Each generates its own
//! bindings, with the same module paths, so the code is written once against
//! `super::bindings`.

use super::bindings::wasi::http::types::{Fields, Method, Response};
use super::bindings::{wit_future, wit_stream};
use crate::api;
use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// `response` as a `wasi:http` response, its body written by a spawned task.
pub(super) fn into_response(response: api::Response) -> Response {
    let mut headers: Vec<(String, Vec<u8>)> = alloc::vec![
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
    let (mut body_tx, body_rx) = wit_stream::new();
    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    let (outgoing, _sent) = Response::new(fields, Some(body_rx), trailers_rx);
    outgoing
        .set_status_code(response.status)
        .expect("the API only emits valid status codes");
    let body = response.body;
    wit_bindgen::spawn_local(async move {
        // The client may have gone away; there is nobody left to tell.
        let _ = body_tx.write_all(body).await;
        drop(body_tx);
        let _ = trailers_tx.write(Ok(None)).await;
    });
    outgoing
}

pub(super) fn method_name(method: &Method) -> String {
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
