#!/usr/bin/env bash
# Build the Python calculator into a component with componentize-py:
#
#   components/calculator-py/build.sh [OUT]   (default: target/guests/python/calculator_py.wasm)
#
# componentize-py (pinned in scripts/ensure-python.sh, which installs it into target/py;
# this script installs nothing)
# bundles CPython, this directory's modules and the bindings it generates from the WIT
# into one component. --stub-wasi replaces every WASI import with a trapping stub, so the
# component imports only what its world declares: fusebox:logger/log. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/target/guests/python/calculator_py.wasm}
venv=$root/target/py
if [[ ! -x "$venv/bin/componentize-py" ]]; then
    echo "calculator-py: componentize-py is not installed in target/py: run scripts/ensure-python.sh" >&2
    exit 1
fi

# componentize-py reads one WIT directory: the calculator's world, with every package it
# reaches under deps/.
stage=$root/target/guests/python/wit
"$root/scripts/stage-wit.sh" calculator "$stage" logger
mkdir -p "$(dirname "$out")"

"$venv/bin/componentize-py" --quiet -d "$stage" -w calculator \
    componentize app -p "$here" --stub-wasi -o "$out.partial"
mv "$out.partial" "$out"
echo "calculator-py: $(du -k "$out" | cut -f1) KiB at ${out#"$root"/}"
