#include "logic.h"

size_t {crate}_echo(const uint8_t *input, size_t len, uint8_t *out) {
    for (size_t i = 0; i < len; i++)
        out[i] = input[i];
    return len;
}
