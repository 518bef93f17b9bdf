//! The server's log: one JSON access line per request on stdout, and the guest's stderr
//! on stderr, one JSON line per guest line, tagged with the request id.
//!
//! Each line is formatted straight into bytes, with no `serde_json::Value` in between, and
//! a guest line that is JSON already (the fused logger's are) is spliced in as it is,
//! once a parser has checked it, instead of being parsed into a tree and written again.
//!
//! A `fusebox serve` thread ([`crate::server::serve_per_core`]) buffers its lines and
//! writes them when it goes idle (tokio's `on_thread_park`), when they pass
//! [`FLUSH_BYTES`], or when the oldest has waited [`FLUSH_AGE`]; then a busy thread makes
//! one `write` per stream for many requests, where it made two per request. nginx's
//! `access_log … buffer=` does the same. Any other thread writes each line at once.
//! Measured side by side with wrk in `docs/benchmarks.md` (the levers table).

use std::cell::RefCell;
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A buffering thread writes once its lines for one stream pass this many bytes.
pub const FLUSH_BYTES: usize = 32 * 1024;
/// A buffering thread writes its lines once the oldest has waited this long, even if the
/// thread never goes idle.
pub const FLUSH_AGE: Duration = Duration::from_millis(100);

/// Where a line goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

/// One thread's lines not yet written.
#[derive(Default)]
struct Buffered {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    oldest: Option<Instant>,
}

thread_local! {
    /// `Some` on a thread that buffers ([`buffer_this_thread`]).
    static BUFFERED: RefCell<Option<Buffered>> = const { RefCell::new(None) };
}

/// From now on, this thread's lines are buffered until [`flush`] (or a size or age
/// bound). The thread must call [`flush`] when it goes idle and before it ends.
pub(crate) fn buffer_this_thread() {
    BUFFERED.with_borrow_mut(|buffered| *buffered = Some(Buffered::default()));
}

/// Write this thread's buffered lines, if any.
pub(crate) fn flush() {
    BUFFERED.with_borrow_mut(|buffered| {
        if let Some(buffered) = buffered {
            write_out(Stream::Stdout, &mut buffered.stdout);
            write_out(Stream::Stderr, &mut buffered.stderr);
            buffered.oldest = None;
        }
    });
}

/// Append what `format` writes (whole lines) to `stream`: to this thread's buffer when it
/// buffers, else straight out with one `write`.
fn emit(stream: Stream, format: impl FnOnce(&mut Vec<u8>)) {
    let mut format = Some(format);
    BUFFERED.with_borrow_mut(|buffered| {
        let Some(buffered) = buffered else {
            return;
        };
        let Some(format) = format.take() else {
            return;
        };
        let now = Instant::now();
        let oldest = *buffered.oldest.get_or_insert(now);
        let lines = match stream {
            Stream::Stdout => &mut buffered.stdout,
            Stream::Stderr => &mut buffered.stderr,
        };
        format(lines);
        if lines.len() >= FLUSH_BYTES || now.duration_since(oldest) >= FLUSH_AGE {
            write_out(Stream::Stdout, &mut buffered.stdout);
            write_out(Stream::Stderr, &mut buffered.stderr);
            buffered.oldest = None;
        }
    });
    if let Some(format) = format {
        let mut lines = Vec::with_capacity(256);
        format(&mut lines);
        write_out(stream, &mut lines);
    }
}

/// Write `lines` to `stream` with one `write_all` (stdout and stderr are locked for it,
/// so lines from two threads never interleave), and empty it.
fn write_out(stream: Stream, lines: &mut Vec<u8>) {
    if lines.is_empty() {
        return;
    }
    #[cfg(not(test))]
    let _ = match stream {
        Stream::Stdout => std::io::stdout().lock().write_all(lines),
        Stream::Stderr => std::io::stderr().lock().write_all(lines),
    };
    // The tests read what would have been written, and keep the test output clean.
    #[cfg(test)]
    tests::WRITTEN.with_borrow_mut(|written| written.push((stream, lines.clone())));
    lines.clear();
}

/// One request's access line, as [`access`] writes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Access<'a> {
    /// The runtime's number for the request.
    pub request_id: u64,
    /// The request's method.
    pub method: &'a str,
    /// The request's path (the first 256 characters are logged).
    pub path: &'a str,
    /// The response's status.
    pub status: u16,
    /// From the request's head to its response, in the server.
    pub duration: Duration,
    /// The instance's share of `duration`.
    pub instance: Duration,
    /// How it ended: `answered`, `busy`, `trapped: …`.
    pub outcome: &'a str,
}

/// Log `access` on stdout: `{"ts_ms":…,"request_id":…,"method":…,"path":…,"status":…,
/// "duration_us":…,"instance_us":…,"outcome":…}`.
pub(crate) fn access(access: &Access<'_>) {
    emit(Stream::Stdout, |out| {
        write_access(out, access, unix_millis())
    });
}

fn write_access(out: &mut Vec<u8>, access: &Access<'_>, ts_ms: u128) {
    let path = match access.path.char_indices().nth(256) {
        Some((end, _)) => &access.path[..end],
        None => access.path,
    };
    let _ = write!(
        out,
        "{{\"ts_ms\":{ts_ms},\"request_id\":{},\"method\":",
        access.request_id
    );
    json_string(out, access.method);
    out.extend_from_slice(b",\"path\":");
    json_string(out, path);
    let _ = write!(
        out,
        ",\"status\":{},\"duration_us\":{},\"instance_us\":{},\"outcome\":",
        access.status,
        access.duration.as_micros() as u64,
        access.instance.as_micros() as u64
    );
    json_string(out, access.outcome);
    out.extend_from_slice(b"}\n");
}

