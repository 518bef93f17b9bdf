/* line.c's unit tests, natively (`build.sh --test`, part of `make test`): the same cases
 * as the Rust logger's line.rs, and the byte-exact lines it writes for them. */
#include "line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static line_str str(const char *text) { return (line_str){text, strlen(text)}; }

/* Render into an exact-size buffer (measured first), and check the bytes. */
static void check(const char *name, uint64_t secs, uint32_t nanos, const char *level,
                  const char *origin, const char *message, const line_field *fields,
                  size_t count, const char *expected) {
    size_t need = line_render(NULL, 0, secs, nanos, str(level), str(origin), str(message),
                              fields, count);
    char *out = malloc(need + 1);
    size_t len = line_render(out, need, secs, nanos, str(level), str(origin), str(message),
                             fields, count);
    out[len < need ? len : need] = '\0';
    if (len != need || strcmp(out, expected) != 0) {
        fprintf(stderr, "FAIL %s\n  got:      %s  expected: %s", name, out, expected);
        failures++;
    }
    free(out);
}

int main(void) {
    line_field status[] = {{str("status"), str("200")}};
    check("every part of an event", 1763710467, 123456789, "info", "http", "served",
          status, 1,
          "{\"ts\":\"2025-11-21T07:34:27.123Z\",\"level\":\"info\",\"origin\":\"http\","
          "\"msg\":\"served\",\"fields\":{\"status\":\"200\"}}\n");

    line_field hostile[] = {{str("path"), str("/a\n{\"level\":\"error\"}")}};
    check("hostile text stays on one line", 0, 0, "warn", "auth", "line\r\nbreak\t\\",
          hostile, 1,
          "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"level\":\"warn\",\"origin\":\"auth\","
          "\"msg\":\"line\\r\\nbreak\\t\\\\\",\"fields\":{\"path\":"
          "\"/a\\n{\\\"level\\\":\\\"error\\\"}\"}}\n");

    check("control characters as \\u00XX, other bytes as they are", 951782400, 999999999,
          "debug", "\x01\x1f\x7f", "caf\xc3\xa9", NULL, 0,
          "{\"ts\":\"2000-02-29T00:00:00.999Z\",\"level\":\"debug\",\"origin\":"
          "\"\\u0001\\u001f\x7f\",\"msg\":\"caf\xc3\xa9\",\"fields\":{}}\n");

    line_field twice[] = {{str("a"), str("1")}, {str("b"), str("2")}, {str("a"), str("3")}};
    check("a key given twice keeps its last value", 4102444799, 0, "error", "x", "y", twice,
          3,
          "{\"ts\":\"2099-12-31T23:59:59.000Z\",\"level\":\"error\",\"origin\":\"x\","
          "\"msg\":\"y\",\"fields\":{\"b\":\"2\",\"a\":\"3\"}}\n");

    /* A buffer too small is never written past, and the length needed comes back. */
    char small[8];
    memset(small, '#', sizeof small);
    size_t need = line_render(small, 4, 0, 0, str("info"), str("o"), str("m"), NULL, 0);
    if (need <= 4 || memcmp(small, "{\"ts####", 8) != 0) {
        fprintf(stderr, "FAIL a short buffer: need %zu, buffer %.8s\n", need, small);
        failures++;
    }

    if (failures) {
        fprintf(stderr, "%d failed\n", failures);
        return 1;
    }
    printf("logger-c: line.c: all tests passed\n");
    return 0;
}
