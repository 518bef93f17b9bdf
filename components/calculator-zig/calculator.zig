//! The bindings glue: exports `fusebox:calculator/math` from arithmetic.zig through the
//! C bindings `wit-bindgen c` generated for components/calculator-c (the same world), and
//! reports each failed operation to the shared logger at debug level, with the same
//! fields as the other calculators. build.sh turns the generated header into
//! the `bindings` module with `zig translate-c` (Zig 0.17 has no @cImport).
//!
//! The module is freestanding (wasm32-freestanding): no libc, no WASI. The little the
//! C bindings need from a C library is at the end: a bump allocator and three functions.
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

// The C library the bindings use. A bump allocator on __heap_base: `free` returns
// nothing, which suits an instance that lives for one request (see
// components/calculator-c/runtime.c, which this mirrors).
extern const __heap_base: u8;
const page = 65536;
var heap_next: usize = 0;
const header = 8;

export fn malloc(size: usize) ?[*]u8 {
    if (heap_next == 0) heap_next = std.mem.alignForward(usize, @intFromPtr(&__heap_base), 8);
    const total = std.math.add(usize, header, size) catch return null;
    const end = std.math.add(usize, heap_next, std.mem.alignForward(usize, total, 8)) catch return null;
    const have = @wasmMemorySize(0) * page;
    if (end > have) {
        const pages = (end - have + page - 1) / page;
        if (@wasmMemoryGrow(0, pages) < 0) return null;
    }
    const block: [*]u8 = @ptrFromInt(heap_next);
    @as(*usize, @ptrCast(@alignCast(block))).* = size;
    heap_next = end;
    return block + header;
}

export fn free(ptr: ?[*]u8) void {
    _ = ptr;
}

export fn realloc(ptr: ?[*]u8, size: usize) ?[*]u8 {
    const old = ptr orelse return malloc(size);
    const old_size = @as(*usize, @ptrCast(@alignCast(old - header))).*;
    if (size <= old_size) return old;
    const moved = malloc(size) orelse return null;
    @memcpy(moved[0..old_size], old[0..old_size]);
    return moved;
}

export fn strlen(s: [*:0]const u8) usize {
    return std.mem.len(s);
}

export fn abort() noreturn {
    @trap();
}
