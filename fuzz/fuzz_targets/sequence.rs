//! The calculator's arithmetic and `process-sequence` (`components/calculator/src/math.rs`)
//! on arbitrary inputs.
#![no_main]

extern crate alloc;

#[path = "../../components/calculator/src/math.rs"]
#[allow(dead_code)]
mod math;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u32, u32, Vec<u32>)| {
    let (a, b, values) = input;
    math::properties::arithmetic_is_exact_or_an_error(a, b);
    math::properties::sequence_is_the_sorted_distinct_input(&values);
});
