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

if [[ ${1:-} == --test ]]; then
    exec "$root/components/c-runtime/test.sh" "$here" test_arithmetic arithmetic.c test_arithmetic.c
fi

exec "$root/components/c-runtime/component.sh" "$here" calculator \
    "${1:-$root/target/guests/c/calculator_c.wasm}" calculator.c arithmetic.c -- logger
