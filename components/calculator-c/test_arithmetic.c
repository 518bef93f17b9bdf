/* Native unit tests of arithmetic.c: the same cases as math.rs's tests, plus the
 * properties its proptests check, over a deterministic generator. Built and run by
 * `make test` (build.sh --test): `cc -O1 arithmetic.c test_arithmetic.c && ./a.out`. */
#include "arithmetic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(condition)                                                          \
    do {                                                                          \
        if (!(condition)) {                                                       \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #condition); \
            failures++;                                                           \
        }                                                                         \
    } while (0)

typedef arith_error (*operation)(uint32_t, uint32_t, uint32_t *);

/* The operation's result, or `error` folded into a value no u32 result can have. */
static int64_t run(operation op, uint32_t a, uint32_t b) {
    uint32_t out = 0;
    arith_error error = op(a, b, &out);
    return error == ARITH_OK ? (int64_t)out : -(int64_t)error;
}

#define OVERFLOW (-(int64_t)ARITH_OVERFLOW)
#define DIVISION_BY_ZERO (-(int64_t)ARITH_DIVISION_BY_ZERO)

static void add_reports_overflow_at_the_boundary(void) {
    CHECK(run(arith_add, 2, 3) == 5);
    CHECK(run(arith_add, UINT32_MAX, 0) == UINT32_MAX);
    CHECK(run(arith_add, UINT32_MAX, 1) == OVERFLOW);
    CHECK(run(arith_add, UINT32_MAX / 2 + 1, UINT32_MAX / 2 + 1) == OVERFLOW);
}

static void subtract_below_zero_is_overflow(void) {
    CHECK(run(arith_subtract, 5, 3) == 2);
    CHECK(run(arith_subtract, 3, 3) == 0);
    CHECK(run(arith_subtract, 3, 5) == OVERFLOW);
}

static void multiply_reports_overflow(void) {
    CHECK(run(arith_multiply, 6, 7) == 42);
    CHECK(run(arith_multiply, UINT32_MAX, 0) == 0);
    CHECK(run(arith_multiply, 65536, 65535) == 4294901760u);
    CHECK(run(arith_multiply, 65536, 65536) == OVERFLOW);
}

static void divide_by_zero_is_an_error_not_a_crash(void) {
    CHECK(run(arith_divide, 7, 2) == 3);
    CHECK(run(arith_divide, 0, 9) == 0);
    CHECK(run(arith_divide, 1, 0) == DIVISION_BY_ZERO);
    CHECK(run(arith_divide, 0, 0) == DIVISION_BY_ZERO);
}

static void error_names_match_the_wit_enum_cases(void) {
    CHECK(strcmp(arith_error_name(ARITH_OVERFLOW), "overflow") == 0);
    CHECK(strcmp(arith_error_name(ARITH_DIVISION_BY_ZERO), "division-by-zero") == 0);
}

static void process_sequence_sorts_and_deduplicates(void) {
    uint32_t values[] = {3, 1, 3, 2, 1};
    size_t n = arith_process_sequence(values, 5);
    CHECK(n == 3 && values[0] == 1 && values[1] == 2 && values[2] == 3);
    CHECK(arith_process_sequence(NULL, 0) == 0);
    uint32_t edges[] = {UINT32_MAX, 0};
    n = arith_process_sequence(edges, 2);
    CHECK(n == 2 && edges[0] == 0 && edges[1] == UINT32_MAX);
}

static uint32_t state = 0x9e3779b9u;

static uint32_t next(void) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

/* The output is the input's distinct values, strictly ascending, and nothing else. */
static void check_sequence(const uint32_t *input, size_t len) {
    uint32_t *output = malloc((len ? len : 1) * sizeof *output);
    memcpy(output, input, len * sizeof *output);
    size_t n = arith_process_sequence(output, len);
    CHECK(n <= len);
    for (size_t i = 1; i < n; i++)
        CHECK(output[i - 1] < output[i]);
    for (size_t i = 0; i < len; i++) {
        int found = 0;
        for (size_t j = 0; j < n && !found; j++)
            found = output[j] == input[i];
        CHECK(found);
    }
    for (size_t j = 0; j < n; j++) {
        int found = 0;
        for (size_t i = 0; i < len && !found; i++)
            found = output[j] == input[i];
        CHECK(found);
    }
    free(output);
}

static void sequences_are_the_sorted_distinct_input(void) {
    uint32_t input[2000];
    for (size_t len = 0; len <= 2000; len += len < 64 ? 1 : 97) {
        for (size_t i = 0; i < len; i++)
            input[i] = next();
        check_sequence(input, len);
        for (size_t i = 0; i < len; i++)
            input[i] = next() % 16; /* many repeats */
        check_sequence(input, len);
    }
}

/* Every operation agrees with 64-bit arithmetic, and fails exactly when the exact
 * result is not a u32. */
static void check_exact(uint32_t a, uint32_t b) {
    uint64_t wa = a, wb = b;
    uint64_t sum = wa + wb, product = wa * wb;
    CHECK(run(arith_add, a, b) == (sum <= UINT32_MAX ? (int64_t)sum : OVERFLOW));
    CHECK(run(arith_subtract, a, b) == (wa >= wb ? (int64_t)(wa - wb) : OVERFLOW));
    CHECK(run(arith_multiply, a, b) == (product <= UINT32_MAX ? (int64_t)product : OVERFLOW));
    CHECK(run(arith_divide, a, b) == (b ? (int64_t)(wa / wb) : DIVISION_BY_ZERO));
}

static void arithmetic_is_exact_or_an_error(void) {
    for (int i = 0; i < 100000; i++)
        check_exact(next(), next());
    static const uint32_t edges[] = {0,          1,          2,          3,
                                     65530,      65535,      65536,      65539,
                                     UINT32_MAX - 4, UINT32_MAX - 1, UINT32_MAX};
    size_t count = sizeof edges / sizeof edges[0];
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < count; j++)
            check_exact(edges[i], edges[j]);
}

int main(void) {
    add_reports_overflow_at_the_boundary();
    subtract_below_zero_is_overflow();
    multiply_reports_overflow();
    divide_by_zero_is_an_error_not_a_crash();
    error_names_match_the_wit_enum_cases();
    process_sequence_sorts_and_deduplicates();
    sequences_are_the_sorted_distinct_input();
    arithmetic_is_exact_or_an_error();
    if (failures) {
        fprintf(stderr, "calculator-c: %d checks failed\n", failures);
        return 1;
    }
    printf("calculator-c: arithmetic tests passed\n");
    return 0;
}
