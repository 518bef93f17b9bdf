//! The calculator's arithmetic, as plain Rust.
//!
//! Nothing here knows about WebAssembly: the component glue in `lib.rs` maps these
//! functions onto the `fusebox:calculator/math` interface, and native `cargo test`
//! exercises them directly.

#![forbid(unsafe_code)]

use alloc::vec::Vec;

/// Why an operation has no result; mirrors the WIT `math-error` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathError {
    /// The exact result does not fit in a `u32`.
    Overflow,
    /// The divisor was zero.
    DivisionByZero,
}

impl MathError {
    /// A short, stable name for logs and error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            MathError::Overflow => "overflow",
            MathError::DivisionByZero => "division-by-zero",
        }
    }
}

/// `a + b`, or [`MathError::Overflow`].
pub fn add(a: u32, b: u32) -> Result<u32, MathError> {
    a.checked_add(b).ok_or(MathError::Overflow)
}

/// `a - b`, or [`MathError::Overflow`] when `b > a` (the result would be negative).
pub fn subtract(a: u32, b: u32) -> Result<u32, MathError> {
    a.checked_sub(b).ok_or(MathError::Overflow)
}

/// `a * b`, or [`MathError::Overflow`].
pub fn multiply(a: u32, b: u32) -> Result<u32, MathError> {
    a.checked_mul(b).ok_or(MathError::Overflow)
}

/// `a / b` rounded towards zero, or [`MathError::DivisionByZero`].
pub fn divide(a: u32, b: u32) -> Result<u32, MathError> {
    a.checked_div(b).ok_or(MathError::DivisionByZero)
}

/// The distinct values of `input` in ascending order. Total: it cannot fail.
pub fn process_sequence(mut input: Vec<u32>) -> Vec<u32> {
    input.sort_unstable();
    input.dedup();
    input
}

/// Properties that hold for every input. `cargo test` checks them with proptest; the
/// cargo-fuzz target `fuzz/fuzz_targets/sequence.rs` (`make fuzz`) with libFuzzer.
#[cfg(any(test, fuzzing))]
pub mod properties {
    use super::*;

    /// `process_sequence` returns the distinct input values, strictly ascending, and
    /// nothing else.
    pub fn sequence_is_the_sorted_distinct_input(input: &[u32]) {
        let output = process_sequence(input.to_vec());
        assert!(
            output.windows(2).all(|w| w[0] < w[1]),
            "not strictly ascending"
        );
        assert!(output.len() <= input.len());
        assert!(
            input.iter().all(|v| output.binary_search(v).is_ok()),
            "lost a value"
        );
        assert!(output.iter().all(|v| input.contains(v)), "invented a value");
    }

    /// Every operation agrees with 64-bit arithmetic, and fails exactly when the exact
    /// result is not a `u32`.
    pub fn arithmetic_is_exact_or_an_error(a: u32, b: u32) {
        let exact = |wide: Option<u64>| wide.and_then(|v| u32::try_from(v).ok());
        let (wa, wb) = (u64::from(a), u64::from(b));
        assert_eq!(add(a, b).ok(), exact(Some(wa + wb)));
        assert_eq!(subtract(a, b).ok(), exact(wa.checked_sub(wb)));
        assert_eq!(multiply(a, b).ok(), exact(Some(wa * wb)));
        assert_eq!(divide(a, b).ok(), exact(wa.checked_div(wb)));
        assert_eq!(divide(a, b).is_err(), b == 0);
    }
}

#[cfg(test)]
mod proptests {
    use super::properties::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sequences(input in proptest::collection::vec(any::<u32>(), 0..2_000)) {
            sequence_is_the_sorted_distinct_input(&input);
        }

        #[test]
        fn sequences_with_many_repeats(input in proptest::collection::vec(0u32..16, 0..2_000)) {
            sequence_is_the_sorted_distinct_input(&input);
        }

        #[test]
        fn arithmetic(a in any::<u32>(), b in any::<u32>()) {
            arithmetic_is_exact_or_an_error(a, b);
        }

        #[test]
        fn arithmetic_near_the_edges(a in prop_oneof![0u32..4, u32::MAX - 4..=u32::MAX, 65_530u32..65_540],
                                     b in prop_oneof![0u32..4, u32::MAX - 4..=u32::MAX, 65_530u32..65_540]) {
            arithmetic_is_exact_or_an_error(a, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_reports_overflow_at_the_boundary() {
        assert_eq!(add(2, 3), Ok(5));
        assert_eq!(add(u32::MAX, 0), Ok(u32::MAX));
        assert_eq!(add(u32::MAX, 1), Err(MathError::Overflow));
        assert_eq!(
            add(u32::MAX / 2 + 1, u32::MAX / 2 + 1),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn subtract_below_zero_is_overflow() {
        assert_eq!(subtract(5, 3), Ok(2));
        assert_eq!(subtract(3, 3), Ok(0));
        assert_eq!(subtract(3, 5), Err(MathError::Overflow));
    }

    #[test]
    fn multiply_reports_overflow() {
        assert_eq!(multiply(6, 7), Ok(42));
        assert_eq!(multiply(u32::MAX, 0), Ok(0));
        assert_eq!(multiply(65_536, 65_535), Ok(4_294_901_760));
        assert_eq!(multiply(65_536, 65_536), Err(MathError::Overflow));
    }

    #[test]
    fn divide_by_zero_is_an_error_not_a_panic() {
        assert_eq!(divide(7, 2), Ok(3));
        assert_eq!(divide(0, 9), Ok(0));
        assert_eq!(divide(1, 0), Err(MathError::DivisionByZero));
        assert_eq!(divide(0, 0), Err(MathError::DivisionByZero));
    }

    #[test]
    fn process_sequence_sorts_and_deduplicates() {
        assert_eq!(process_sequence(vec![3, 1, 3, 2, 1]), vec![1, 2, 3]);
        assert_eq!(process_sequence(vec![]), Vec::<u32>::new());
        assert_eq!(process_sequence(vec![u32::MAX, 0]), vec![0, u32::MAX]);
    }

    #[test]
    fn process_sequence_output_is_strictly_increasing_and_never_longer() {
        // A cheap deterministic generator stands in for a property-test framework here.
        let mut state = 0x9e37_79b9_u32;
        for len in 0..200 {
            let input: Vec<u32> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state % 50
                })
                .collect();
            let output = process_sequence(input.clone());
            assert!(output.len() <= input.len());
            assert!(output.windows(2).all(|w| w[0] < w[1]));
            assert!(input.iter().all(|v| output.binary_search(v).is_ok()));
        }
    }

    #[test]
    fn error_names_match_the_wit_enum_cases() {
        assert_eq!(MathError::Overflow.as_str(), "overflow");
        assert_eq!(MathError::DivisionByZero.as_str(), "division-by-zero");
    }
}