/// Log what a request's guest wrote to stderr, a line at a time, on stderr: each as
/// `{"request_id":…,"guest":…}`, where `guest` is the line itself when it is JSON, else
/// the line as a string.
pub(crate) fn guest_stderr(request_id: u64, stderr: &[u8]) {
    if stderr.is_empty() {
        return;
    }
    emit(Stream::Stderr, |out| {
        write_guest_stderr(out, request_id, stderr)
    });
}

fn write_guest_stderr(out: &mut Vec<u8>, request_id: u64, stderr: &[u8]) {
    for line in String::from_utf8_lossy(stderr).lines() {
        let _ = write!(out, "{{\"request_id\":{request_id},\"guest\":");
        // Checked by a parser, so the line goes in as it is only if it is one JSON value.
        match serde_json::from_str::<&serde_json::value::RawValue>(line) {
            Ok(json) => out.extend_from_slice(json.get().as_bytes()),
            Err(_) => json_string(out, line),
        }
        out.extend_from_slice(b"}\n");
    }
}

/// A server event (not a request) on stderr: `{"ts_ms":…,"event":…,"message":…}`.
pub fn event(event: &str, message: &str) {
    emit(Stream::Stderr, |out| {
        let _ = write!(out, "{{\"ts_ms\":{},\"event\":", unix_millis());
        json_string(out, event);
        out.extend_from_slice(b",\"message\":");
        json_string(out, message);
        out.extend_from_slice(b"}\n");
    });
}

/// `text` as a JSON string, quoted and escaped.
fn json_string(out: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(&mut *out, text);
}

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// What `write_out` wrote on this thread, write by write.
        pub(super) static WRITTEN: RefCell<Vec<(Stream, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
    }

    fn parse(line: &[u8]) -> serde_json::Value {
        serde_json::from_slice(line).expect("a JSON line")
    }

    #[test]
    fn an_access_line_is_one_json_object_with_every_field() {
        let mut out = Vec::new();
        let path = format!("/v1/\"quoted\"\\{}", "x".repeat(300));
        let access = Access {
            request_id: 7,
            method: "POST",
            path: &path,
            status: 200,
            duration: Duration::from_micros(120),
            instance: Duration::from_micros(80),
            outcome: "trapped: a \"quoted\"\nreason",
        };
        write_access(&mut out, &access, 1_700_000_000_000);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        assert!(out.ends_with(b"}\n"));
        let line = parse(&out);
        assert_eq!(line["ts_ms"], 1_700_000_000_000u64);
        assert_eq!(line["request_id"], 7);
        assert_eq!(line["method"], "POST");
        assert_eq!(line["path"].as_str().unwrap().chars().count(), 256);
        assert!(path.starts_with(line["path"].as_str().unwrap()));
        assert_eq!(line["status"], 200);
        assert_eq!(line["duration_us"], 120);
        assert_eq!(line["instance_us"], 80);
        assert_eq!(line["outcome"], "trapped: a \"quoted\"\nreason");
    }

    #[test]
    fn a_guest_json_line_is_kept_and_any_other_line_becomes_a_string() {
        let stderr = b"{\"level\":\"info\",\"msg\":\"added\"}\nplain \"text\"\n{\"open\":\n[1,2] [3]\n\xff\n";
        let mut out = Vec::new();
        write_guest_stderr(&mut out, 9, stderr);
        let lines: Vec<_> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let guest: Vec<_> = lines
            .iter()
            .map(|line| parse(line)["guest"].clone())
            .collect();
        assert!(lines.iter().all(|line| parse(line)["request_id"] == 9));
        assert_eq!(
            guest,
            [
                serde_json::json!({"level": "info", "msg": "added"}),
                "plain \"text\"".into(),
                "{\"open\":".into(),
                "[1,2] [3]".into(),
                "\u{fffd}".into(),
            ]
        );
    }

    #[test]
    fn a_buffering_thread_writes_nothing_until_it_flushes_or_passes_the_bound() {
        std::thread::spawn(|| {
            let writes = || WRITTEN.with_borrow(|written| written.len());
            event("unbuffered", "");
            assert_eq!(
                writes(),
                1,
                "a thread that does not buffer writes each line"
            );

            buffer_this_thread();
            event("test", "one");
            event("test", "two");
            assert_eq!(writes(), 1, "a buffering thread holds its lines");
            flush();
            assert_eq!(writes(), 2, "a flush writes them with one write");
            let (stream, lines) = WRITTEN.with_borrow(|written| written[1].clone());
            assert_eq!(stream, Stream::Stderr);
            let lines: Vec<_> = lines
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(lines.len(), 2);
            assert_eq!(parse(lines[1])["message"], "two");

            event("test", &"x".repeat(FLUSH_BYTES));
            assert_eq!(writes(), 3, "lines past the bound go out at once");
            event("test", "three");
            std::thread::sleep(FLUSH_AGE);
            event("test", "four");
            assert_eq!(
                writes(),
                4,
                "and so do lines that waited past the age bound"
            );
        })
        .join()
        .unwrap();
    }
}
