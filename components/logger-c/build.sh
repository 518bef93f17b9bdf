#!/usr/bin/env bash
# Build the C logger into a component, or run its native tests:
#
#   components/logger-c/build.sh [OUT]   (default: target/guests/c/logger_c.wasm)
#   components/logger-c/build.sh --test  line.c's unit tests, natively
#
# The build is components/c-runtime/component.sh's, shared by the C components: the
# checked-in bindings (bindings/, from `wit-bindgen c`), the glue (logger.c), the line
# format (line.c) and the shared runtime, freestanding, so that the component imports
# exactly its world: the wall clock and stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [[ ${1:-} == --test ]]; then
    exec "$root/components/c-runtime/test.sh" "$here" test_line line.c test_line.c
fi

exec "$root/components/c-runtime/component.sh" "$here" logger \
    "${1:-$root/target/guests/c/logger_c.wasm}" logger.c line.c
