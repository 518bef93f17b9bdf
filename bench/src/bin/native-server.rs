//! The native baseline for throughput: fusebox's JSON API served by hyper, with the
//! components' logic compiled natively into one process (no WebAssembly, no instances).
//!
//! `native-server ADDR` with the key in `FUSEBOX_HS256_KEY`.

use bytes::Bytes;
use fusebox_bench::native::{NativeServices, respond};
use http_body_util::{BodyExt, Full, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::sync::Arc;

async fn serve_one(
    services: Arc<NativeServices>,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let body = Limited::new(body, 1 << 20)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let response = respond(
        &services,
        parts.method.as_str(),
        parts.uri.path(),
        header("authorization"),
        header("content-type"),
        &body,
    );
    let mut builder = hyper::Response::builder()
        .status(response.status)
        .header("content-type", "application/json");
    for (name, value) in response.headers {
        builder = builder.header(name, value);
    }
    builder.body(Full::new(Bytes::from(response.body))).unwrap()
}

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".into());
    let key = std::env::var("FUSEBOX_HS256_KEY").expect("set FUSEBOX_HS256_KEY");
    let services = Arc::new(NativeServices {
        key: key.into_bytes(),
    });
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let services = services.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let services = services.clone();
                async move { Ok::<_, std::convert::Infallible>(serve_one(services, request).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
