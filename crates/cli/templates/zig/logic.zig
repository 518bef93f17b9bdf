//! What {name} does, as plain Zig with no WebAssembly in sight, with its tests
//! (`components/{name}/build.sh --test`).
const std = @import("std");

/// Return `input` unchanged.
pub fn echo(input: []const u8) []const u8 {
    return input;
}

test "echo returns its input" {
    try std.testing.expectEqualStrings("hello", echo("hello"));
    try std.testing.expectEqualStrings("", echo(""));
}
