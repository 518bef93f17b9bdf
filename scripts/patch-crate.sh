#!/usr/bin/env bash
# Usage: scripts/patch-crate.sh NAME VERSION SHA256 PATCH OUT
#
# Writes OUT: the crates.io source of NAME VERSION with PATCH applied (`patch -p1`), for a
# `[patch.crates-io]` entry to build against. fusebox patches two crates this way:
# wasmtime (patches/wasmtime-48.0.8.patch, named by the root Cargo.toml, made by the
# Makefile before any cargo command) and wasmcloud-host (lattice/, by lattice/run.sh).
#
# The source is the .crate cargo downloaded, after its SHA-256 is checked against SHA256,
# the checksum crates.io's index publishes for it. (With the patch in place, Cargo.lock
# lists the crate as a path dependency without a checksum, so this check is the one that
# holds.) OUT/.fusebox-patched records the patch's own SHA-256: when it matches, this exits
# at once; when PATCH changes, OUT is written again.
set -euo pipefail

if [[ $# -ne 5 ]]; then
    echo "usage: scripts/patch-crate.sh NAME VERSION SHA256 PATCH OUT" >&2
    exit 2
fi
name=$1 version=$2 sha256=$3 patch_file=$4 out=$5
me="patch-crate($name $version)"

want=$(sha256sum "$patch_file" | cut -d' ' -f1)
up_to_date() { [[ -f "$out/.fusebox-patched" && "$(cat "$out/.fusebox-patched")" == "$want" ]]; }
if up_to_date; then
    exit 0
fi
# One writer at a time (two make commands started together), and the second one finds
# the copy written.
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
if up_to_date; then
    exit 0
fi

if ! command -v patch >/dev/null 2>&1; then
    "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" patch-crate patch
fi

cargo_home="${CARGO_HOME:-$HOME/.cargo}"
find_crate() { ls "$cargo_home"/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -n1 || true; }
crate=$(find_crate)
if [[ -z "$crate" ]]; then
    # Let cargo download it (from crates.io, checksum checked) through a throwaway manifest:
    # the workspace that patches the crate cannot resolve until the patched copy exists.
    fetch="$(dirname "$out")/fetch-$name-$version"
    mkdir -p "$fetch/src"
    printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n[workspace]\n' \
        "$name" "$version" >"$fetch/Cargo.toml"
    : >"$fetch/src/lib.rs"
    echo "$me: downloading the crate"
    cargo fetch --manifest-path "$fetch/Cargo.toml" >&2
    crate=$(find_crate)
    [[ -n "$crate" ]] || { echo "$me: cargo fetch did not leave $name-$version.crate in $cargo_home/registry/cache" >&2; exit 1; }
fi

actual=$(sha256sum "$crate" | cut -d' ' -f1)
if [[ "$actual" != "$sha256" ]]; then
    echo "$me: $crate has SHA-256 $actual, but crates.io publishes $sha256" >&2
    exit 1
fi

tmp=$(mktemp -d "$out.tmp.XXXXXX")
tar -xzf "$crate" -C "$tmp" --strip-components=1
# Exactly as written: no fuzz, no backup files.
if ! patch -p1 --batch --forward --quiet --fuzz=0 --no-backup-if-mismatch -d "$tmp" <"$patch_file"; then
    echo "$me: $patch_file does not apply to the crates.io source" >&2
    rm -rf "$tmp"
    exit 1
fi
echo "$want" >"$tmp/.fusebox-patched"
# Swap in whole: a build never sees a half-written copy.
rm -rf "$out"
mv -T "$tmp" "$out"
echo "$me: wrote $out ($patch_file)"
