#!/usr/bin/env bash
# Build the Zig calculator into a component, or run its native tests:
#
#   components/calculator-zig/build.sh [OUT]   (default: target/guests/zig/calculator_zig.wasm)
#   components/calculator-zig/build.sh --test  arithmetic.zig's tests, natively
#
# Tools: Zig from PyPI's `ziglang` in target/zig, and wasm-tools (scripts/ensure-zig.sh
# and scripts/ensure-c.sh install them; this script installs nothing).
#
# The Zig calculator uses the C bindings `wit-bindgen c` generated for the C calculator
# (components/calculator-c/bindings: the same world). Zig 0.17 has no @cImport, so
# `zig translate-c` turns the header into the `bindings` module, and Zig compiles the
# bindings' C beside the Zig code, for wasm32-freestanding: no libc, no WASI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
zig=("$root/target/zig/bin/python" -m ziglang)
cbind=$root/components/calculator-c

if ! "${zig[@]}" version >/dev/null 2>&1; then
    echo "calculator-zig: Zig is not installed in target/zig: run scripts/ensure-zig.sh" >&2
    exit 1
fi

if [[ ${1:-} == --test ]]; then
    exec "${zig[@]}" test "$here/arithmetic.zig"
fi

out=${1:-$root/target/guests/zig/calculator_zig.wasm}
work=$root/target/guests/zig/calculator
mkdir -p "$work" "$(dirname "$out")"
"$root/scripts/stage-wit.sh" calculator "$work/wit" logger

"${zig[@]}" translate-c -target wasm32-freestanding -I"$root/components/c-runtime/include" -I"$cbind/bindings" \
    "$cbind/bindings/calculator.h" > "$work/bindings.zig"
"${zig[@]}" build-exe -target wasm32-freestanding -fno-entry -O ReleaseSmall \
    -I"$root/components/c-runtime/include" -I"$cbind/bindings" "$cbind/bindings/calculator.c" \
    --dep bindings -Mroot="$here/calculator.zig" -Mbindings="$work/bindings.zig" \
    --cache-dir "$work/cache" --global-cache-dir "$root/target/zig/cache" \
    -femit-bin="$work/core.wasm"
wasm-tools component embed "$work/wit" --world calculator "$work/core.wasm" -o "$work/embedded.wasm"
wasm-tools component new "$work/embedded.wasm" -o "$out.partial"
mv "$out.partial" "$out"
echo "calculator-zig: $(du -b "$out" | cut -f1) bytes at ${out#"$root"/}"
