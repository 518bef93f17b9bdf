#!/usr/bin/env bash
# component-zig.sh DIR WORLD OUT ROOT BINDINGS [PACKAGE…]: build the Zig component in DIR,
# whose glue is DIR/ROOT (a .zig file), for the world in wit/WORLD, into OUT. Each Zig
# component's build.sh calls it.
#
#   BINDINGS  the directory of C bindings `wit-bindgen c` generated for the world
#             (WORLD.h and WORLD.c, with the world's name in snake_case)
#   PACKAGE…  the fusebox packages its world imports (wit/PACKAGE), for the WIT staging
#
# Tools: Zig from PyPI's `ziglang` in target/zig, and wasm-tools (scripts/ensure-zig.sh
# and scripts/ensure-c.sh install them; this script installs nothing).
#
# Zig 0.17 has no @cImport, so `zig translate-c` turns the bindings' header into the
# `bindings` module. Zig compiles the glue, the bindings' C and the C components' runtime
# (components/c-runtime: the allocator and the few C functions the bindings use) for
# wasm32-freestanding: no libc, no WASI, so the module imports only what the world
# declares. wasm-tools then embeds the world and makes the component.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
crt=$root/components/c-runtime
zig=("$root/target/zig/bin/python" -m ziglang)
dir=$1 world=$2 out=$3 glue=$4 bindings=$5
shift 5
name=$(basename "$dir")
snake=${world//-/_}

if ! "${zig[@]}" version >/dev/null 2>&1; then
    echo "$name: Zig is not installed in target/zig: run scripts/ensure-zig.sh" >&2
    exit 1
fi

work=$root/target/guests/zig/$world
mkdir -p "$work" "$(dirname "$out")"
"$root/scripts/stage-wit.sh" "$world" "$work/wit" "$@"

"${zig[@]}" translate-c -target wasm32-freestanding -I"$crt/include" -I"$bindings" \
    "$bindings/$snake.h" > "$work/bindings.zig"
"${zig[@]}" build-exe -target wasm32-freestanding -fno-entry -O ReleaseSmall \
    -I"$crt/include" -I"$bindings" "$bindings/$snake.c" "$crt/runtime.c" \
    --dep bindings -Mroot="$dir/$glue" -Mbindings="$work/bindings.zig" \
    --cache-dir "$work/cache" --global-cache-dir "$root/target/zig/cache" \
    -femit-bin="$work/core.wasm"
wasm-tools component embed "$work/wit" --world "$world" "$work/core.wasm" -o "$work/embedded.wasm"
wasm-tools component new "$work/embedded.wasm" -o "$out.partial"
mv "$out.partial" "$out"
echo "$name: $(du -b "$out" | cut -f1) bytes at ${out#"$root"/}"
