//! The process-per-request baseline: answers `GET /healthz` once, with the http-handler's
//! own logic compiled natively, on stdout, and exits.

use fusebox_bench::native::{NativeServices, respond};

fn main() {
    let services = NativeServices { key: Vec::new() };
    let response = respond(&services, "GET", "/healthz", None, None, b"");
    assert_eq!(response.status, 200);
    println!("{}", String::from_utf8_lossy(&response.body));
}
