#!/usr/bin/env bash
# Build the C calculator into a component, or run its native tests:
#
#   components/calculator-c/build.sh [OUT]   (default: target/guests/c/calculator_c.wasm)
#   components/calculator-c/build.sh --test  arithmetic.c's unit tests, natively
#
# Tools (scripts/ensure-c.sh installs them; this script installs nothing): clang-19 and
# wasm-ld-19 for wasm32, and wasm-tools to turn the core module into a component.
#
# 1. The bindings in bindings/ are what `wit-bindgen c` generates from
#    wit/calculator/world.wit. They are checked in, because wit-bindgen-cli takes about
#    8 minutes to install; where it is installed, this script regenerates them and fails
#    if they differ, as `make check` does for the Rust bindings.
# 2. clang compiles them with the glue (calculator.c), the logic (arithmetic.c) and a
#    small runtime (runtime.c) for wasm32-unknown-unknown, freestanding: no libc, no
#    WASI, so the core module imports only the logger.
# 3. wasm-tools embeds the world and makes the component. No adapter: the module
#    imports nothing from WASI preview 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CC=${CC:-clang-19}

if [[ ${1:-} == --test ]]; then
    bin=$root/target/guests/c/test_arithmetic
    mkdir -p "$(dirname "$bin")"
    # UBSan catches an overflow the checks were meant to prevent; -Werror keeps it clean.
    "$CC" -std=c11 -O1 -Wall -Wextra -Werror -fsanitize=undefined -fno-sanitize-recover=all \
        -o "$bin" "$here/arithmetic.c" "$here/test_arithmetic.c"
    exec "$bin"
fi

out=${1:-$root/target/guests/c/calculator_c.wasm}
work=$root/target/guests/c/calculator
mkdir -p "$work" "$(dirname "$out")"

# The calculator's world, with every package it reaches, as one WIT directory.
wit=$work/wit
"$root/scripts/stage-wit.sh" calculator "$wit" logger

if command -v wit-bindgen >/dev/null; then
    rm -rf "$work/bindings"
    if ! log=$(wit-bindgen c --world calculator --no-object-file --out-dir "$work/bindings" "$wit" 2>&1); then
        echo "$log" >&2
        exit 1
    fi
    if ! diff -r "$here/bindings" "$work/bindings" >/dev/null; then
        echo "calculator-c: bindings/ differs from what $(wit-bindgen --version) generates;" >&2
        echo "  regenerate: cp $work/bindings/* $here/bindings/" >&2
        exit 1
    fi
fi

"$CC" --target=wasm32-unknown-unknown -Oz -std=c11 -Wall -Wextra -Werror \
    -ffreestanding -nostdlib -fno-builtin -I"$here/include" -I"$here/bindings" \
    -Wl,--no-entry -Wl,--strip-all \
    -o "$work/core.wasm" \
    "$here/bindings/calculator.c" "$here/calculator.c" "$here/arithmetic.c" "$here/runtime.c"
wasm-tools component embed "$wit" --world calculator "$work/core.wasm" -o "$work/embedded.wasm"
wasm-tools component new "$work/embedded.wasm" -o "$out.partial"
mv "$out.partial" "$out"
echo "calculator-c: $(du -b "$out" | cut -f1) bytes at ${out#"$root"/}"
