#!/usr/bin/env bash
# Make sure target/py is a Python venv with componentize-py at the pinned version, and
# print its path. Installs only what is missing, so a second run costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPONENTIZE_PY_VERSION=0.25.1
venv=$PWD/target/py

if ! "$venv/bin/componentize-py" --version 2>/dev/null | grep -qx "componentize-py $COMPONENTIZE_PY_VERSION"; then
    if ! command -v python3 >/dev/null; then
        echo "ensure-python: python3 is required to build the Python calculator" >&2
        exit 1
    fi
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        # Debian splits venv out of python3. CI runs as root with apt; elsewhere, say so.
        if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
            echo "ensure-python: python3 cannot make a venv; install python3-venv (Debian) or your system's equivalent" >&2
            exit 1
        fi
        echo "ensure-python: installing python3-venv" >&2
        apt-get install -y -qq python3-venv >&2 || {
            apt-get update -qq >&2 && apt-get install -y -qq python3-venv >&2
        }
    fi
    echo "ensure-python: installing componentize-py $COMPONENTIZE_PY_VERSION into target/py" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "componentize-py==$COMPONENTIZE_PY_VERSION" >&2
fi
echo "$venv"
