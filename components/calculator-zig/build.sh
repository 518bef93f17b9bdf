#!/usr/bin/env bash
# Build the Zig calculator into a component, or run its native tests:
#
#   components/calculator-zig/build.sh [OUT]   (default: target/guests/zig/calculator_zig.wasm)
#   components/calculator-zig/build.sh --test  arithmetic.zig's tests, natively
#
# The build is scripts/component-zig.sh's, shared by the Zig components. The Zig
# calculator uses the C bindings `wit-bindgen c` generated for the C calculator
# (components/calculator-c/bindings: the same world), and the C components' runtime.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [[ ${1:-} == --test ]]; then
    zig=("$root/target/zig/bin/python" -m ziglang)
    if ! "${zig[@]}" version >/dev/null 2>&1; then
        echo "calculator-zig: Zig is not installed in target/zig: run scripts/ensure-zig.sh" >&2
        exit 1
    fi
    exec "${zig[@]}" test "$here/arithmetic.zig"
fi

exec "$root/scripts/component-zig.sh" "$here" calculator \
    "${1:-$root/target/guests/zig/calculator_zig.wasm}" calculator.zig \
    "$root/components/calculator-c/bindings" logger
