//! The bindings glue: exports the `api` interface of `fusebox:{name}` from logic.zig and
//! logs through the shared logger. bindings/ holds the C bindings `wit-bindgen c`
//! generated from wit/{name}; build.sh turns their header into the `bindings` module
//! with `zig translate-c`. The C library they need (an allocator, `strlen`, `abort`) is
//! components/c-runtime/runtime.c, which build.sh compiles in.
const logic = @import("logic.zig");
const c = @import("bindings");

fn string(text: []const u8) c.{crate}_string_t {
    return .{ .ptr = @constCast(text.ptr), .len = text.len };
}

export fn exports_fusebox_{crate}_api_echo(input: *c.{crate}_string_t, ret: *c.{crate}_string_t) void {
    var origin = string("{name}");
    var message = string("echo");
    var fields = c.fusebox_logger_log_list_field_t{ .ptr = null, .len = 0 };
    c.fusebox_logger_log_event(c.FUSEBOX_LOGGER_LOG_LEVEL_DEBUG, &origin, &message, &fields);
    // The input is ours: hand its buffer back as the result, which is freed after the
    // caller has read it.
    const text: []const u8 = if (input.len == 0) "" else input.ptr[0..input.len];
    ret.* = string(logic.echo(text));
}

/// The bindings reference the `*_component_type.o` wit-bindgen can write; build.sh
/// embeds the world with `wasm-tools component embed` instead, so this stands in.
export fn __component_type_object_force_link_{crate}() void {}
