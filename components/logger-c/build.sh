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
CC=${CC:-clang-19}

if [[ ${1:-} == --test ]]; then
    bin=$root/target/guests/c/test_line
    mkdir -p "$(dirname "$bin")"
    "$CC" -std=c11 -O1 -Wall -Wextra -Werror -fsanitize=undefined -fno-sanitize-recover=all \
        -o "$bin" "$here/line.c" "$here/test_line.c"
    exec "$bin"
fi

exec "$root/components/c-runtime/component.sh" "$here" logger \
    "${1:-$root/target/guests/c/logger_c.wasm}" logger.c line.c
