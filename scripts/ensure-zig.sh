#!/usr/bin/env bash
# Make sure target/zig is a Python venv with PyPI's `ziglang` at the pinned version (Zig
# itself, with its bundled clang), for the Zig calculator. Installs only what is missing
# (about 10 s and 50 MB the first time).
set -euo pipefail
cd "$(dirname "$0")/.."

ZIG_VERSION=0.17.1
venv=$PWD/target/zig

if [[ $("$venv/bin/python" -m ziglang version 2>/dev/null) != "$ZIG_VERSION" ]]; then
    # The same venv support the Python calculator needs.
    python3 -c 'import venv, ensurepip' 2>/dev/null || scripts/apt-install.sh ensure-zig python3-venv
    echo "ensure-zig: installing ziglang $ZIG_VERSION into target/zig" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ziglang==$ZIG_VERSION" >&2
fi
