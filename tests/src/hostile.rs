//! The hostile corpus: requests an attacker controls, each with the exact 4xx the API must
//! answer, plus the means to send them in-process ([`Hostile::to_request`]) and over a
//! real socket ([`send_raw`]).
//!
//! Every request here is well-formed HTTP/1.1, so that it reaches the guest: what is
//! hostile is its content (JSON, headers, paths, methods, tokens, sizes). Requests that
//! break HTTP itself are hyper's to refuse before any component runs.
//!
//! [`requests`] builds the corpus; [`tokens`] is the token corpus within it, every one of
//! which must be refused with 401.

use crate::now;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use hmac::digest::KeyInit;
use hmac::{Mac, SimpleHmac};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The largest body the API accepts (`MAX_BODY_BYTES` in the http-handler).
pub const API_BODY_LIMIT: usize = 64 * 1024;
/// How much of a never-ending body a client sends before giving up on an answer.
pub const ENDLESS_CAP: usize = 16 << 20;

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// No body at all.
    Empty,
    /// These bytes, with a `content-length`.
    Sized(Vec<u8>),
    /// These bytes, sent with `transfer-encoding: chunked` in 16 KiB chunks.
    Chunked(Vec<u8>),
    /// Chunks of 16 KiB that never end (up to [`ENDLESS_CAP`]).
    Endless,
}

/// The `Host` header a request is sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostHeader {
    /// The server's own address, as a client sends it.
    Usual,
    /// None at all.
    Missing,
    /// These bytes, sent as they are.
    Raw(Vec<u8>),
    /// The usual one, twice.
    Twice,
}

/// One hostile request and the status it must get.
#[derive(Debug, Clone)]
pub struct Hostile {
    /// What the request tries, for messages.
    pub name: String,
    /// The method token, sent as is.
    pub method: String,
    /// The request target, sent as is.
    pub path: String,
    /// The `Host` header.
    pub host: HostHeader,
    /// Extra headers (raw bytes allowed in values).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Body,
    /// The status the API must answer with.
    pub expect: u16,
}

impl Hostile {
    /// Whether an HTTP server in front of the guest may handle this by its own rules
    /// before any guest sees it: answer it (a missing, repeated or malformed `Host`, an
    /// absolute-form target, a method outside RFC 9110's, a header section over 16 KiB,
    /// Node's default limit), rewrite it (a path with dot segments, which a WHATWG URL
    /// parser removes), or hold it until the whole body is in (a body that never ends,
    /// or a declared length that is never sent). `fusebox serve` answers all of these
    /// with the API's JSON errors; other runtimes handle them their own way, which the
    /// runtime matrix records instead of failing on.
    pub fn front_end_may_differ(&self) -> bool {
        const RFC_9110: [&str; 9] = [
            "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
        ];
        let header_bytes: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.len() + value.len() + 4)
            .sum();
        let path = self.path.to_ascii_lowercase();
        self.host != HostHeader::Usual
            || self.path.contains("://")
            || !RFC_9110.contains(&self.method.as_str())
            || header_bytes >= 16 * 1024
            || ["/./", "/../", "/%2e/", "/%2e%2e/", "/.%2e/", "/%2e./"]
                .iter()
                .any(|dots| path.contains(dots))
            || self.body_never_completes()
    }

    /// Whether the body never arrives in full: it never ends, or it is shorter than its
    /// declared `content-length`. A server that answers only once the body is in never
    /// answers these.
    pub fn body_never_completes(&self) -> bool {
        let sent = match &self.body {
            Body::Empty => 0,
            Body::Sized(bytes) | Body::Chunked(bytes) => bytes.len(),
            Body::Endless => return true,
        };
        self.headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("content-length")
                && std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u128>().ok())
                    .is_some_and(|length| length > sent as u128)
        })
    }

    fn new(name: impl Into<String>, method: &str, path: &str, expect: u16) -> Self {
        Hostile {
            name: name.into(),
            method: method.into(),
            path: path.into(),
            host: HostHeader::Usual,
            headers: Vec::new(),
            body: Body::Empty,
            expect,
        }
    }

    fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    fn json(self, body: impl Into<Vec<u8>>) -> Self {
        self.header("content-type", "application/json")
            .body(Body::Sized(body.into()))
    }

    fn host(mut self, host: HostHeader) -> Self {
        self.host = host;
        self
    }

    fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// The request as a hyper request for the in-process host.
    pub fn to_request(&self) -> hyper::Request<HostileBody> {
        let mut request = hyper::Request::builder()
            .method(self.method.as_str())
            .uri(&self.path);
        request = match &self.host {
            HostHeader::Usual => request.header("host", "localhost"),
            HostHeader::Missing => request,
            HostHeader::Raw(bytes) => request.header(
                "host",
                hyper::header::HeaderValue::from_bytes(bytes).expect("a header value"),
            ),
            HostHeader::Twice => request
                .header("host", "localhost")
                .header("host", "localhost"),
        };
        for (name, value) in &self.headers {
            let value = hyper::header::HeaderValue::from_bytes(value).expect("a valid header");
            request = request.header(name, value);
        }
        let body = match &self.body {
            Body::Empty => HostileBody::bytes(Vec::new()),
            Body::Sized(bytes) => {
                request = request.header("content-length", bytes.len());
                HostileBody::bytes(bytes.clone())
            }
            Body::Chunked(bytes) => HostileBody::chunks(bytes.clone()),
            Body::Endless => HostileBody::endless(),
        };
        request.body(body).expect("a valid request")
    }
}

