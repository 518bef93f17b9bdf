#!/usr/bin/env bash
# Build the C calculator into a component, or run its native tests:
#
#   components/calculator-c/build.sh [OUT]   (default: target/guests/c/calculator_c.wasm)
#   components/calculator-c/build.sh --test  arithmetic.c's unit tests, natively
#
# The build is components/c-runtime/component.sh's, shared by the C components: the
# checked-in bindings (bindings/, from `wit-bindgen c`), the glue (calculator.c), the
# logic (arithmetic.c) and the shared runtime, freestanding, so that the component
# imports only the logger.
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

exec "$root/components/c-runtime/component.sh" "$here" calculator \
    "${1:-$root/target/guests/c/calculator_c.wasm}" calculator.c arithmetic.c -- logger
