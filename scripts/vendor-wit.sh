#!/usr/bin/env bash
# Vendor the wasi:* WIT packages that fusebox builds against into wit/deps/<name>@<version>/,
# and the worlds of the platforms it targets into wit/platforms/.
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
#   - Spin 4.1's platform for WASI 0.3, into wit/platforms/spin@4.1.0/, which
#     examples/spin-p3/fusebox.toml targets. Spin's host world, `spin:up@4.1.0` (the spin
#     repository's wit/world.wit), is not published, so it is rebuilt: Spin 3's platform
#     above, plus WASI 0.3.0 and Spin's `spin:*` interfaces from `spin-sdk` 7.0.0, the Rust
#     SDK for Spin 4.1 guests. Spin 3's packages are linked, not copied; the world itself
#     is written below.
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
# from wit/deps or wit/platforms (CI runs it).
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
SPIN4_VERSION=7.0.0

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
$SPIN_CRATE-4 = { package = "$SPIN_CRATE", version = "=$SPIN4_VERSION", default-features = false }
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

# Spin 4: Spin 3's packages, linked from spin@3.0.0 (its world too, as a dependency)...
spin4="$platforms/spin@4.1.0"
mkdir -p "$spin4/deps/spin@3.0.0"
for dep in "$platforms/spin@3.0.0/deps"/*/; do
    ln -s "../../spin@3.0.0/deps/$(basename "$dep")" "$spin4/deps/$(basename "$dep")"
done
ln -s ../../../spin@3.0.0/world.wit "$spin4/deps/spin@3.0.0/world.wit"
# ...then every package of spin-sdk 7's that Spin 3 does not already have: WASI 0.3.0,
# Spin's own `spin:*` interfaces and wasi:otel. (sed, not cat, reads the files: a file
# without a final newline would hide the next one's package line.)
known=$(sed -n 's/^package \([^;]*\);.*/\1/p' "$platforms/spin@3.0.0"/deps/*/*.wit)
for dep in "$(crate_dir "$SPIN_CRATE" "$SPIN4_VERSION")"/wit/deps/*/; do
    name=$(basename "$dep")
    id=$(sed -n 's/^package \([^;]*\);.*/\1/p' "$dep"*.wit | head -n 1)
    if [[ -z "$id" ]]; then
        echo "vendor-wit: no 'package …' line in $dep" >&2
        exit 1
    fi
    grep -qxF "$id" <<<"$known" && continue
    if [[ -e "$spin4/deps/$name" ]]; then
        echo "vendor-wit: spin-sdk $SPIN4_VERSION's $name is $id, but Spin 3's $name is another package" >&2
        exit 1
    fi
    mkdir -p "$spin4/deps/$name"
    cp "$dep"*.wit "$spin4/deps/$name/"
done
# ...and the world: spin:up@4.1.0's http trigger, as far as published WIT reaches. Where
# spin:up includes WASI 0.2.6, Spin 3's platform has 0.2.0, which links by semver.
# spin:up also lists the 0.3.0 release candidates, which spin-sdk 7 does not ship, and
# the unstable wasi:otel; both are left out.
cat >"$spin4/world.wit" <<'WIT'
// Written by scripts/vendor-wit.sh; do not edit.
package fusebox:spin-up@4.1.0;

/// A guest of Spin 4.1's HTTP trigger on WASI 0.3: it exports the 0.3 handler.
world http-trigger {
  include platform;
  export wasi:http/handler@0.3.0;
}

/// What a Spin 4.1 host provides: Spin 3's platform (WASI 0.2, Spin's 2.0 interfaces, the
/// key-value and config drafts) and, beside it, WASI 0.3 and Spin's `spin:*` interfaces.
world platform {
  include fermyon:spin/platform@3.0.0;
  include wasi:cli/imports@0.3.0;
  import wasi:http/client@0.3.0;
  import spin:key-value/key-value@3.0.0;
  import spin:mqtt/mqtt@3.0.0;
  import spin:mysql/mysql@3.0.0;
  import spin:postgres/postgres@4.2.0;
  import spin:redis/redis@3.0.0;
  import spin:sqlite/sqlite@3.1.0;
  import spin:variables/variables@3.0.0;
}
WIT

# ...and the one interface of Spin 3 that components/spin-variables imports. spin-sdk keeps
# the package line in another file of the package, so it is written here.
mkdir -p "$out/fermyon-spin@2.0.0"
{
    echo "package fermyon:spin@2.0.0;"
    echo
    cat "$spin/spin@2.0.0/variables.wit"
} >"$out/fermyon-spin@2.0.0/variables.wit"

if [[ "$out" != wit/deps ]]; then
    # --no-dereference: a link that became a copy is drift too.
    if ! diff -r wit/deps "$out" >&2 || ! diff -r --no-dereference wit/platforms "$platforms" >&2; then
        echo "vendor-wit: wit/deps or wit/platforms differs from the pinned versions; run scripts/vendor-wit.sh and commit" >&2
        exit 1
    fi
    echo "vendor-wit: wit/deps and wit/platforms match the pinned versions"
else
    echo "vendor-wit: vendored $(ls "$out" | tr '\n' ' ')"
fi
