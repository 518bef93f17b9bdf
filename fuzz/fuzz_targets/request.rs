//! Raw HTTP/1.1 request bytes, written into one connection of the host, in-process,
//! served by the real fused artifact: hyper's parsing, the host's request conversion, a
//! fresh instance per request, the guest, and the response. Every answer must be a
//! 4xx or better: only a guest that really traps or runs past its deadline earns a 5xx,
//! and the real artifact does neither on any input.
//!
//! `$TOKEN` in the input is replaced by a valid token (`make fuzz` seeds the corpus with
//! requests that use it), so that the fuzzer reaches the authenticated routes. The
//! artifact is `FUSEBOX_FUZZ_ARTIFACT`, or `target/fusebox/service.wasm` (`make compose`).
#![no_main]

use fusebox_runtime::runtime::{Runtime, RuntimeConfig};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const KEY: &str = "fusebox-fuzz-key-0123456789abcdef0123";

struct Host {
    tokio: tokio::runtime::Runtime,
    runtime: Arc<Runtime>,
    token: Vec<u8>,
}

fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| {
        let path = std::env::var_os("FUSEBOX_FUZZ_ARTIFACT").map_or_else(
            || {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/fusebox/service.wasm")
            },
            Into::into,
        );
        let artifact = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `make compose` first", path.display()));
        let config = RuntimeConfig {
            config: vec![(auth_token::KEY_CONFIG.to_owned(), KEY.to_owned())],
            ..RuntimeConfig::default()
        };
        let runtime = Arc::new(Runtime::new(&artifact, config).expect("the artifact loads"));
        let claims = auth_token::Claims {
            subject: "fuzzer".into(),
            scopes: vec!["calc".into()],
            not_before: SystemTime::now() - Duration::from_secs(60),
            expires_at: SystemTime::now() + Duration::from_secs(365 * 24 * 3600),
        };
        let token = auth_token::mint(&claims, KEY.as_bytes()).expect("a token");
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        Host {
            tokio,
            runtime,
            token: token.into_bytes(),
        }
    })
}

/// `data` with each `$TOKEN` replaced by a valid token.
fn with_token(data: &[u8], token: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    while let Some(at) = rest.windows(6).position(|w| w == b"$TOKEN") {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(token);
        rest = &rest[at + 6..];
    }
    out.extend_from_slice(rest);
    out
}

fuzz_target!(|data: &[u8]| {
    let host = host();
    let request = with_token(data, &host.token);
    let answer = host.tokio.block_on(async {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let connection = fusebox_runtime::server::connection(server, host.runtime.clone());
        let (mut from_host, mut to_host) = tokio::io::split(client);
        // Send and receive at once: a pipelined input may hold more answers than the
        // pipe's buffer.
        let send = async {
            // A host that answers early may close before it has read everything.
            let _ = to_host.write_all(&request).await;
            let _ = to_host.shutdown().await;
        };
        let receive = async {
            let mut answer = Vec::new();
            let _ = from_host.read_to_end(&mut answer).await;
            answer
        };
        let all = async { tokio::join!(connection, send, receive).2 };
        tokio::time::timeout(Duration::from_secs(30), all)
            .await
            .expect("the host answered within 30 s")
    });
    // The canary: the plainest request must be answered, or the target checks nothing.
    if request == b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" {
        assert!(
            answer.starts_with(b"HTTP/1.1 200 "),
            "no answer to the canary"
        );
    }
    for status in statuses(&answer) {
        assert!(
            status < 500,
            "a {status} for a request the guest cannot have trapped on:\n{}",
            String::from_utf8_lossy(&request)
        );
    }
});

/// The status of each response in `answer`, read response by response (a body may
/// itself contain text that looks like a status line).
fn statuses(mut answer: &[u8]) -> Vec<u16> {
    let mut found = Vec::new();
    while !answer.is_empty() {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        // A response to HEAD has a length but no body, and cannot be told from here; the
        // parse then fails on what follows, and the rest goes unchecked.
        let Ok(httparse::Status::Complete(head)) = response.parse(answer) else {
            break;
        };
        let code = response.code.expect("a complete response has a status");
        found.push(code);
        let header = |name: &str| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).into_owned())
        };
        let length = header("content-length").and_then(|v| v.trim().parse::<usize>().ok());
        let chunked = header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
        answer = &answer[head..];
        if (100..200).contains(&code) || code == 204 || code == 304 {
            continue;
        }
        if let Some(length) = length {
            answer = &answer[length.min(answer.len())..];
        } else if chunked {
            // Skip `size\r\n data\r\n` until the `0\r\n\r\n` chunk.
            loop {
                let Some(eol) = answer.windows(2).position(|w| w == b"\r\n") else {
                    return found;
                };
                let size = std::str::from_utf8(&answer[..eol])
                    .ok()
                    .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
                    .unwrap_or(0);
                answer = &answer[(eol + 2 + size + 2).min(answer.len())..];
                if size == 0 {
                    break;
                }
            }
        } else {
            break;
        }
    }
    found
}
