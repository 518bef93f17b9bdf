#!/usr/bin/env bash
# Keep each guest's checked-in src/bindings.rs in step with its WIT, with cargo-component.
#
#   scripts/bindings.sh DIR...           regenerate the bindings of each DIR whose inputs changed
#   scripts/bindings.sh --check DIR...   regenerate every DIR's bindings; fail on any difference
#
# A binding's inputs are the guest's Cargo.toml and the WIT files of every directory its
# `path = "…"` lines name (its world's package and each package the world reaches). Their
# SHA-256, taken when the bindings were last generated, is checked in beside them as
# src/bindings.inputs. When it still matches, the bindings
# are current and nothing runs: a fresh clone composes without installing cargo-component
# (git gives every file the same mtime, so make's timestamps cannot tell). `make check`
# regenerates them all anyway and compares, so a stale stamp cannot hide stale bindings.
# A guest without `[package.metadata.component]` generates its bindings with
# wit-bindgen's macro at build time (the WASI 0.3 components), and is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
if [[ "${1:-}" == "--check" ]]; then
    check=true
    shift
fi

inputs_of() {
    local dirs
    mapfile -t dirs < <(sed -n 's/.*path = "\([^"]*\)".*/\1/p' "$1/Cargo.toml" | sed "s|^|$1/|")
    {
        sha256sum "$1/Cargo.toml"
        find "${dirs[@]}" -maxdepth 1 -name '*.wit' -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    } | sha256sum | cut -d' ' -f1
}

stale=()
for dir in "$@"; do
    grep -q '^\[package.metadata.component\]' "$dir/Cargo.toml" || continue
    if $check || [[ "$(cat "$dir/src/bindings.inputs" 2>/dev/null)" != "$(inputs_of "$dir")" ]]; then
        stale+=("$dir")
    fi
done
[[ ${#stale[@]} -eq 0 ]] && exit 0

scripts/ensure-tools.sh --cargo-component
for dir in "${stale[@]}"; do
    $check || echo "bindings: regenerating $dir/src/bindings.rs"
    (cd "$dir" && cargo component bindings >/dev/null)
    inputs_of "$dir" > "$dir/src/bindings.inputs"
done
if $check; then
    files=()
    for dir in "${stale[@]}"; do files+=("$dir/src/bindings.rs" "$dir/src/bindings.inputs"); done
    if ! git diff --exit-code -- "${files[@]}"; then
        echo "bindings: stale; commit the regenerated files above" >&2
        exit 1
    fi
    echo "bindings: all ${#stale[@]} match their WIT"
fi