/// A request body that hands its data over in chunks, possibly without end, and never
/// announces its length: as a chunked upload arrives at the host.
pub struct HostileBody {
    data: Vec<u8>,
    sent: usize,
    endless: bool,
    sized: bool,
}

const CHUNK: usize = 16 * 1024;

impl HostileBody {
    fn bytes(data: Vec<u8>) -> Self {
        HostileBody {
            data,
            sent: 0,
            endless: false,
            sized: true,
        }
    }
    fn chunks(data: Vec<u8>) -> Self {
        HostileBody {
            sized: false,
            ..Self::bytes(data)
        }
    }
    fn endless() -> Self {
        HostileBody {
            endless: true,
            ..Self::chunks(vec![b' '; CHUNK])
        }
    }
}

impl http_body::Body for HostileBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let chunk = if self.endless {
            (self.sent < ENDLESS_CAP).then(|| Bytes::from(self.data.clone()))
        } else {
            let start = self.sent;
            let end = self.data.len().min(start + CHUNK);
            (start < end).then(|| Bytes::copy_from_slice(&self.data[start..end]))
        };
        if let Some(chunk) = &chunk {
            self.sent += chunk.len();
        }
        std::task::Poll::Ready(chunk.map(|c| Ok(http_body::Frame::data(c))))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.sized {
            true => http_body::SizeHint::with_exact(self.data.len() as u64),
            false => http_body::SizeHint::default(),
        }
    }
}

/// What came back over the socket.
#[derive(Debug)]
pub struct RawReply {
    /// The status code.
    pub status: u16,
    /// The `content-type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Send `request` to `addr` as raw HTTP/1.1 bytes on a fresh connection, and read the
/// response, within `timeout`.
pub fn send_raw(
    addr: SocketAddr,
    request: &Hostile,
    timeout: Duration,
) -> std::io::Result<RawReply> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.set_nodelay(true)?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.path).into_bytes();
    let usual = format!("host: {addr}\r\n");
    match &request.host {
        HostHeader::Usual => head.extend_from_slice(usual.as_bytes()),
        HostHeader::Missing => {}
        HostHeader::Raw(bytes) => {
            head.extend_from_slice(b"host: ");
            head.extend_from_slice(bytes);
            head.extend_from_slice(b"\r\n");
        }
        HostHeader::Twice => head.extend_from_slice(usual.repeat(2).as_bytes()),
    }
    for (name, value) in &request.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    match &request.body {
        Body::Empty => head.extend_from_slice(b"connection: close\r\n\r\n"),
        Body::Sized(bytes) => {
            head.extend_from_slice(format!("content-length: {}\r\n\r\n", bytes.len()).as_bytes());
            head.extend_from_slice(bytes);
        }
        Body::Chunked(_) | Body::Endless => {
            head.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n")
        }
    }
    stream.write_all(&head)?;

    // A chunked body is written by a second thread, so that an answer that comes before
    // the body ends (413) is read while the client is still sending.
    let writer = match &request.body {
        Body::Chunked(bytes) => Some(chunk_writer(stream.try_clone()?, bytes.clone(), false)),
        Body::Endless => Some(chunk_writer(stream.try_clone()?, vec![b' '; CHUNK], true)),
        _ => None,
    };
    let reply = read_response(&mut stream, timeout);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    reply
}

