//! The bindings glue: maps `logic` onto `wasi:http/handler@0.3.0`. Compiled for wasm32
//! only; see the crate docs.

mod bindings {
    wit_bindgen::generate!({
        world: "fusebox:{name}/{name}",
        // Dependencies first: each package's imports must already be known.
        path: [
            "../../wit/deps/io@0.2.6",
            "../../wit/deps/clocks@0.2.6",
            "../../wit/deps/random@0.2.6",
            "../../wit/deps/filesystem@0.2.6",
            "../../wit/deps/sockets@0.2.6",
            "../../wit/deps/cli@0.2.6",
            "../../wit/deps/clocks@0.3.0",
            "../../wit/deps/random@0.3.0",
            "../../wit/deps/filesystem@0.3.0",
            "../../wit/deps/sockets@0.3.0",
            "../../wit/deps/cli@0.3.0",
            "../../wit/deps/http@0.3.0",
            "../../wit/logger",
            "../../wit/{name}",
        ],
        // Bindings for every interface the world reaches, not only the ones it names.
        generate_all,
    });
}

use crate::logic;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use bindings::exports::wasi::http::handler::Guest;
use bindings::fusebox::logger::log::{self, Level};
use bindings::wasi::http::types::{ErrorCode, Fields, Method, Request, Response};
use bindings::{wit_future, wit_stream};

/// The type that implements the exported `handler` interface.
struct Component;

impl Guest for Component {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let method = match request.get_method() {
            Method::Get => "GET".to_string(),
            Method::Post => "POST".to_string(),
            Method::Other(other) => other,
            other => alloc::format!("{other:?}").to_uppercase(),
        };
        let path = request.get_path_with_query().unwrap_or_default();
        let principal = request
            .get_headers()
            .get(logic::PRINCIPAL_HEADER)
            .into_iter()
            .next();
        let (status, body) = logic::answer(&method, &path, principal.as_deref());
        log::event(Level::Debug, "{name}", "request", &[]);

        let headers: Vec<(String, Vec<u8>)> = alloc::vec![
            ("content-type".into(), b"application/json".to_vec()),
            ("content-length".into(), body.len().to_string().into_bytes()),
        ];
        let headers = Fields::from_list(&headers).expect("valid headers");
        // The body is written after the response is returned, by a task of its own: a
        // stream write waits for its reader, and the host reads once it has the response.
        let (mut writer, reader) = wit_stream::new();
        let (_, trailers) = wit_future::new(|| Ok(None));
        let (response, _) = Response::new(headers, Some(reader), trailers);
        response.set_status_code(status).expect("a valid status");
        wit_bindgen::spawn_local(async move {
            let _ = writer.write_all(body).await;
        });
        Ok(response)
    }
}

bindings::export!(Component with_types_in bindings);
