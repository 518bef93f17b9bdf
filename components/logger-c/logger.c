/* The bindings glue: implements the `fusebox:logger/log` export the generated header
 * declares. It reads the wall clock, renders the line with line.c, and writes it to
 * stderr, 4096 bytes at a time (the most `blocking-write-and-flush` takes). Keep it thin:
 * the format lives in line.c, which runs and is tested without WebAssembly. */
#include "line.h"
#include "logger.h"

#include <stdlib.h>

/* The bindings reference the `*_component_type.o` wit-bindgen can write, to make sure
 * it is linked. build.sh embeds the world with `wasm-tools component embed` instead, so
 * there is no object: this stands in for its symbol. */
void __component_type_object_force_link_logger(void) {}

/* `blocking-write-and-flush` accepts at most this many bytes per call. */
#define MAX_WRITE 4096

static const char *const LEVELS[] = {"trace", "debug", "info", "warn", "error"};

static line_str str_of(const logger_string_t *s) { return (line_str){(const char *)s->ptr, s->len}; }

/* Write `line` to stderr. Logging never fails its caller: a closed stderr loses the
 * line, nothing more. */
static void write_stderr(char *line, size_t len) {
    wasi_cli_0_2_6_stderr_own_output_stream_t stream = wasi_cli_0_2_6_stderr_get_stderr();
    wasi_io_streams_borrow_output_stream_t borrowed = wasi_io_streams_borrow_output_stream(stream);
    for (size_t at = 0; at < len; at += MAX_WRITE) {
        size_t chunk = len - at < MAX_WRITE ? len - at : MAX_WRITE;
        logger_list_u8_t bytes = {(uint8_t *)line + at, chunk};
        wasi_io_streams_stream_error_t error;
        if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(borrowed, &bytes,
                                                                           &error)) {
            wasi_io_streams_stream_error_free(&error);
            break;
        }
    }
    wasi_io_streams_output_stream_drop_own(stream);
}

void exports_fusebox_logger_log_event(exports_fusebox_logger_log_level_t level,
                                      logger_string_t *origin, logger_string_t *message,
                                      exports_fusebox_logger_log_list_field_t *fields) {
    wasi_clocks_0_2_6_wall_clock_datetime_t now;
    wasi_clocks_0_2_6_wall_clock_now(&now);

    line_field *pairs = malloc(sizeof(line_field) * (fields->len ? fields->len : 1));
    if (pairs) {
        for (size_t i = 0; i < fields->len; i++)
            pairs[i] = (line_field){str_of(&fields->ptr[i].key), str_of(&fields->ptr[i].value)};
        const char *name = level < 5 ? LEVELS[level] : "info";
        line_str level_name = {name, 0};
        while (name[level_name.len])
            level_name.len++;
        size_t need = line_render(NULL, 0, now.seconds, now.nanoseconds, level_name,
                                  str_of(origin), str_of(message), pairs, fields->len);
        char *line = malloc(need);
        if (line) {
            line_render(line, need, now.seconds, now.nanoseconds, level_name, str_of(origin),
                        str_of(message), pairs, fields->len);
            write_stderr(line, need);
            free(line);
        }
        free(pairs);
    }
    /* The arguments of an export belong to the callee. */
    logger_string_free(origin);
    logger_string_free(message);
    exports_fusebox_logger_log_list_field_free(fields);
}
