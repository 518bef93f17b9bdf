/* What the calculator does, as plain C with no WebAssembly in sight.
 *
 * The twin of components/calculator/src/math.rs: checked uint32_t arithmetic, where a
 * result that does not fit, or a division by zero, is an error rather than a wrong
 * answer. test_arithmetic.c checks it against the same cases as the Rust tests. It
 * needs nothing from a C library, so the component is built freestanding. */
#ifndef FUSEBOX_CALCULATOR_ARITHMETIC_H
#define FUSEBOX_CALCULATOR_ARITHMETIC_H

#include <stddef.h>
#include <stdint.h>

/* Why an operation has no result; mirrors the WIT `math-error` enum. */
typedef enum {
    ARITH_OK = 0,
    /* The exact result does not fit in a uint32_t. */
    ARITH_OVERFLOW,
    /* The divisor was zero. */
    ARITH_DIVISION_BY_ZERO,
} arith_error;

/* The WIT name of `error`, for logs: "overflow" or "division-by-zero". */
const char *arith_error_name(arith_error error);

/* `a + b` into *out, or ARITH_OVERFLOW (and *out untouched). */
arith_error arith_add(uint32_t a, uint32_t b, uint32_t *out);
/* `a - b` into *out, or ARITH_OVERFLOW when b > a. */
arith_error arith_subtract(uint32_t a, uint32_t b, uint32_t *out);
/* `a * b` into *out, or ARITH_OVERFLOW. */
arith_error arith_multiply(uint32_t a, uint32_t b, uint32_t *out);
/* `a / b` rounded towards zero into *out, or ARITH_DIVISION_BY_ZERO. */
arith_error arith_divide(uint32_t a, uint32_t b, uint32_t *out);

/* Leave the distinct values of values[0..len) in ascending order at its start, and
 * return how many there are. Total: it cannot fail, and it allocates nothing. */
size_t arith_process_sequence(uint32_t *values, size_t len);

#endif
