//! The bindings glue: exports `fusebox:calculator/math` from arithmetic.zig through the
//! C bindings `wit-bindgen c` generated for components/calculator-c (the same world), and
//! reports each failed operation to the shared logger at debug level, with the same
//! fields as the other calculators. build.sh turns the generated header into
//! the `bindings` module with `zig translate-c` (Zig 0.17 has no @cImport).
//!
//! The module is freestanding (wasm32-freestanding): no libc, no WASI. The little the
//! C bindings need from a C library (an allocator, `strlen`, `abort`) comes from the C
//! components' runtime, components/c-runtime/runtime.c, which build.sh compiles in.
const std = @import("std");
const arithmetic = @import("arithmetic.zig");
const c = @import("bindings");

const MathErrorCode = c.exports_fusebox_calculator_math_math_error_t;

/// An operation's `result`: on an error, log it and give its WIT form.
fn report(op: []const u8, a: u32, b: u32, result: arithmetic.MathError!u32, ret: *u32, err: *MathErrorCode) bool {
    if (result) |value| {
        ret.* = value;
        return true;
    } else |failure| {
        var a_text: [10]u8 = undefined;
        var b_text: [10]u8 = undefined;
        const a_digits = std.fmt.bufPrint(&a_text, "{d}", .{a}) catch unreachable;
        const b_digits = std.fmt.bufPrint(&b_text, "{d}", .{b}) catch unreachable;
        var fields = [_]c.fusebox_logger_log_field_t{
            field("op", op),
            field("a", a_digits),
            field("b", b_digits),
            field("error", arithmetic.errorName(failure)),
        };
        var list = c.fusebox_logger_log_list_field_t{ .ptr = &fields, .len = fields.len };
        var origin = string("calculator");
        var message = string("operation has no result");
        c.fusebox_logger_log_event(c.FUSEBOX_LOGGER_LOG_LEVEL_DEBUG, &origin, &message, &list);
        err.* = switch (failure) {
            error.Overflow => c.EXPORTS_FUSEBOX_CALCULATOR_MATH_MATH_ERROR_OVERFLOW,
            error.DivisionByZero => c.EXPORTS_FUSEBOX_CALCULATOR_MATH_MATH_ERROR_DIVISION_BY_ZERO,
        };
        return false;
    }
}

fn string(text: []const u8) c.calculator_string_t {
    return .{ .ptr = @constCast(text.ptr), .len = text.len };
}

fn field(key: []const u8, value: []const u8) c.fusebox_logger_log_field_t {
    return .{ .key = string(key), .value = string(value) };
}

export fn exports_fusebox_calculator_math_add(a: u32, b: u32, ret: *u32, err: *MathErrorCode) bool {
    return report("add", a, b, arithmetic.add(a, b), ret, err);
}

export fn exports_fusebox_calculator_math_subtract(a: u32, b: u32, ret: *u32, err: *MathErrorCode) bool {
    return report("subtract", a, b, arithmetic.subtract(a, b), ret, err);
}

export fn exports_fusebox_calculator_math_multiply(a: u32, b: u32, ret: *u32, err: *MathErrorCode) bool {
    return report("multiply", a, b, arithmetic.multiply(a, b), ret, err);
}

export fn exports_fusebox_calculator_math_divide(a: u32, b: u32, ret: *u32, err: *MathErrorCode) bool {
    return report("divide", a, b, arithmetic.divide(a, b), ret, err);
}

export fn exports_fusebox_calculator_math_process_sequence(input: *c.calculator_list_u32_t, ret: *c.calculator_list_u32_t) void {
    // The input list is ours: sort it in place and hand it back as the result, which the
    // post-return function then frees.
    const values: []u32 = if (input.len == 0) &.{} else input.ptr[0..input.len];
    ret.* = .{ .ptr = input.ptr, .len = arithmetic.processSequence(values) };
}

/// The bindings reference the `*_component_type.o` wit-bindgen can write; build.sh
/// embeds the world with `wasm-tools component embed` instead, so this stands in.
export fn __component_type_object_force_link_calculator() void {}