fn chunk_writer(
    mut stream: TcpStream,
    data: Vec<u8>,
    endless: bool,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut sent = 0;
        let mut write_chunk = |chunk: &[u8]| -> std::io::Result<()> {
            stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
            stream.write_all(chunk)?;
            stream.write_all(b"\r\n")
        };
        if endless {
            while sent < ENDLESS_CAP && write_chunk(&data).is_ok() {
                sent += data.len();
            }
            return;
        }
        for chunk in data.chunks(CHUNK) {
            if write_chunk(chunk).is_err() {
                return;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n");
    })
}

fn read_response(stream: &mut TcpStream, timeout: Duration) -> std::io::Result<RawReply> {
    let started = Instant::now();
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head_len) = response
            .parse(&buffer)
            .map_err(|e| invalid(format!("bad response: {e}")))?
        {
            let status = response.code.unwrap_or(0);
            let header = |name: &str| {
                response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .map(|h| String::from_utf8_lossy(h.value).into_owned())
            };
            let content_type = header("content-type");
            let length: usize = header("content-length")
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| invalid(format!("status {status} without content-length")))?;
            while buffer.len() < head_len + length {
                if started.elapsed() > timeout {
                    return Err(invalid("timed out reading the body".into()));
                }
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Err(invalid("connection closed inside the body".into()));
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            return Ok(RawReply {
                status,
                content_type,
                body: buffer[head_len..head_len + length].to_vec(),
            });
        }
        if started.elapsed() > timeout {
            return Err(invalid("timed out waiting for a response".into()));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(invalid("connection closed before a response".into()));
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// Check that `status`, `content_type` and `body` are the JSON error `request` must get.
pub fn check_reply(
    request: &Hostile,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), String> {
    let what = || {
        format!(
            "{} ({} {})",
            request.name,
            request.method,
            shorten(&request.path)
        )
    };
    if status != request.expect {
        return Err(format!(
            "{}: expected {}, got {status}: {}",
            what(),
            request.expect,
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ));
    }
    if content_type != Some("application/json") {
        return Err(format!("{}: content-type {content_type:?}", what()));
    }
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("{}: the body is not JSON ({e})", what()))?;
    let error = &json["error"];
    if error["status"] != status || !error["code"].is_string() || !error["message"].is_string() {
        return Err(format!("{}: not a JSON error body: {json}", what()));
    }
    Ok(())
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Tokens.

/// Sign `header.payload` (both JSON) with HMAC-SHA-`bits` and `key`.
fn sign(header: &str, payload: &str, key: &[u8], bits: u16) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = match bits {
        256 => mac::<sha2::Sha256>(key, &signing_input),
        384 => mac::<sha2::Sha384>(key, &signing_input),
        _ => mac::<sha2::Sha512>(key, &signing_input),
    };
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn mac<D>(key: &[u8], input: &str) -> Vec<u8>
where
    D: sha2::Digest + hmac::digest::core_api::BlockSizeUser,
{
    let mut mac = <SimpleHmac<D> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The token corpus: `(what it tries, token)`. Each must be refused with 401, though all
/// but the forgeries are signed with the server's own `key`.
pub fn tokens(key: &str) -> Vec<(String, String)> {
    let key = key.as_bytes();
    let now = now();
    let hs256 = r#"{"alg":"HS256","typ":"JWT"}"#;
    let claims = |extra: &str| {
        format!(
            r#"{{"sub":"mallory","scope":"calc","exp":{}{extra}}}"#,
            now + 3600
        )
    };
    let good = sign(hs256, &claims(""), key, 256);
    let (signed, signature) = good.rsplit_once('.').unwrap();
    let mut list: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, token: String| list.push((name.to_owned(), token));

    // Algorithm confusion and unsupported algorithms.
    let unsigned = |header: &str| {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims(""))
        )
    };
    add(
        "alg none, no signature",
        unsigned(r#"{"alg":"none","typ":"JWT"}"#),
    );
    add("alg None", unsigned(r#"{"alg":"None"}"#));
    add("alg NONE", unsigned(r#"{"alg":"NONE"}"#));
    add(
        "alg none with an HS256 signature",
        sign(r#"{"alg":"none"}"#, &claims(""), key, 256),
    );
    add(
        "alg HS512 with the key",
        sign(r#"{"alg":"HS512"}"#, &claims(""), key, 512),
    );
    add(
        "alg HS384 with the key",
        sign(r#"{"alg":"HS384"}"#, &claims(""), key, 384),
    );
    add(
        "alg RS256 signed with the HMAC key",
        sign(r#"{"alg":"RS256"}"#, &claims(""), key, 256),
    );
    add(
        "alg ES256 signed with the HMAC key",
        sign(r#"{"alg":"ES256"}"#, &claims(""), key, 256),
    );
    add(
        "alg hs256 (lower case)",
        sign(r#"{"alg":"hs256"}"#, &claims(""), key, 256),
    );
    add("no alg", sign(r#"{"typ":"JWT"}"#, &claims(""), key, 256));
    add(
        "alg is a number",
        sign(r#"{"alg":256}"#, &claims(""), key, 256),
    );
    add(
        "typ JWE",
        sign(r#"{"alg":"HS256","typ":"JWE"}"#, &claims(""), key, 256),
    );
    add(
        "crit extension",
        sign(r#"{"alg":"HS256","crit":["exp"]}"#, &claims(""), key, 256),
    );
    add(
        "header is an array",
        sign(r#"["HS256"]"#, &claims(""), key, 256),
    );
    add(
        "header is not JSON",
        sign("alg=HS256", &claims(""), key, 256),
    );

    // Signatures.
    add(
        "signed with another key",
        sign(
            hs256,
            &claims(""),
            b"another-key-of-thirty-two-bytes!!",
            256,
        ),
    );
    let mut flipped = signature.as_bytes().to_vec();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    add(
        "one signature character changed",
        format!("{signed}.{}", String::from_utf8(flipped).unwrap()),
    );
    add("empty signature", format!("{signed}."));
    add(
        "signature cut short",
        format!("{signed}.{}", &signature[..20]),
    );
    add(
        "signature doubled",
        format!("{signed}.{signature}{signature}"),
    );
    add("signature in standard base64 with padding", {
        let raw = URL_SAFE_NO_PAD.decode(signature).unwrap();
        format!("{signed}.{}", STANDARD.encode(raw))
    });
    add("payload swapped after signing", {
        let (header, _) = signed.split_once('.').unwrap();
        let payload = URL_SAFE_NO_PAD.encode(claims(r#","admin":true"#));
        format!("{header}.{payload}.{signature}")
    });

    // Structure.
    for cut in [1, 10, 30, signed.len(), good.len() - 1] {
        add(&format!("truncated to {cut} bytes"), good[..cut].to_owned());
    }
    add("four segments", format!("{good}.{signature}"));
    add("five segments", format!("{good}.x.y"));
    add("two segments", signed.to_owned());
    add("one segment", URL_SAFE_NO_PAD.encode(claims("")));
    add("empty", String::new());
    add("only dots", "..".into());
    add("three empty segments and more", "...".into());
    add("leading space", format!(" {good}"));
    add("two tokens", format!("{good} {good}"));
    add("tab inside", good.replacen('.', ".\t", 1));
    add("space inside", good.replacen('.', ". ", 1));
    add("not base64 at all", "!!!.???.***".into());

    // Claims, all correctly signed.
    let with = |payload: String| sign(hs256, &payload, key, 256);
    add(
        "expired an hour ago",
        with(format!(r#"{{"sub":"a","exp":{}}}"#, now - 3600)),
    );
    add(
        "expired beyond the leeway",
        with(format!(r#"{{"sub":"a","exp":{}}}"#, now - 120)),
    );
    add(
        "not valid for an hour",
        with(format!(
            r#"{{"sub":"a","exp":{},"nbf":{}}}"#,
            now + 7200,
            now + 3600
        )),
    );
    add(
        "issued ten years from now",
        with(format!(
            r#"{{"sub":"a","exp":{},"iat":{}}}"#,
            now + 3600,
            now + 315_360_000
        )),
    );
    add("exp zero", with(r#"{"sub":"a","exp":0}"#.into()));
    add("exp negative", with(r#"{"sub":"a","exp":-1}"#.into()));
    add(
        "exp as a string",
        with(format!(r#"{{"sub":"a","exp":"{}"}}"#, now + 3600)),
    );
    add(
        "exp as a float",
        with(format!(r#"{{"sub":"a","exp":{}.5}}"#, now + 3600)),
    );
    add(
        "exp beyond u64",
        with(r#"{"sub":"a","exp":18446744073709551616}"#.into()),
    );
    add("no exp", with(r#"{"sub":"a"}"#.into()));
    add(
        "no sub",
        with(format!(r#"{{"scope":"calc","exp":{}}}"#, now + 3600)),
    );
    add(
        "empty sub",
        with(format!(r#"{{"sub":"","exp":{}}}"#, now + 3600)),
    );
    add(
        "sub is a number",
        with(format!(r#"{{"sub":42,"exp":{}}}"#, now + 3600)),
    );
    add(
        "sub is null",
        with(format!(r#"{{"sub":null,"exp":{}}}"#, now + 3600)),
    );
    add(
        "scope is a list",
        with(format!(
            r#"{{"sub":"a","scope":["calc"],"exp":{}}}"#,
            now + 3600
        )),
    );
    add(
        "nbf as a string",
        with(format!(r#"{{"sub":"a","exp":{},"nbf":"0"}}"#, now + 3600)),
    );
    add(
        "iat as a bool",
        with(format!(r#"{{"sub":"a","exp":{},"iat":true}}"#, now + 3600)),
    );
    add(
        "duplicate sub",
        with(format!(
            r#"{{"sub":"a","sub":"root","exp":{}}}"#,
            now + 3600
        )),
    );
    add("claims are an array", with(r#"["a"]"#.into()));
    add("claims are not JSON", with("sub=a".into()));
    add("claims are empty", with(String::new()));
    add(
        "huge claims over the token limit",
        with(format!(
            r#"{{"sub":"a","exp":{},"pad":"{}"}}"#,
            now - 3600,
            "x".repeat(9000)
        )),
    );
    add(
        "huge claims under the token limit, expired",
        with(format!(
            r#"{{"sub":"a","exp":{},"scope":"{}"}}"#,
            now - 3600,
            "calc ".repeat(1000)
        )),
    );
    add(
        "sub is 1,000 nested arrays",
        with(format!(
            r#"{{"sub":{}"a"{},"exp":{}}}"#,
            "[".repeat(1000),
            "]".repeat(1000),
            now + 3600
        )),
    );
    list
}

// ---------------------------------------------------------------------------------------
// Requests.

/// The whole corpus: every request, token-borne or not, and the status it must get.
/// `key` is the server's HS256 key (the well-signed tokens use it), and
/// `calc` a valid token with the `calc` scope.
pub fn requests(key: &str, calc: &str, no_scope: &str) -> Vec<Hostile> {
    let mut corpus = Vec::new();
    let add = |request: Hostile| request.bearer(calc);
    let ops = ["add", "subtract", "multiply", "divide"];

    // Requests the host cannot turn into wasi:http requests: 400 from the host, before
    // any instance (RFC 9112 §3.2).
    for (name, host) in [
        ("no Host header", HostHeader::Missing),
        ("two Host headers", HostHeader::Twice),
        ("an empty Host", HostHeader::Raw(Vec::new())),
        (
            "a Host with a space",
            HostHeader::Raw(b"local host".to_vec()),
        ),
        (
            "a Host with a path",
            HostHeader::Raw(b"localhost/x".to_vec()),
        ),
        (
            "a Host that is not ASCII",
            HostHeader::Raw(b"l\xf6calhost".to_vec()),
        ),
        (
            "a Host with a bad port",
            HostHeader::Raw(b"localhost:port".to_vec()),
        ),
    ] {
        corpus.push(Hostile::new(name, "GET", "/healthz", 400).host(host.clone()));
        corpus.push(
            add(Hostile::new(
                format!("{name}, POST"),
                "POST",
                "/v1/add",
                400,
            ))
            .host(host)
            .json(r#"{"a":1,"b":2}"#),
        );
    }
    for target in [
        "ftp://localhost/healthz",
        "ws://localhost/healthz",
        "file://localhost/healthz",
    ] {
        corpus.push(Hostile::new(
            format!("absolute-form {target}"),
            "GET",
            target,
            400,
        ));
    }

    // Malformed JSON: 400.
    let malformed: &[&str] = &[
        "",
        " ",
        "{",
        "}",
        "[",
        "]",
        "{{}}",
        "{a:1,b:2}",
        "{'a':1,'b':2}",
        "[1,2]",
        "null",
        "true",
        "1",
        "\"a\"",
        r#"{"a":1,"b":2,}"#,
        r#"{"a":1 "b":2}"#,
        r#"{"a":"1","b":2}"#,
        r#"{"a":1.5,"b":2}"#,
        r#"{"a":-1,"b":2}"#,
        r#"{"a":1e3,"b":2}"#,
        r#"{"a":4294967296,"b":1}"#,
        r#"{"a":99999999999999999999999,"b":1}"#,
        r#"{"a":1}"#,
        r#"{"b":1}"#,
        r#"{}"#,
        r#"{"a":1,"b":2,"c":3}"#,
        r#"{"a":1,"a":2,"b":3}"#,
        r#"{"a":null,"b":2}"#,
        r#"{"a":[1],"b":2}"#,
        r#"{"a":{},"b":2}"#,
        r#"{"a":true,"b":2}"#,
        r#"{"a":1,"b":2}garbage"#,
        r#"{"a":1,"b":2}{"a":1,"b":2}"#,
        r#"{"a":01,"b":2}"#,
        r#"{"a":0x10,"b":2}"#,
        r#"{"a":NaN,"b":2}"#,
        r#"{"a":Infinity,"b":2}"#,
        "\u{feff}{\"a\":1,\"b\":2}",
        "/* hi */{\"a\":1,\"b\":2}",
        r#"{"a":1,"b":2"#,
        r#"{"a":"\ud800","b":2}"#,
        "{\"a\":1,\"b\":2,\"\u{0}\":3}",
    ];
    for (i, body) in malformed.iter().enumerate() {
        let op = ops[i % ops.len()];
        corpus.push(
            add(Hostile::new(
                format!("malformed JSON {body:?}"),
                "POST",
                &format!("/v1/{op}"),
                400,
            ))
            .json(*body),
        );
    }
    let sequences: &[&str] = &[
        r#"{"values":[1,2,"x"]}"#,
        r#"{"values":[-1]}"#,
        r#"{"values":[1.0]}"#,
        r#"{"values":null}"#,
        r#"{"values":{}}"#,
        r#"{"values":[4294967296]}"#,
        r#"{"values":[1,2,]}"#,
        r#"{"values":"1,2"}"#,
        r#"{"value":[1]}"#,
        r#"[[1,2]]"#,
    ];
    for body in sequences {
        corpus.push(
            add(Hostile::new(
                format!("bad sequence {body}"),
                "POST",
                "/v1/sequence",
                400,
            ))
            .json(*body),
        );
    }
    // Truncated JSON: every proper prefix of a good body.
    let good = r#"{"a":12,"b":34}"#;
    for cut in 0..good.len() {
        corpus.push(
            add(Hostile::new(
                format!("truncated at {cut}"),
                "POST",
                "/v1/add",
                400,
            ))
            .json(&good[..cut]),
        );
    }
    let good_sequence = r#"{"values":[3,1,2]}"#;
    for cut in (1..good_sequence.len()).step_by(3) {
        corpus.push(
            add(Hostile::new(
                format!("truncated sequence at {cut}"),
                "POST",
                "/v1/sequence",
                400,
            ))
            .json(&good_sequence[..cut]),
        );
    }

    // Deeply nested: serde_json's recursion limit refuses it, the stack never overflows.
    for depth in [129, 1_000, 30_000] {
        let arrays = format!(
            r#"{{"a":{}1{},"b":1}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        corpus.push(
            add(Hostile::new(
                format!("{depth} nested arrays"),
                "POST",
                "/v1/add",
                400,
            ))
            .json(arrays),
        );
        // Five bytes a level: deeper would be over the body limit (413, tested below).
        let levels = depth.min(10_000);
        let objects = format!("{}1{}", r#"{"a":"#.repeat(levels), "}".repeat(levels));
        corpus.push(
            add(Hostile::new(
                format!("{depth} nested objects"),
                "POST",
                "/v1/multiply",
                400,
            ))
            .json(objects),
        );
        let open = format!(r#"{{"values":{}"#, "[".repeat(depth));
        corpus.push(
            add(Hostile::new(
                format!("{depth} unclosed arrays"),
                "POST",
                "/v1/sequence",
                400,
            ))
            .json(open),
        );
    }

    // Huge JSON, under and over the body limit.
    let long_string = format!(r#"{{"a":"{}","b":1}}"#, "x".repeat(API_BODY_LIMIT - 100));
    corpus.push(
        add(Hostile::new(
            "a 64 KiB string for a number",
            "POST",
            "/v1/add",
            400,
        ))
        .json(long_string),
    );
    let many_keys: String = (0..4_000).map(|i| format!(r#""k{i}":1,"#)).collect();
    corpus.push(
        add(Hostile::new("4,000 unknown keys", "POST", "/v1/add", 400))
            .json(format!("{{{many_keys}\"a\":1}}")),
    );
    let over = format!(r#"{{"values":[{}1]}}"#, "1,".repeat(API_BODY_LIMIT / 2));
    corpus.push(
        add(Hostile::new(
            "a sequence over the limit",
            "POST",
            "/v1/sequence",
            413,
        ))
        .json(over.clone()),
    );
    corpus.push(
        add(Hostile::new(
            "whitespace over the limit",
            "POST",
            "/v1/add",
            413,
        ))
        .json(format!("{}{good}", " ".repeat(API_BODY_LIMIT))),
    );
    corpus.push(
        add(Hostile::new(
            "a chunked sequence over the limit",
            "POST",
            "/v1/sequence",
            413,
        ))
        .header("content-type", "application/json")
        .body(Body::Chunked(over.into_bytes())),
    );
    corpus.push(
        add(Hostile::new(
            "a chunked body that never ends",
            "POST",
            "/v1/sequence",
            413,
        ))
        .header("content-type", "application/json")
        .body(Body::Endless),
    );
    corpus.push(
        add(Hostile::new(
            "a chunked body that never ends, to add",
            "POST",
            "/v1/add",
            413,
        ))
        .header("content-type", "application/json")
        .body(Body::Endless),
    );
    corpus.push(
        add(Hostile::new("a declared terabyte", "POST", "/v1/add", 413))
            .header("content-type", "application/json")
            .header("content-length", "1000000000000"),
    );
    corpus.push(
        add(Hostile::new(
            "a declared length one over the limit",
            "POST",
            "/v1/add",
            413,
        ))
        .header("content-type", "application/json")
        .header("content-length", (API_BODY_LIMIT + 1).to_string()),
    );

    // Invalid UTF-8.
    for body in [
        &b"{\"a\":1,\"b\":\"\xff\"}"[..],
        b"\xff\xfe{}",
        b"{\"a\xc0\":1,\"b\":2}",
        b"{\"values\":[1,\xed\xa0\x80]}",
    ] {
        corpus.push(
            add(Hostile::new(
                format!("invalid UTF-8 {body:?}"),
                "POST",
                "/v1/add",
                400,
            ))
            .json(body.to_vec()),
        );
    }

    // Wrong content types: 415.
    let content_types: &[&[u8]] = &[
        b"text/plain",
        b"application/xml",
        b"application/jsonx",
        b"application/json-patch+json",
        b"json",
        b"",
        b"application/x-www-form-urlencoded",
        b"multipart/form-data; boundary=x",
        b"text/json",
        b"application/\xffjson",
        b"application/ json",
    ];
    for ct in content_types {
        corpus.push(
            add(Hostile::new(
                format!("content-type {:?}", String::from_utf8_lossy(ct)),
                "POST",
                "/v1/add",
                415,
            ))
            .header("content-type", ct.to_vec())
            .body(Body::Sized(good.into())),
        );
    }
    corpus.push(
        add(Hostile::new("no content-type", "POST", "/v1/add", 415)).body(Body::Sized(good.into())),
    );
    corpus.push(
        add(Hostile::new(
            "a 16 KiB content-type",
            "POST",
            "/v1/add",
            415,
        ))
        .header("content-type", "a".repeat(16 * 1024))
        .body(Body::Sized(good.into())),
    );

    // Overflow and division by zero: 422.
    let arithmetic: &[(&str, &str)] = &[
        ("add", r#"{"a":4294967295,"b":1}"#),
        ("add", r#"{"a":4294967295,"b":4294967295}"#),
        ("add", r#"{"a":2147483648,"b":2147483648}"#),
        ("subtract", r#"{"a":0,"b":1}"#),
        ("subtract", r#"{"a":1,"b":4294967295}"#),
        ("multiply", r#"{"a":65536,"b":65536}"#),
        ("multiply", r#"{"a":4294967295,"b":2}"#),
        ("divide", r#"{"a":1,"b":0}"#),
        ("divide", r#"{"a":0,"b":0}"#),
        ("divide", r#"{"a":4294967295,"b":0}"#),
    ];
    for (op, body) in arithmetic {
        corpus.push(
            add(Hostile::new(
                format!("{op} {body}"),
                "POST",
                &format!("/v1/{op}"),
                422,
            ))
            .json(*body),
        );
    }

    // Empty and huge headers, missing or wrong credentials.
    let calc_body = |h: Hostile| {
        h.header("content-type", "application/json")
            .body(Body::Sized(good.into()))
    };
    let auth_headers: &[&[u8]] = &[
        b"",
        b"Bearer",
        b"Bearer ",
        b"Bearer  ",
        b"Basic YWxpY2U6c2VjcmV0",
        b"bearer",
        b"Token abc",
        b"Bearer \xff\xfe",
        b"BEARER x.y.z",
    ];
    for value in auth_headers {
        corpus.push(calc_body(
            Hostile::new(
                format!("authorization {:?}", String::from_utf8_lossy(value)),
                "POST",
                "/v1/add",
                401,
            )
            .header("authorization", value.to_vec()),
        ));
    }
    corpus.push(calc_body(Hostile::new(
        "no authorization",
        "POST",
        "/v1/add",
        401,
    )));
    corpus.push(
        Hostile::new("a 16 KiB bearer token", "GET", "/v1/whoami", 401)
            .header("authorization", format!("Bearer {}", "a".repeat(16 * 1024))),
    );
    corpus.push(
        Hostile::new("a 60 KiB bearer token", "GET", "/v1/whoami", 401).header(
            "authorization",
            format!("Bearer {}", "a.".repeat(30 * 1024)),
        ),
    );
    let mut many = Hostile::new("80 junk headers and no token", "GET", "/v1/whoami", 401);
    for i in 0..80 {
        many = many.header(&format!("x-junk-{i}"), "y".repeat(512));
    }
    corpus.push(many);
    corpus.push(
        Hostile::new(
            "a 32 KiB junk header and no token",
            "GET",
            "/v1/whoami",
            401,
        )
        .header("x-junk", "z".repeat(32 * 1024)),
    );
    corpus.push(
        Hostile::new("empty junk headers and no token", "GET", "/v1/whoami", 401)
            .header("x-a", "")
            .header("x-b", ""),
    );
    corpus.push(calc_body(
        Hostile::new("a token without the calc scope", "POST", "/v1/add", 403).bearer(no_scope),
    ));
    corpus.push(calc_body(
        Hostile::new(
            "a token without the calc scope, sequence",
            "POST",
            "/v1/sequence",
            403,
        )
        .bearer(no_scope),
    ));

    // Path tricks: 404.
    let long_path = format!("/{}", "a".repeat(8 * 1024));
    let deep_path = "/..".repeat(2_000);
    let paths: Vec<&str> = vec![
        "/v1/../healthz",
        "/v1/%2e%2e/healthz",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/../../etc/passwd",
        "//healthz",
        "/v1//add",
        "/healthz/",
        "/HEALTHZ",
        "/v1/add/",
        "/v1/add%00",
        "/v1/%61dd",
        "/./healthz",
        "/healthz/.",
        "/v1/add;a=b",
        "/",
        "/v1",
        "/v1/",
        "/v1/whoami/..",
        "/v1/whoami%2f..",
        "/healthz%20",
        "/v2/add",
        "/v1/ADD",
        "/%76%31/add",
        &long_path,
        &deep_path,
    ];
    for path in paths {
        let request = Hostile::new(format!("path {}", shorten(path)), "POST", path, 404);
        corpus.push(calc_body(add(request)));
    }

    // Unknown or wrong methods: 405 on known paths, 404 elsewhere.
    for method in [
        "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW", "PROPFIND", "GETT", "get", "post",
    ] {
        corpus.push(calc_body(add(Hostile::new(
            format!("{method} /v1/add"),
            method,
            "/v1/add",
            405,
        ))));
        corpus.push(add(Hostile::new(
            format!("{method} /healthz"),
            method,
            "/healthz",
            405,
        )));
    }
    corpus.push(add(Hostile::new("GET /v1/add", "GET", "/v1/add", 405)));
    corpus.push(calc_body(add(Hostile::new(
        "POST /v1/whoami",
        "POST",
        "/v1/whoami",
        405,
    ))));
    corpus.push(add(Hostile::new("BREW /coffee", "BREW", "/coffee", 404)));

    // Tokens: 401 everywhere they are checked.
    for (name, token) in tokens(key) {
        corpus
            .push(Hostile::new(format!("token: {name}"), "GET", "/v1/whoami", 401).bearer(&token));
    }
    corpus
}
