#!/usr/bin/env bash
# component.sh DIR WORLD OUT SOURCE… [-- PACKAGE…]: build the C component in DIR, for
# the world wit/WORLD, into OUT. Each C component's build.sh calls it.
#
#   SOURCE…   its C files, relative to DIR (the generated bindings are added: DIR/bindings/
#             WORLD.c, with the world's name in snake_case, as wit-bindgen writes it)
#   PACKAGE…  the fusebox packages its world imports (wit/PACKAGE), for the WIT staging
#
# Tools (scripts/ensure-c.sh installs them; this script installs nothing): clang-19 and
# wasm-ld-19 for wasm32, and wasm-tools to turn the core module into a component.
#
# 1. The bindings in DIR/bindings are what `wit-bindgen c` generates from the world. They
#    are checked in, because wit-bindgen-cli takes about 8 minutes to install; where it
#    is installed, this script regenerates them and fails if they differ, as `make check`
#    does for the Rust bindings.
# 2. clang compiles them with the component's sources and this directory's runtime.c for
#    wasm32-unknown-unknown, freestanding: no libc, no WASI, so the core module imports
#    only what the world declares.
# 3. wasm-tools embeds the world and makes the component. No adapter: the module
#    imports nothing from WASI preview 1.
set -euo pipefail
crt=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$crt/../.." && pwd)
CC=${CC:-clang-19}
dir=$1 world=$2 out=$3
shift 3
sources=() packages=()
while (($#)) && [[ $1 != -- ]]; do sources+=("$dir/$1"); shift; done
(($#)) && shift
packages=("$@")
name=$(basename "$dir")
snake=${world//-/_}

work=$root/target/guests/c/$world
mkdir -p "$work" "$(dirname "$out")"
wit=$work/wit
"$root/scripts/stage-wit.sh" "$world" "$wit" "${packages[@]}"

if command -v wit-bindgen >/dev/null; then
    rm -rf "$work/bindings"
    if ! log=$(wit-bindgen c --world "$world" --no-object-file --out-dir "$work/bindings" "$wit" 2>&1); then
        echo "$log" >&2
        exit 1
    fi
    if ! diff -r "$dir/bindings" "$work/bindings" >/dev/null; then
        echo "$name: bindings/ differs from what $(wit-bindgen --version) generates;" >&2
        echo "  regenerate: cp $work/bindings/* $dir/bindings/" >&2
        exit 1
    fi
fi

"$CC" --target=wasm32-unknown-unknown -Oz -std=c11 -Wall -Wextra -Werror \
    -ffreestanding -nostdlib -fno-builtin -I"$crt/include" -I"$dir/bindings" \
    -Wl,--no-entry -Wl,--strip-all \
    -o "$work/core.wasm" \
    "$dir/bindings/$snake.c" "${sources[@]}" "$crt/runtime.c"
wasm-tools component embed "$wit" --world "$world" "$work/core.wasm" -o "$work/embedded.wasm"
wasm-tools component new "$work/embedded.wasm" -o "$out.partial"
mv "$out.partial" "$out"
echo "$name: $(du -b "$out" | cut -f1) bytes at ${out#"$root"/}"
