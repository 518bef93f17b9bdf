//! The bindings glue: maps `math` onto the component's WIT world. Compiled for
//! wasm32 only; see the crate docs.

use crate::bindings::exports::fusebox::calculator::math::{Guest, MathError};
use crate::bindings::fusebox::logger::log::{self, Field, Level};
use crate::math;
use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The type that implements the exported `math` interface.
struct Calculator;

impl Guest for Calculator {
    fn add(a: u32, b: u32) -> Result<u32, MathError> {
        report("add", a, b, math::add(a, b))
    }

    fn subtract(a: u32, b: u32) -> Result<u32, MathError> {
        report("subtract", a, b, math::subtract(a, b))
    }

    fn multiply(a: u32, b: u32) -> Result<u32, MathError> {
        report("multiply", a, b, math::multiply(a, b))
    }

    fn divide(a: u32, b: u32) -> Result<u32, MathError> {
        report("divide", a, b, math::divide(a, b))
    }

    fn process_sequence(input: Vec<u32>) -> Vec<u32> {
        math::process_sequence(input)
    }
}

/// Log a failed operation at debug level and convert the error to its WIT type.
fn report(
    op: &str,
    a: u32,
    b: u32,
    result: Result<u32, math::MathError>,
) -> Result<u32, MathError> {
    result.map_err(|error| {
        let field = |key: &str, value: String| Field {
            key: key.to_owned(),
            value,
        };
        log::event(
            Level::Debug,
            "calculator",
            "operation has no result",
            &[
                field("op", op.to_owned()),
                field("a", a.to_string()),
                field("b", b.to_string()),
                field("error", error.as_str().to_owned()),
            ],
        );
        match error {
            math::MathError::Overflow => MathError::Overflow,
            math::MathError::DivisionByZero => MathError::DivisionByZero,
        }
    })
}

crate::bindings::export!(Calculator with_types_in crate::bindings);
