//! What the calculator does, as plain Zig with no WebAssembly in sight.
//!
//! The twin of components/calculator/src/math.rs: checked u32 arithmetic, where a result
//! that does not fit, or a division by zero, is an error rather than a wrong answer. The
//! tests below are math.rs's cases and properties (`zig test arithmetic.zig`, part of
//! `make test`).
const std = @import("std");

/// Why an operation has no result; mirrors the WIT `math-error` enum.
pub const MathError = error{ Overflow, DivisionByZero };

/// The WIT name of `err`, for logs.
pub fn errorName(err: MathError) []const u8 {
    return switch (err) {
        error.Overflow => "overflow",
        error.DivisionByZero => "division-by-zero",
    };
}

/// `a + b`, or `Overflow`.
pub fn add(a: u32, b: u32) MathError!u32 {
    const sum = @addWithOverflow(a, b);
    return if (sum[1] != 0) error.Overflow else sum[0];
}

/// `a - b`, or `Overflow` when `b > a`.
pub fn subtract(a: u32, b: u32) MathError!u32 {
    const difference = @subWithOverflow(a, b);
    return if (difference[1] != 0) error.Overflow else difference[0];
}

/// `a * b`, or `Overflow`.
pub fn multiply(a: u32, b: u32) MathError!u32 {
    const product = @mulWithOverflow(a, b);
    return if (product[1] != 0) error.Overflow else product[0];
}

/// `a / b` rounded towards zero, or `DivisionByZero`.
pub fn divide(a: u32, b: u32) MathError!u32 {
    return if (b == 0) error.DivisionByZero else a / b;
}

/// Leave the distinct values of `values` in ascending order at its start, and return
/// how many there are. Total, in place, and it allocates nothing.
pub fn processSequence(values: []u32) usize {
    std.mem.sort(u32, values, {}, std.sort.asc(u32));
    var distinct: usize = 0;
    for (values) |value| {
        if (distinct == 0 or values[distinct - 1] != value) {
            values[distinct] = value;
            distinct += 1;
        }
    }
    return distinct;
}

const testing = std.testing;

test "add reports overflow at the boundary" {
    try testing.expectEqual(@as(u32, 5), try add(2, 3));
    try testing.expectEqual(@as(u32, std.math.maxInt(u32)), try add(std.math.maxInt(u32), 0));
    try testing.expectError(error.Overflow, add(std.math.maxInt(u32), 1));
    try testing.expectError(error.Overflow, add(1 << 31, 1 << 31));
}

test "subtract below zero is overflow" {
    try testing.expectEqual(@as(u32, 2), try subtract(5, 3));
    try testing.expectEqual(@as(u32, 0), try subtract(3, 3));
    try testing.expectError(error.Overflow, subtract(3, 5));
}

test "multiply reports overflow" {
    try testing.expectEqual(@as(u32, 42), try multiply(6, 7));
    try testing.expectEqual(@as(u32, 0), try multiply(std.math.maxInt(u32), 0));
    try testing.expectEqual(@as(u32, 4294901760), try multiply(65536, 65535));
    try testing.expectError(error.Overflow, multiply(65536, 65536));
}

test "divide by zero is an error, not a crash" {
    try testing.expectEqual(@as(u32, 3), try divide(7, 2));
    try testing.expectEqual(@as(u32, 0), try divide(0, 9));
    try testing.expectError(error.DivisionByZero, divide(1, 0));
    try testing.expectError(error.DivisionByZero, divide(0, 0));
}

test "error names match the WIT enum cases" {
    try testing.expectEqualStrings("overflow", errorName(error.Overflow));
    try testing.expectEqualStrings("division-by-zero", errorName(error.DivisionByZero));
}

test "process-sequence sorts and deduplicates" {
    var values = [_]u32{ 3, 1, 3, 2, 1 };
    const n = processSequence(&values);
    try testing.expectEqualSlices(u32, &.{ 1, 2, 3 }, values[0..n]);
    var none = [_]u32{};
    try testing.expectEqual(@as(usize, 0), processSequence(&none));
}

/// xorshift32, as in math.rs's test.
fn next(state: *u32) u32 {
    state.* ^= state.* << 13;
    state.* ^= state.* >> 17;
    state.* ^= state.* << 5;
    return state.*;
}

fn exact(wide: i128) MathError!u32 {
    return if (wide < 0 or wide > std.math.maxInt(u32)) error.Overflow else @intCast(wide);
}

fn expectSame(expected: MathError!u32, actual: MathError!u32) !void {
    if (expected) |value| {
        try testing.expectEqual(value, try actual);
    } else |err| {
        try testing.expectError(err, actual);
    }
}

test "every operation is exact or an error, as wide arithmetic says" {
    var state: u32 = 0x9e3779b9;
    for (0..100_000) |_| {
        const a = next(&state);
        const b = next(&state);
        const wa: i128 = a;
        const wb: i128 = b;
        try expectSame(exact(wa + wb), add(a, b));
        try expectSame(exact(wa - wb), subtract(a, b));
        try expectSame(exact(wa * wb), multiply(a, b));
        try expectSame(if (b == 0) error.DivisionByZero else exact(@divTrunc(wa, wb)), divide(a, b));
    }
}

test "sequences are the sorted distinct input" {
    var state: u32 = 0x9e3779b9;
    var input: [2000]u32 = undefined;
    var output: [2000]u32 = undefined;
    var len: usize = 0;
    while (len <= 2000) : (len += if (len < 64) 1 else 97) {
        for ([_]u32{ 0, 16 }) |modulus| {
            for (input[0..len]) |*value| value.* = if (modulus == 0) next(&state) else next(&state) % modulus;
            @memcpy(output[0..len], input[0..len]);
            const n = processSequence(output[0..len]);
            try testing.expect(n <= len);
            for (output[0..n], 0..) |value, i| {
                if (i > 0) try testing.expect(output[i - 1] < value);
            }
            for (input[0..len]) |value| try testing.expect(std.mem.indexOfScalar(u32, output[0..n], value) != null);
            for (output[0..n]) |value| try testing.expect(std.mem.indexOfScalar(u32, input[0..len], value) != null);
        }
    }
}
