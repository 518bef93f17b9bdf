//! The service-mesh baseline: the calculator as a small native HTTP service on loopback,
//! and a keep-alive client that calls it the way one microservice calls another.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use std::net::SocketAddr;

use crate::native::math;

#[derive(Deserialize)]
struct Pair {
    a: u32,
    b: u32,
}

#[derive(Deserialize)]
struct Values {
    values: Vec<u32>,
}

async fn answer(request: hyper::Request<hyper::body::Incoming>) -> hyper::Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let body = request.into_body().collect().await.map(|b| b.to_bytes());
    let reply = match (path.as_str(), body) {
        ("/add", Ok(body)) => serde_json::from_slice::<Pair>(&body)
            .ok()
            .and_then(|p| math::add(p.a, p.b).ok())
            .map(|result| serde_json::json!({ "result": result })),
        ("/sequence", Ok(body)) => serde_json::from_slice::<Values>(&body)
            .ok()
            .map(|v| serde_json::json!({ "result": math::process_sequence(v.values) })),
        _ => None,
    };
    let (status, body) = match reply {
        Some(json) => (200, json.to_string()),
        None => (400, r#"{"error":"bad request"}"#.to_owned()),
    };
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// Start the math service on an ephemeral loopback port, on a runtime of its own thread.
pub fn start() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let _ = stream.set_nodelay(true);
                tokio::spawn(http1::Builder::new().serve_connection(
                    TokioIo::new(stream),
                    service_fn(|r| async { Ok::<_, std::convert::Infallible>(answer(r).await) }),
                ));
            }
        });
    });
    rx.recv().unwrap()
}

/// A keep-alive HTTP/1.1 client of the math service.
pub struct MeshClient {
    runtime: tokio::runtime::Runtime,
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
}

impl MeshClient {
    /// Connect to the service at `addr`.
    pub fn connect(addr: SocketAddr) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let sender = runtime.block_on(async {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .unwrap();
            tokio::spawn(connection);
            sender
        });
        MeshClient {
            runtime,
            sender,
            addr,
        }
    }

    /// POST `body` to `path` and return the response body.
    pub fn call(&mut self, path: &str, body: Bytes) -> Bytes {
        let request = hyper::Request::post(path)
            .header("host", self.addr.to_string())
            .header("content-type", "application/json")
            .body(Full::new(body))
            .unwrap();
        self.runtime.block_on(async {
            self.sender.ready().await.unwrap();
            let response = self.sender.send_request(request).await.unwrap();
            assert_eq!(response.status(), 200);
            response.into_body().collect().await.unwrap().to_bytes()
        })
    }
}
