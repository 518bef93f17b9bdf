//! How one log event becomes one line of JSON, as plain Rust.
//!
//! The component glue in `lib.rs` reads the clock, calls [`render`], and writes the line
//! to `wasi:cli/stderr`. Native `cargo test` checks the format here.

#![forbid(unsafe_code)]

use alloc::format;
use alloc::string::String;

use serde::Serialize;
use serde::ser::SerializeMap;

/// One event as it is written: field order is the order of this struct.
#[derive(Serialize)]
struct Line<'a> {
    ts: &'a str,
    level: &'a str,
    origin: &'a str,
    msg: &'a str,
    fields: Fields<'a>,
}

/// The event's fields as a JSON object; a key that repeats keeps its last value.
struct Fields<'a>(&'a [(String, String)]);

impl Serialize for Fields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = self.0;
        let mut map = serializer.serialize_map(None)?;
        for (i, (key, value)) in fields.iter().enumerate() {
            let repeated_later = fields[i + 1..].iter().any(|(k, _)| k == key);
            if !repeated_later {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Render one event as a single JSON line ending in `\n`.
///
/// The object has `ts` (RFC 3339, UTC, millisecond precision), `level`, `origin`, `msg`,
/// and a `fields` object built from `fields`. When a key repeats, the last value wins.
/// JSON string escaping guarantees the result is one line, whatever the text contains.
pub fn render(
    unix_seconds: u64,
    nanoseconds: u32,
    level: &str,
    origin: &str,
    message: &str,
    fields: &[(String, String)],
) -> String {
    let ts = rfc3339_millis(unix_seconds, nanoseconds);
    let line = Line {
        ts: &ts,
        level,
        origin,
        msg: message,
        fields: Fields(fields),
    };
    let mut text = serde_json::to_string(&line).expect("strings always serialize");
    text.push('\n');
    text
}

/// `2025-11-21T07:34:27.123Z` for a Unix time, using the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`), without pulling a date library into the component.
fn rfc3339_millis(unix_seconds: u64, nanoseconds: u32) -> String {
    let days = unix_seconds / 86_400;
    let second_of_day = unix_seconds % 86_400;
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of a 400-year era.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        nanoseconds / 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

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
    fn timestamps_match_a_reference_calendar() {
        // Reference values from `date -u -d @<seconds> +%FT%T`.
        for (seconds, expected) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400, "2000-02-29T00:00:00.000Z"),
            (951_868_799, "2000-02-29T23:59:59.000Z"),
            (1_709_208_000, "2024-02-29T12:00:00.000Z"),
            (1_735_689_599, "2024-12-31T23:59:59.000Z"),
            (4_102_444_800, "2100-01-01T00:00:00.000Z"),
            (253_402_300_799, "9999-12-31T23:59:59.000Z"),
        ] {
            assert_eq!(rfc3339_millis(seconds, 0), expected);
        }
        assert_eq!(rfc3339_millis(0, 999_999_999), "1970-01-01T00:00:00.999Z");
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
