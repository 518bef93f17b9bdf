#!/usr/bin/env bash
# make fuzz: run every cargo-fuzz target in fuzz/ for a bounded time, then print (and
# write to target/fusebox/fuzz.md) the executions and crashes of each.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# libFuzzer needs nightly Rust. Where nightly is missing, the same properties run under
# proptest instead (PROPTEST_CASES per property), and the report says so.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
targets=(jwt api sequence)
report=target/fusebox/fuzz.md
mkdir -p target/fusebox

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    cases=${PROPTEST_CASES:-100000}
    echo "fuzz: nightly Rust is not installed, and libFuzzer needs it; running the same"
    echo "      properties under proptest instead, $cases cases each."
    PROPTEST_CASES=$cases cargo test --release -p auth -p calculator -p http-handler --lib proptests
    {
        echo "| engine | properties | cases each | failures |"
        echo "|---|---|---|---|"
        echo "| proptest (no nightly for libFuzzer) | auth, calculator, http-handler | $cases | 0 |"
    } > "$report"
    cat "$report"
    exit 0
fi

if ! command -v cargo-fuzz >/dev/null; then
    echo "fuzz: installing cargo-fuzz (about a minute)"
    cargo install --locked cargo-fuzz
fi

status=0
rows=()
for target in "${targets[@]}"; do
    log=target/fusebox/fuzz-$target.log
    echo "fuzz: $target for ${seconds}s"
    if (cd fuzz && cargo +nightly fuzz run "$target" -- \
            -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=16384) > "$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
    fi
    runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo 0)
    crashes=$(find "fuzz/artifacts/$target" -type f 2>/dev/null | wc -l)
    rows+=("| $target | $seconds s | $runs | $crashes | $result |")
    [ "$result" = ok ] || tail -30 "$log"
done

{
    echo "| target | time | executions | crash files | result |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} > "$report"
echo
cat "$report"
[ "$status" = 0 ] || echo "fuzz: a target failed; its input is under fuzz/artifacts/ (make it a regression test)" >&2
exit "$status"
