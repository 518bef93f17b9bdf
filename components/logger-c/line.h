/* The logger's line, plain C: one event as one JSON object on one line, byte for byte
 * what the Rust logger (components/logger/src/line.rs) writes:
 *
 *   {"ts":"2025-11-21T07:34:27.123Z","level":"info","origin":"http","msg":"served","fields":{"status":"200"}}
 *
 * Strings are escaped as JSON requires (quote, backslash, control characters), so no
 * input can break the line in two or forge a field. A key given twice keeps its last
 * value. No WebAssembly here: test_line.c runs it natively. */
#ifndef FUSEBOX_LOGGER_LINE_H
#define FUSEBOX_LOGGER_LINE_H

#include <stddef.h>
#include <stdint.h>

/* A string that need not end in NUL, as the canonical ABI hands them over. */
typedef struct {
    const char *ptr;
    size_t len;
} line_str;

/* One field of an event. */
typedef struct {
    line_str key;
    line_str value;
} line_field;

/* Render the event into `out`, which holds `cap` bytes, newline included, and return
 * the line's length. When `cap` is too small (0 with `out` NULL, say), nothing is
 * written past `cap` and the return value is the length needed: call once to measure,
 * then again with a buffer of that size. */
size_t line_render(char *out, size_t cap, uint64_t unix_seconds, uint32_t nanoseconds,
                   line_str level, line_str origin, line_str message,
                   const line_field *fields, size_t field_count);

#endif
