#!/usr/bin/env bash
# Writes target/lattice/wasmcloud-host-0.27.1: the crates.io source of wasmcloud-host
# 0.27.1 with one line added, `#![recursion_limit = "256"]`, which Rust 1.95 needs to
# compile src/wasmbus/ctl.rs. lattice/Cargo.toml patches crates.io with this copy.
#
# The source comes from the .crate cargo downloaded, after its SHA-256 is checked against
# the checksum crates.io's index publishes for it (recorded below: with the patch in place,
# lattice/Cargo.lock lists the crate as a path dependency, without a checksum).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name=wasmcloud-host
version=0.27.1
sha256=6edaf1f51d0b9ec8b799a6d64fce474eb6cf299be3e1ca2e296dfc3c385b8a36
out="$root/target/lattice/$name-$version"

if [[ -f "$out/.fusebox-patched" ]]; then
    exit 0
fi

cargo_home="${CARGO_HOME:-$HOME/.cargo}"
crate=$(ls "$cargo_home"/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -n1 || true)
if [[ -z "$crate" ]]; then
    # Let cargo download it (from crates.io, checksum checked) through a throwaway
    # manifest: lattice/Cargo.toml itself cannot resolve until the patched copy exists.
    fetch="$root/target/lattice/fetch"
    mkdir -p "$fetch/src"
    printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n[workspace]\n' \
        "$name" "$version" >"$fetch/Cargo.toml"
    : >"$fetch/src/lib.rs"
    echo "patch-wasmcloud-host: downloading $name $version"
    cargo fetch --manifest-path "$fetch/Cargo.toml" >&2
    crate=$(ls "$cargo_home"/registry/cache/*/"$name-$version.crate" | head -n1)
fi

actual=$(sha256sum "$crate" | cut -d' ' -f1)
if [[ "$actual" != "$sha256" ]]; then
    echo "patch-wasmcloud-host: $crate has SHA-256 $actual, but crates.io publishes $sha256" >&2
    exit 1
fi

tmp="$out.tmp"
rm -rf "$tmp" "$out"
mkdir -p "$tmp"
tar -xzf "$crate" -C "$tmp" --strip-components=1
lib="$tmp/src/lib.rs"
grep -q 'recursion_limit' "$lib" && { echo "patch-wasmcloud-host: $lib already sets recursion_limit" >&2; exit 1; }
{ echo '#![recursion_limit = "256"]'; cat "$lib"; } >"$lib.new" && mv "$lib.new" "$lib"
touch "$tmp/.fusebox-patched"
mv "$tmp" "$out"
echo "patch-wasmcloud-host: wrote $out (recursion_limit = 256)"
