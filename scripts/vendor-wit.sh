#!/usr/bin/env bash
# Vendor the wasi:* WIT packages that fusebox builds against into wit/deps/<name>@<version>/.
#
# The WIT comes from crates on crates.io, fetched with cargo at the exact versions pinned
# below, so vendoring needs no network beyond the cargo registry. wasmtime's host crates
# carry the WIT they implement:
#   - wasi:{cli,clocks,filesystem,http,io,random,sockets} from `wasmtime-wasi-http`;
#   - WASI 0.3.0 (wasi:{cli,clocks,filesystem,http,random,sockets}@0.3.0) from
#     `wasmtime-wasi-http` 48, the host `fusebox serve` runs: its p3 module carries
#     the WIT it implements, one file per package. Every 0.3 guest pins 0.3.0 too, so
#     that one artifact has one `wasi:http/types`;
#   - wasi:config from `wasmtime-wasi-config` 48, the host fusebox tests against: it
#     implements `wasi:config@0.2.0-rc.1`, and prerelease versions never semver-match,
#     so this one must equal the host's;
#   - wasi:config@0.2.0-draft from `wasmcloud-runtime` 0.12, the runtime of the wasmCloud
#     1.x host `make lattice` runs: what components/config-draft adapts rc.1 to;
#   - Spin 3's platform from `spin-sdk` 5.1.0, the SDK of Spin 3 hosts: the whole
#     `fermyon:spin@3.0.0` world tree as published, into wit/platforms/spin@3.0.0/ (a WIT
#     root of its own, since it pins WASI 0.2.0), which examples/spin/fusebox.toml
#     targets; and its `fermyon:spin/variables@2.0.0` interface alone into
#     wit/deps/fermyon-spin@2.0.0/, which components/spin-variables adapts
#     wasi:config to.
#
# Why WASI 0.2.6 (the WIT of wasmtime 36), not the newest 0.2.x:
#   - Rust 1.95's std imports wasi:cli, wasi:io and wasi:clocks at 0.2.6. With the same
#     version here, the fused artifact imports one consistent WASI release, and
#     `wasm-tools component targets` accepts it for the exact proxy world.
#   - Every 0.2.x host from 0.2.6 on runs it (wasmtime links semver-compatible versions).
#   - cargo-component 0.21's WIT parser cannot read the `@unstable` cross-package imports
#     that WASI 0.2.9 and later add to wasi:cli.
#
# To move: change a version below, run this script, regenerate bindings (`make bindings`),
# and commit. `--check` vendors into a scratch directory and fails on any difference
# from wit/deps (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."

WASI_CRATE=wasmtime-wasi-http
WASI_VERSION=36.0.0
P3_VERSION=48.0.8
CONFIG_CRATE=wasmtime-wasi-config
CONFIG_VERSION=48.0.8
DRAFT_CRATE=wasmcloud-runtime
DRAFT_VERSION=0.12.0
SPIN_CRATE=spin-sdk
SPIN_VERSION=5.1.0

out=wit/deps
platforms=wit/platforms
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [[ "${1:-}" == "--check" ]]; then
    out="$scratch/deps"
    platforms="$scratch/platforms"
fi

# A throwaway manifest that depends on exactly the pinned crates, so that cargo fetches
# their sources and tells us where they are.
mkdir -p "$scratch/fetch/src"
touch "$scratch/fetch/src/lib.rs"
cat > "$scratch/fetch/Cargo.toml" <<TOML
[package]
name = "fusebox-wit-vendor"
version = "0.0.0"
edition = "2021"
[dependencies]
$WASI_CRATE = { version = "=$WASI_VERSION", default-features = false }
$WASI_CRATE-p3 = { package = "$WASI_CRATE", version = "=$P3_VERSION", default-features = false }
$CONFIG_CRATE = { version = "=$CONFIG_VERSION", default-features = false }
$DRAFT_CRATE = { version = "=$DRAFT_VERSION", default-features = false }
$SPIN_CRATE = { version = "=$SPIN_VERSION", default-features = false }
[workspace]
TOML
metadata=$(cargo metadata --quiet --format-version 1 --manifest-path "$scratch/fetch/Cargo.toml")

