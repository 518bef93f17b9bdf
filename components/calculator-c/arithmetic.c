/* See arithmetic.h. */
#include "arithmetic.h"

const char *arith_error_name(arith_error error) {
    switch (error) {
    case ARITH_OVERFLOW:
        return "overflow";
    case ARITH_DIVISION_BY_ZERO:
        return "division-by-zero";
    default:
        return "ok";
    }
}

arith_error arith_add(uint32_t a, uint32_t b, uint32_t *out) {
    uint32_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return ARITH_OVERFLOW;
    *out = sum;
    return ARITH_OK;
}

arith_error arith_subtract(uint32_t a, uint32_t b, uint32_t *out) {
    uint32_t difference;
    if (__builtin_sub_overflow(a, b, &difference))
        return ARITH_OVERFLOW;
    *out = difference;
    return ARITH_OK;
}

arith_error arith_multiply(uint32_t a, uint32_t b, uint32_t *out) {
    uint32_t product;
    if (__builtin_mul_overflow(a, b, &product))
        return ARITH_OVERFLOW;
    *out = product;
    return ARITH_OK;
}

arith_error arith_divide(uint32_t a, uint32_t b, uint32_t *out) {
    if (b == 0)
        return ARITH_DIVISION_BY_ZERO;
    *out = a / b;
    return ARITH_OK;
}

/* Restore the max-heap property of values[0..len) below `root`. */
static void sift_down(uint32_t *values, size_t root, size_t len) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= len)
            return;
        if (child + 1 < len && values[child + 1] > values[child])
            child++;
        if (values[root] >= values[child])
            return;
        uint32_t swap = values[root];
        values[root] = values[child];
        values[child] = swap;
        root = child;
    }
}

size_t arith_process_sequence(uint32_t *values, size_t len) {
    /* Heapsort: O(n log n) in the worst case, in place, with no recursion and no
     * allocation, which suits an input of any length from an untrusted caller. */
    for (size_t i = len / 2; i-- > 0;)
        sift_down(values, i, len);
    for (size_t end = len; end-- > 1;) {
        uint32_t largest = values[0];
        values[0] = values[end];
        values[end] = largest;
        sift_down(values, 0, end);
    }
    size_t distinct = 0;
    for (size_t i = 0; i < len; i++)
        if (distinct == 0 || values[i] != values[distinct - 1])
            values[distinct++] = values[i];
    return distinct;
}
