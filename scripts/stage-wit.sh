#!/usr/bin/env bash
# stage-wit.sh WORLD OUT [PACKAGE…]: make OUT one WIT directory for the world in
# wit/WORLD (a component's own package), with the fusebox packages it imports (wit/PACKAGE
# for each PACKAGE) and every vendored wasi package under OUT/deps, as the toolchains
# that read a single WIT root want it (componentize-py, componentize-js, wit-bindgen,
# wasm-tools). The packages are symlinked, or copied with COPY=1 for a tool that does
# not follow symlinks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
world=$1
out=$2
shift 2
link() { if [[ ${COPY:-} == 1 ]]; then cp -rL "$1" "$2"; else ln -s "$1" "$2"; fi; }
rm -rf "$out"
mkdir -p "$out/deps"
cp "$root/wit/$world/world.wit" "$out/"
for package in "$@"; do
    link "$root/wit/$package" "$out/deps/$package"
done
for dep in "$root"/wit/deps/*; do
    link "$dep" "$out/deps/$(basename "$dep")"
done
