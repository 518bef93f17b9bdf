#!/usr/bin/env bash
# Build {name} into a component with componentize-py, or run its unit tests:
#
#   components/{name}/build.sh [OUT]   (default: target/guests/python/{crate}.wasm)
#   components/{name}/build.sh --test  logic.py's tests
#
# The build is scripts/component-python.sh's, shared by the Python components: CPython,
# this directory's modules and the bindings generated from wit/{name} in one component,
# with every WASI import stubbed. scripts/ensure-python.sh installs componentize-py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [[ ${1:-} == --test ]]; then
    exec python3 -m unittest discover --start-directory "$here"
fi
exec "$root/scripts/component-python.sh" "$here" {name} \
    "${1:-$root/target/guests/python/{crate}.wasm}" logger
