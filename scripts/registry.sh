#!/usr/bin/env bash
# registry.sh [ADDR]: run CNCF distribution (Debian's docker-registry) in the foreground on
# ADDR (default 127.0.0.1:5000), keeping its storage in target/registry/. Run as root, it
# drops to `nobody`. Ctrl-C stops it; the stored components stay for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

addr=${1:-127.0.0.1:5000}
dir=$PWD/target/registry
mkdir -p "$dir/storage"
cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $addr
YAML
echo "registry: serving on http://$addr (storage in target/registry/storage)" >&2
if [[ $(id -u) -eq 0 ]]; then
    chmod -R a+rwX "$dir"
    chmod a+x "$PWD/target" "$PWD"
    exec setpriv --reuid=nobody --regid=nogroup --clear-groups docker-registry serve "$dir/config.yml"
fi
exec docker-registry serve "$dir/config.yml"
