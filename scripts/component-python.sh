#!/usr/bin/env bash
# component-python.sh DIR WORLD OUT [PACKAGE…]: build the Python component in DIR (its
# glue is DIR/app.py) for the world in wit/WORLD, into OUT, with componentize-py. Each
# Python component's build.sh calls it.
#
#   PACKAGE…  the fusebox packages its world imports (wit/PACKAGE), for the WIT staging
#
# componentize-py (pinned in scripts/ensure-python.sh, which installs it into target/py;
# this script installs nothing) bundles CPython, DIR's modules and the bindings it
# generates from the WIT (the `wit_world` package) into one component. --stub-wasi
# replaces every WASI import with a trapping stub, so the component imports only what its
# world declares.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1 world=$2 out=$3
shift 3
name=$(basename "$dir")
venv=$root/target/py
if [[ ! -x "$venv/bin/componentize-py" ]]; then
    echo "$name: componentize-py is not installed in target/py: run scripts/ensure-python.sh" >&2
    exit 1
fi

# componentize-py reads one WIT directory: the world, with every package it reaches
# under deps/.
stage=$root/target/guests/python/$world/wit
"$root/scripts/stage-wit.sh" "$world" "$stage" "$@"
mkdir -p "$(dirname "$out")"

"$venv/bin/componentize-py" --quiet -d "$stage" -w "$world" \
    componentize app -p "$dir" --stub-wasi -o "$out.partial"
mv "$out.partial" "$out"
echo "$name: $(du -k "$out" | cut -f1) KiB at ${out#"$root"/}"