# Print the source directory of crate $1 at version $2.
crate_dir() {
    local manifest
    manifest=$(grep -o "\"manifest_path\":\"[^\"]*/$1-$2/Cargo.toml\"" <<<"$metadata" | head -n 1 |
        sed -e 's/^"manifest_path":"//' -e 's/"$//')
    if [[ -z "$manifest" ]]; then
        echo "vendor-wit: cargo did not fetch $1 $2" >&2
        exit 1
    fi
    dirname "$manifest"
}

# Copy the package in directory $1 to $out/<name>@<version>/, named after its package line.
vendor_package() {
    local id
    id=$(sed -n 's/^package wasi:\([a-z-]*\)@\([^;]*\);.*/\1@\2/p' "$1"/*.wit | head -n 1)
    if [[ -z "$id" ]]; then
        echo "vendor-wit: no 'package wasi:…' line in $1" >&2
        exit 1
    fi
    mkdir -p "$out/$id"
    cp "$1"/*.wit "$out/$id/"
}

# Copy the one-file package $1 to $out/<name>@<version>/, named after its package line.
vendor_file() {
    local id
    id=$(sed -n 's/^package wasi:\([a-z-]*\)@\([^;]*\);.*/\1@\2/p' "$1" | head -n 1)
    if [[ -z "$id" ]]; then
        echo "vendor-wit: no 'package wasi:…' line in $1" >&2
        exit 1
    fi
    mkdir -p "$out/$id"
    cp "$1" "$out/$id/"
}

rm -rf "${out:?}"
mkdir -p "$out"
for dir in "$(crate_dir "$WASI_CRATE" "$WASI_VERSION")"/wit/deps/*/; do
    vendor_package "$dir"
done
for file in "$(crate_dir "$WASI_CRATE" "$P3_VERSION")"/src/p3/wit/deps/*.wit; do
    vendor_file "$file"
done
vendor_package "$(crate_dir "$CONFIG_CRATE" "$CONFIG_VERSION")/wit/deps/config"
vendor_package "$(crate_dir "$DRAFT_CRATE" "$DRAFT_VERSION")/wit/deps/config"

# Spin 3: the platform world and everything it reaches, as spin-sdk ships them.
spin=$(crate_dir "$SPIN_CRATE" "$SPIN_VERSION")/wit/deps
rm -rf "${platforms:?}"
mkdir -p "$platforms/spin@3.0.0/deps"
cp "$spin/spin@3.0.0"/*.wit "$platforms/spin@3.0.0/"
for dep in "$spin"/*/; do
    name=$(basename "$dep")
    [[ "$name" == spin@3.0.0 ]] && continue
    mkdir -p "$platforms/spin@3.0.0/deps/$name"
    cp "$dep"*.wit "$platforms/spin@3.0.0/deps/$name/"
done
# ...and the one interface of it that components/spin-variables imports. spin-sdk keeps
# the package line in another file of the package, so it is written here.
mkdir -p "$out/fermyon-spin@2.0.0"
{
    echo "package fermyon:spin@2.0.0;"
    echo
    cat "$spin/spin@2.0.0/variables.wit"
} >"$out/fermyon-spin@2.0.0/variables.wit"

if [[ "$out" != wit/deps ]]; then
    if ! diff -r wit/deps "$out" >&2 || ! diff -r wit/platforms "$platforms" >&2; then
        echo "vendor-wit: wit/deps or wit/platforms differs from the pinned versions; run scripts/vendor-wit.sh and commit" >&2
        exit 1
    fi
    echo "vendor-wit: wit/deps and wit/platforms match the pinned versions"
else
    echo "vendor-wit: vendored $(ls "$out" | tr '\n' ' ')"
fi
