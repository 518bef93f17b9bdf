#!/usr/bin/env bash
# runtimes-doc.sh MATRIX: print docs/platforms.md with the part between its two matrix
# markers replaced by MATRIX (what tests/tests/runtimes.rs wrote), the rest untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
matrix=$1
begin='<!-- matrix: written by `make runtimes`; do not edit by hand -->'
end='<!-- end of matrix -->'
grep -qxF "$begin" docs/platforms.md && grep -qxF "$end" docs/platforms.md || {
    echo "runtimes-doc: docs/platforms.md lacks its matrix markers" >&2
    exit 1
}
awk -v begin="$begin" -v end="$end" -v matrix="$matrix" '
    $0 == begin { print; while ((getline line < matrix) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }
' docs/platforms.md
