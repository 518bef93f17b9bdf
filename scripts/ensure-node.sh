#!/usr/bin/env bash
# Make sure target/npm holds the pinned Node, jco (with its WASI shims) and workerd the runtime matrix runs
# the artifacts with, and componentize-js for the JavaScript calculator, and print its
# path. Installs only what is missing (about 35 s and
# 550 MB the first time), so a second run costs nothing.
#
# Node comes from the npm registry's `node` package, not the machine's: Node 20 cannot
# compile CPython's extended-const instructions, so the Python artifact needs a newer V8.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=26.10.0
JCO_VERSION=1.35.0
# The version jco 1.35.0 itself depends on, which its glue is written against.
PREVIEW2_SHIM_VERSION=0.26.1
# WASI 0.3 for the 0.3 artifact (runtimes/jco/serve.mjs): the version jco 1.35.0's
# glue maps 0.3 imports to.
PREVIEW3_SHIM_VERSION=0.7.0
# Cloudflare's Workers runtime; the npm package ships its binary.
WORKERD_VERSION=1.20261117.1
# The JavaScript calculator's toolchain (components/calculator-js). jco 1.35 depends on
# 0.22; 0.23 is called directly, by its API.
COMPONENTIZE_JS_VERSION=0.23.0

dir=$PWD/target/npm
want="node@$NODE_VERSION jco@$JCO_VERSION preview2-shim@$PREVIEW2_SHIM_VERSION preview3-shim@$PREVIEW3_SHIM_VERSION workerd@$WORKERD_VERSION componentize-js@$COMPONENTIZE_JS_VERSION"
if [[ $(cat "$dir/.pinned" 2>/dev/null) != "$want" ]]; then
    command -v npm >/dev/null || scripts/apt-install.sh ensure-node npm
    echo "ensure-node: installing $want into target/npm" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    echo '{"private": true, "type": "module"}' > "$dir/package.json"
    (cd "$dir" && npm install --no-audit --no-fund --silent \
        "node@$NODE_VERSION" \
        "@bytecodealliance/jco@$JCO_VERSION" \
        "@bytecodealliance/preview2-shim@$PREVIEW2_SHIM_VERSION" \
        "@bytecodealliance/preview3-shim@$PREVIEW3_SHIM_VERSION" \
        "workerd@$WORKERD_VERSION" \
        "@bytecodealliance/componentize-js@$COMPONENTIZE_JS_VERSION") >&2
    echo "$want" > "$dir/.pinned"
fi
echo "$dir"
