//! The server's log: one JSON access line per request on stdout, and the guest's stderr
//! on stderr, one JSON line per guest line, tagged with the request id.
//!
//! Each line is formatted straight into bytes, with no `serde_json::Value` in between, and
//! a guest line that is JSON already (the fused logger's are) is spliced in as it is,
//! once a strict parser has checked it (numbers in range, no lone surrogates), instead of
//! being parsed into a tree and written again.
//!
//! A `fusebox serve` thread ([`crate::server::serve_per_core`]) buffers its lines and
//! writes them when it goes idle (tokio's `on_thread_park`), when it ends (even by a
//! panic), when they pass [`FLUSH_BYTES`], or when a line arrives after the oldest has
//! waited [`FLUSH_AGE`]. A busy thread then makes one `write` per stream for many
//! requests, where it made two per request; nginx's `access_log … buffer=` does the same.
//! The price: a process killed outright (SIGKILL, the OOM killer) loses what its threads
//! held, at most the lines since each last went idle. A SIGTERM drains and loses nothing.
//! Any other thread writes each line at once. Measured side by side with wrk: the levers
//! table in `docs/benchmarks.md`.
//!
//! Lines are written in whole-line chunks of at most [`PIPE_BUF`] bytes, which a pipe
//! writes atomically: with stdout and stderr sent to one pipe (`2>&1`), two threads'
//! lines never interleave mid-line.

use std::cell::RefCell;
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A buffering thread writes once its lines for one stream pass this many bytes.
pub const FLUSH_BYTES: usize = 32 * 1024;
/// A buffering thread writes its lines when a line arrives after the oldest has waited
/// this long (as well as whenever the thread goes idle).
pub const FLUSH_AGE: Duration = Duration::from_millis(100);
/// The most a `write` to a pipe carries atomically on Linux (POSIX's `PIPE_BUF`).
pub const PIPE_BUF: usize = 4096;

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

impl Buffered {
    /// Write both streams' lines.
    fn write(&mut self) {
        write_out(Stream::Stdout, &mut self.stdout);
        write_out(Stream::Stderr, &mut self.stderr);
        self.oldest = None;
    }
}

impl Drop for Buffered {
    /// A thread's buffer goes when the thread ends, by a return or a panic: its lines go
    /// out then.
    fn drop(&mut self) {
        self.write();
    }
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
            buffered.write();
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
            buffered.write();
        }
    });
    if let Some(format) = format {
        let mut lines = Vec::with_capacity(256);
        format(&mut lines);
        write_out(stream, &mut lines);
    }
}

/// Write `lines` (whole lines) to `stream`, and empty it: in chunks of whole lines of at
/// most [`PIPE_BUF`] bytes (a longer line alone), each with one `write_all`.
fn write_out(stream: Stream, lines: &mut Vec<u8>) {
    for chunk in line_chunks(lines) {
        #[cfg(not(test))]
        let _ = match stream {
            Stream::Stdout => std::io::stdout().lock().write_all(chunk),
            Stream::Stderr => std::io::stderr().lock().write_all(chunk),
        };
        // The tests read what would have been written, and keep the test output clean.
        #[cfg(test)]
        tests::WRITTEN.with_borrow_mut(|written| written.push((stream, chunk.to_vec())));
    }
    lines.clear();
}

/// `lines` cut after newlines into chunks of at most [`PIPE_BUF`] bytes; a line longer
/// than that is a chunk of its own.
fn line_chunks(lines: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = lines;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let window = &rest[..rest.len().min(PIPE_BUF)];
        let end = match window.iter().rposition(|&b| b == b'\n') {
            Some(newline) if rest.len() > PIPE_BUF => newline + 1,
            _ if rest.len() <= PIPE_BUF => rest.len(),
            // The first line alone is longer than PIPE_BUF.
            _ => rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |n| n + 1),
        };
        let (chunk, after) = rest.split_at(end);
        rest = after;
        Some(chunk)
    })
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
        // Checked by a strict parser, so the line goes in as it is only if it is one JSON
        // value that any JSON reader takes.
        match serde_json::from_str::<Strict>(line) {
            Ok(Strict) => out.extend_from_slice(line.trim().as_bytes()),
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

/// Any one JSON value, read strictly and kept nowhere: numbers must fit an `f64`, and
/// strings be valid Unicode (no lone surrogate escapes). serde's `IgnoredAny` skips
/// values without those checks; a line it passed could still break a log reader.
struct Strict;

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Strict, E> {
        Ok(Strict)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Strict, E> {
        Ok(Strict)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Strict, E> {
        Ok(Strict)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Strict, E> {
        Ok(Strict)
    }

    fn visit_str<E>(self, _: &str) -> Result<Strict, E> {
        Ok(Strict)
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        while seq.next_element::<Strict>()?.is_some() {}
        Ok(Strict)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        while map.next_entry::<Strict, Strict>()?.is_some() {}
        Ok(Strict)
    }
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
        let stderr = b"{\"level\":\"info\",\"msg\":\"added\"}\nplain \"text\"\n{\"open\":\n[1,2] [3]\n\xff\n  {\"padded\": true}  \r\n{\"big\":666E666}\n\"\\ud800\"\n";
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
                serde_json::json!({"padded": true}),
                "{\"big\":666E666}".into(),
                "\"\\ud800\"".into(),
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

    #[test]
    fn lines_are_written_in_whole_line_chunks_a_pipe_takes_atomically() {
        let line = |n: usize| {
            let mut line = vec![b'x'; n - 1];
            line.push(b'\n');
            line
        };
        let lines: Vec<u8> = [line(1000), line(1000), line(3000), line(5000), line(10)].concat();
        let chunks: Vec<&[u8]> = line_chunks(&lines).collect();
        let sizes: Vec<usize> = chunks.iter().map(|chunk| chunk.len()).collect();
        assert_eq!(sizes, [2000, 3000, 5000, 10]);
        assert!(chunks.iter().all(|chunk| chunk.ends_with(b"\n")));
        assert_eq!(chunks.concat(), lines);
    }
}
