#!/usr/bin/env bash
# test.sh DIR NAME SOURCE…: compile a C component's logic and its unit tests natively,
# with UBSan (an overflow the checks were meant to prevent fails the run) and -Werror,
# into target/guests/c/NAME, and run it. Each C component's `build.sh --test` calls it;
# SOURCE… are relative to DIR. The logic is plain C11: no bindings, no runtime.c.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-clang-19}
dir=$1 name=$2
shift 2
sources=()
for source in "$@"; do sources+=("$dir/$source"); done
bin=$root/target/guests/c/$name
mkdir -p "$(dirname "$bin")"
"$CC" -std=c11 -O1 -Wall -Wextra -Werror -fsanitize=undefined -fno-sanitize-recover=all \
    -o "$bin" "${sources[@]}"
exec "$bin"
