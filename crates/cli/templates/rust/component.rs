//! The bindings glue: maps `logic` onto the component's WIT world. Compiled for wasm32
//! only; see the crate docs.

use alloc::string::String;

use crate::bindings::exports::fusebox::{crate}::api::Guest;
use crate::bindings::fusebox::logger::log::{self, Level};
use crate::logic;

/// The type that implements the exported `api` interface.
struct Component;

impl Guest for Component {
    fn echo(input: String) -> String {
        log::event(Level::Debug, "{name}", "echo", &[]);
        {echo_body}
    }
}

crate::bindings::export!(Component with_types_in crate::bindings);
