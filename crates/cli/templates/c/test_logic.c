/* logic.c's unit tests, run natively with UBSan: `components/{name}/build.sh --test`. */
#include "logic.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond);         \
            failures++;                                                                \
        }                                                                              \
    } while (0)

int main(void) {
    uint8_t out[8];
    CHECK({crate}_echo((const uint8_t *)"hello", 5, out) == 5 && memcmp(out, "hello", 5) == 0);
    CHECK({crate}_echo((const uint8_t *)"", 0, out) == 0);
    if (failures)
        return 1;
    puts("{name}: logic tests passed");
    return 0;
}
