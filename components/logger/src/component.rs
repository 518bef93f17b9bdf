//! The bindings glue: maps `line` onto the component's WIT world. Compiled for
//! wasm32 only; see the crate docs.

use crate::bindings::exports::fusebox::logger::log::{Field, Guest, Level};
use crate::bindings::wasi::cli::stderr;
use crate::bindings::wasi::clocks::wall_clock;
use crate::line;
use alloc::string::String;
use alloc::vec::Vec;

/// `blocking-write-and-flush` accepts at most this many bytes per call.
const MAX_WRITE: usize = 4096;

/// The type that implements the exported `log` interface.
struct Logger;

impl Guest for Logger {
    fn event(level: Level, origin: String, message: String, fields: Vec<Field>) {
        let now = wall_clock::now();
        let fields: Vec<(String, String)> = fields.into_iter().map(|f| (f.key, f.value)).collect();
        let text = line::render(
            now.seconds,
            now.nanoseconds,
            level_name(level),
            &origin,
            &message,
            &fields,
        );
        let stream = stderr::get_stderr();
        for chunk in text.as_bytes().chunks(MAX_WRITE) {
            // Logging must never fail the caller: a closed stderr loses the line, nothing more.
            if stream.blocking_write_and_flush(chunk).is_err() {
                break;
            }
        }
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Warn => "warn",
        Level::Error => "error",
    }
}

crate::bindings::export!(Logger with_types_in crate::bindings);
