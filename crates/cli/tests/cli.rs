//! The `fusebox` binary: its help, its errors, its logs, and graceful shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn fusebox() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fusebox"))
}

/// A running `fusebox serve`, its address, and its stderr lines as they come.
struct Running {
    child: Child,
    addr: String,
    stderr: mpsc::Receiver<String>,
}

fn serve(artifact: &[u8], args: &[&str]) -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service.wasm");
    std::fs::write(&path, artifact).unwrap();
    // The example auth component's key, as a config value read from a file.
    let key = dir.path().join("auth.key");
    std::fs::write(&key, format!("{}\n", fusebox_tests::TEST_KEY)).unwrap();
    let mut child = fusebox()
        .arg("serve")
        .arg(&path)
        // The address from the environment (`make load` passes --addr instead).
        .env("FUSEBOX_ADDR", "127.0.0.1:0")
        .arg("--config")
        .arg(format!("{}=@{}", auth_token::KEY_CONFIG, key.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, stderr) = mpsc::channel();
    let pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    // The "listening" event names the address the kernel picked.
    let addr = loop {
        let line = stderr
            .recv_timeout(Duration::from_secs(60))
            .expect("the server starts");
        if let Some(rest) = line.split("on http://").nth(1) {
            break rest.split(' ').next().unwrap().to_owned();
        }
    };
    (
        Running {
            child,
            addr,
            stderr,
        },
        dir,
    )
}

/// Send the server SIGTERM, as a service manager stopping it would.
fn sigterm(server: &Running) {
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success(), "kill -TERM {pid}");
}

/// A raw HTTP/1.1 request, so that the test controls exactly when bytes are sent.
fn request(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\n{auth}content-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    stream
}

fn status_of(mut stream: TcpStream) -> u16 {
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not HTTP: {response:?}"))
}

#[test]
fn help_explains_every_flag() {
    let output = fusebox().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--addr",
        "--config",
        "--config-file",
        "--max-instances",
        "--deadline",
        "--memory-limit-mib",
        "--max-body-bytes",
        "--allocator",
        "--cache-dir",
        "--threads",
    ] {
        assert!(help.contains(flag), "{flag} is missing from:\n{help}");
    }
}

#[test]
fn a_missing_artifact_is_a_clear_error() {
    let output = fusebox()
        .args(["serve", "/nonexistent/service.wasm"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read the artifact /nonexistent/service.wasm"),
        "{stderr}"
    );
    assert!(stderr.contains("fusebox compose"), "{stderr}");
    assert!(stderr.starts_with("fusebox: error: "), "{stderr}");
}

#[test]
fn a_config_value_reaches_the_component_and_never_the_logs() {
    let (mut server, _dir) = serve(&fusebox_tests::fused().bytes, &[]);
    let claims = auth_token::Claims::new("carol", &["calc"], Duration::from_secs(300));
    let token = auth_token::mint(&claims, fusebox_tests::TEST_KEY.as_bytes()).unwrap();
    let stream = request(
        &server.addr,
        "POST",
        "/v1/multiply",
        Some(token.trim()),
        r#"{"a":6,"b":7}"#,
    );
    assert_eq!(status_of(stream), 200);
    // One JSON access-log line per request on stdout, written by the server's thread
    // once it has nothing else to do (crates/runtime/src/log.rs).
    let (send, stdout_lines) = mpsc::channel();
    let pipe = server.child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let first = stdout_lines
        .recv_timeout(Duration::from_secs(10))
        .expect("an access line");
    server.child.kill().unwrap();
    let _ = server.child.wait();
    let stdout = std::iter::once(first.clone())
        .chain(stdout_lines.try_iter())
        .collect::<Vec<_>>()
        .join("\n");
    let line: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(line["path"], "/v1/multiply");
    assert_eq!(line["status"], 200);
    assert!(line["instance_us"].as_u64().is_some());
    // The key never appears in any log.
    let stderr: Vec<String> = server.stderr.try_iter().collect();
    assert!(
        !stdout.contains(fusebox_tests::TEST_KEY)
            && !stderr.concat().contains(fusebox_tests::TEST_KEY)
    );
}

#[test]
fn sigterm_drains_in_flight_requests_then_exits() {
    let token = fusebox_tests::token("alice", &["calc"], 600, fusebox_tests::TEST_KEY);
    let (mut server, _dir) = serve(fusebox_tests::misbehaving_artifact(), &["--deadline", "2s"]);
    // `multiply` spins until the deadline: in flight when the signal arrives.
    let in_flight = request(
        &server.addr,
        "POST",
        "/v1/multiply",
        Some(&token),
        r#"{"a":1,"b":1}"#,
    );
    std::thread::sleep(Duration::from_millis(500));
    sigterm(&server);

    assert_eq!(
        status_of(in_flight),
        504,
        "the in-flight request still gets its answer"
    );
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exits cleanly after draining: {status:?}");
    let events: Vec<String> = server.stderr.try_iter().collect();
    assert!(
        events.iter().any(|l| l.contains("\"draining\"")),
        "{events:?}"
    );
    assert!(
        TcpStream::connect(&server.addr).is_err(),
        "no longer accepting"
    );
}

#[test]
fn every_serving_thread_drains_on_sigterm() {
    let token = fusebox_tests::token("alice", &["calc"], 600, fusebox_tests::TEST_KEY);
    let (mut server, _dir) = serve(
        fusebox_tests::misbehaving_artifact(),
        &["--deadline", "2s", "--threads", "3"],
    );
    // Six spinning requests on six connections, spread over the three threads by
    // whichever accepts first: every one must still be answered after the signal.
    let in_flight: Vec<TcpStream> = (0..6)
        .map(|_| {
            request(
                &server.addr,
                "POST",
                "/v1/multiply",
                Some(&token),
                r#"{"a":1,"b":1}"#,
            )
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    sigterm(&server);
    for stream in in_flight {
        assert_eq!(status_of(stream), 504, "each in-flight request is answered");
    }
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exits cleanly after draining: {status:?}");
    let events: Vec<String> = server.stderr.try_iter().collect();
    let stopped: Vec<&String> = events
        .iter()
        .filter(|l| l.contains("\"stopped\""))
        .collect();
    assert_eq!(
        stopped.len(),
        1,
        "one stop event for the server: {events:?}"
    );
    assert!(stopped[0].contains("all requests finished"), "{stopped:?}");
}

/// The deadline also sets how often each serving thread's standing timer ticks
/// (`keep_a_timer_pending` in crates/runtime/src/server.rs), clamped to between 1 ms and
/// an hour. At either end of that range, and far past it, the server still serves.
#[test]
fn the_shortest_and_longest_deadlines_still_serve() {
    for deadline in ["0s", "1ms", "600000000years"] {
        let (mut server, _dir) = serve(&fusebox_tests::fused().bytes, &["--deadline", deadline]);
        for _ in 0..3 {
            let stream = request(&server.addr, "GET", "/healthz", None, "");
            assert_eq!(status_of(stream), 200, "--deadline {deadline}");
        }
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "--deadline {deadline}: the server exited"
        );
        server.child.kill().unwrap();
        let _ = server.child.wait();
        // A panic in the timer's task would leave the server serving, but not quietly.
        let stderr: Vec<String> = server.stderr.try_iter().collect();
        assert!(
            !stderr.iter().any(|line| line.contains("panicked")),
            "--deadline {deadline}: {stderr:?}"
        );
    }
}

#[test]
fn zero_threads_is_refused_by_name() {
    let output = fusebox()
        .args(["serve", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--threads"), "{stderr}");
}
