#!/usr/bin/env bash
# Make sure the C calculator's toolchain is here: Debian's clang-19 and lld-19 (for
# wasm-ld), and wasm-tools at the pinned version, with only its `component` and
# `validate` features. Installs only what is missing: the packages take under a minute,
# wasm-tools about 3 minutes to compile. The freestanding build links no compiler-rt,
# so libclang-rt-19-dev-wasm32 is not needed.
#
# wit-bindgen-cli is not installed: the C bindings are checked in
# (components/calculator-c/README.md says why), and checked against it where it is.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_TOOLS_VERSION=1.263.0

missing=()
command -v clang-19 >/dev/null || missing+=(clang-19)
command -v wasm-ld-19 >/dev/null || missing+=(lld-19)
[ ${#missing[@]} -eq 0 ] || scripts/apt-install.sh ensure-c "${missing[@]}"

if ! wasm-tools --version 2>/dev/null | grep -q "^wasm-tools $WASM_TOOLS_VERSION"; then
    echo "ensure-c: installing wasm-tools $WASM_TOOLS_VERSION (about 3 minutes)" >&2
    cargo install --locked --quiet wasm-tools --version "$WASM_TOOLS_VERSION" \
        --no-default-features --features component,validate >&2
fi
