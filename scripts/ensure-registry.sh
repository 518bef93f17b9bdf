#!/usr/bin/env bash
# Install what the registry tests and `make registry` need, only if it is missing:
#   - docker-registry: CNCF distribution 2.8, the OCI registry the tests start on loopback;
#   - skopeo: a second OCI client, to show fusebox's artifacts are standard;
#   - openssl: a second ECDSA implementation, to check fusebox's signatures.
# When all are present this takes a fraction of a second.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v openssl >/dev/null || missing+=(openssl)
command -v setpriv >/dev/null || missing+=(util-linux)
if ((${#missing[@]})); then
    scripts/apt-install.sh ensure-registry "${missing[@]}"
fi
