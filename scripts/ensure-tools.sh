#!/usr/bin/env bash
# Install what building fusebox needs, only if it is missing:
#   - the wasm32-wasip2 Rust target (rustc links components for it directly);
#   - with --cargo-component, also cargo-component, which generates each component's
#     src/bindings.rs from its WIT (scripts/bindings.sh asks for it only when a binding
#     has to be generated or checked, so a fresh clone's `make compose` never builds it);
#   - OpenSSL's headers and pkg-config: the composer and `fusebox` speak HTTPS to
#     registries through the system's TLS (oci-client's native-tls).
# When all are present this takes a fraction of a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# First: cargo-component's own build needs them too.
if ! pkg-config --exists openssl 2>/dev/null; then
    scripts/apt-install.sh ensure-tools libssl-dev pkg-config
fi

CARGO_COMPONENT_VERSION=0.21.1

if ! command -v rustup >/dev/null 2>&1; then
    echo "ensure-tools: rustup is required to add the wasm32-wasip2 target" >&2
    exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-wasip2; then
    echo "ensure-tools: installing the wasm32-wasip2 target"
    rustup target add wasm32-wasip2
fi

if [[ "${1:-}" == "--cargo-component" ]] && ! cargo component --version 2>/dev/null | grep -q " $CARGO_COMPONENT_VERSION"; then
    echo "ensure-tools: installing cargo-component $CARGO_COMPONENT_VERSION (about 5 minutes on 2 cores)"
    cargo install --locked cargo-component --version "$CARGO_COMPONENT_VERSION"
fi
