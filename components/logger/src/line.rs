//! How one log event becomes one line of JSON, as plain Rust.
//!
//! The component glue in `lib.rs` reads the clock, calls [`render`], and writes the line
//! to `wasi:cli/stderr`. Native `cargo test` checks the format here.

#![forbid(unsafe_code)]

use serde_json::{Map, Value};
use std::time::{Duration, UNIX_EPOCH};

/// Render one event as a single JSON line ending in `\n`.
///
/// The object always has `ts` (RFC 3339, UTC, millisecond precision), `level`, `origin`
/// and `msg`, then one `fields` object built from `fields`. When a key repeats, the
/// last value wins. JSON string escaping guarantees the result is one line, whatever
/// the message contains.
pub fn render(
    unix_seconds: u64,
    nanoseconds: u32,
    level: &str,
    origin: &str,
    message: &str,
    fields: &[(String, String)],
) -> String {
    let timestamp = UNIX_EPOCH + Duration::new(unix_seconds, nanoseconds);
    let fields: Map<String, Value> = fields
        .iter()
        .map(|(key, value)| (key.clone(), Value::String(value.clone())))
        .collect();
    let mut event = Map::new();
    event.insert(
        "ts".into(),
        humantime::format_rfc3339_millis(timestamp)
            .to_string()
            .into(),
    );
    event.insert("level".into(), level.into());
    event.insert("origin".into(), origin.into());
    event.insert("msg".into(), message.into());
    event.insert("fields".into(), Value::Object(fields));
    let mut line = Value::Object(event).to_string();
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Value {
        assert!(
            line.ends_with('\n'),
            "a line must end in a newline: {line:?}"
        );
        assert_eq!(line.matches('\n').count(), 1, "exactly one line: {line:?}");
        serde_json::from_str(line).expect("a line is valid JSON")
    }

    #[test]
    fn renders_every_part_of_an_event() {
        let fields = vec![("status".to_string(), "200".to_string())];
        let line = render(
            1_763_710_467,
            123_456_789,
            "info",
            "http",
            "served",
            &fields,
        );
        let event = parse(&line);
        assert_eq!(event["ts"], "2025-11-21T07:34:27.123Z");
        assert_eq!(event["level"], "info");
        assert_eq!(event["origin"], "http");
        assert_eq!(event["msg"], "served");
        assert_eq!(event["fields"]["status"], "200");
    }

    #[test]
    fn hostile_text_stays_on_one_line() {
        let fields = vec![("path".to_string(), "/a\n{\"level\":\"error\"}".to_string())];
        let line = render(
            0,
            0,
            "warn",
            "auth",
            "line\r\nbreak \u{7} \"quoted\"",
            &fields,
        );
        let event = parse(&line);
        assert_eq!(event["ts"], "1970-01-01T00:00:00.000Z");
        assert_eq!(event["msg"], "line\r\nbreak \u{7} \"quoted\"");
        assert_eq!(event["fields"]["path"], "/a\n{\"level\":\"error\"}");
    }

    #[test]
    fn repeated_keys_keep_the_last_value() {
        let fields = vec![
            ("k".to_string(), "first".to_string()),
            ("k".to_string(), "second".to_string()),
        ];
        let event = parse(&render(0, 0, "debug", "t", "m", &fields));
        assert_eq!(event["fields"]["k"], "second");
        assert_eq!(event["fields"].as_object().unwrap().len(), 1);
    }
}
