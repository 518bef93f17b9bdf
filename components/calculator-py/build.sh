#!/usr/bin/env bash
# Build the Python calculator into a component with componentize-py:
#
#   components/calculator-py/build.sh [OUT]   (default: target/guests/python/calculator_py.wasm)
#
# The build is scripts/component-python.sh's, shared by the Python components:
# componentize-py bundles CPython, this directory's modules and the bindings it
# generates from the WIT into one component, with every WASI import stubbed, so the
# component imports only what its world declares: fusebox:logger/log. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exec "$root/scripts/component-python.sh" "$here" calculator \
    "${1:-$root/target/guests/python/calculator_py.wasm}" logger
