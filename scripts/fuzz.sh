#!/usr/bin/env bash
# make fuzz: run the cargo-fuzz targets in fuzz/, coverage-guided with libFuzzer, on the
# stable toolchain; then print (and write to target/fusebox/fuzz.md) each target's
# executions, coverage, time and crashes.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   60 s each by default
#   FUZZ_RUNS=10000000 scripts/fuzz.sh     a number of executions each instead of a time
#   FUZZ_TARGETS="manifest oci" …          some targets only
#   FUZZ_SANITIZER=address …               with AddressSanitizer (see below)
#   FUZZ_REPORT=path …                     the report somewhere else than below
#
# Why stable works: cargo-fuzz instruments with LLVM's SanitizerCoverage passes and links
# libFuzzer, and both are reached through `-C` flags that stable rustc takes. Only
# AddressSanitizer needs `-Zsanitizer`, a nightly flag, so the targets are built with
# `--sanitizer none`: they are safe Rust, and the unsafe code under them (wasmtime,
# wasmparser) is fuzzed with sanitizers upstream. FUZZ_SANITIZER=address turns ASan on
# through RUSTC_BOOTSTRAP=1, which lets stable rustc take nightly flags.
#
# Each target's corpus starts from fuzz/seeds/<target> and the project's own inputs: the
# manifests for `manifest`, every built component for `component`. The `request` target
# serves target/fusebox/service.wasm, which `make compose` builds.
#
# The engine (wasmtime, cranelift) and the P-256 arithmetic are built without coverage
# instrumentation: see fuzz/rustc-uninstrumented.sh. The build goes to target/fuzz.
#
# Where cargo-fuzz cannot be installed, the logic modules' properties run under proptest
# instead (PROPTEST_CASES each), and the report says so. A target that does not build is
# a failure, not a reason to fall back.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
runs=${FUZZ_RUNS:-}
targets=(${FUZZ_TARGETS:-jwt api sequence manifest oci component request})
sanitizer=${FUZZ_SANITIZER:-none}
report=${FUZZ_REPORT:-target/fusebox/fuzz.md}
mkdir -p target/fusebox

proptest_instead() {
    local cases=${PROPTEST_CASES:-100000}
    echo "fuzz: $1; running the logic modules' properties under proptest instead,"
    echo "      $cases cases each. The composer and registry targets have no fallback."
    PROPTEST_CASES=$cases cargo test --release -p auth -p calculator -p http-handler --lib proptests
    {
        echo "| engine | properties | cases each | failures |"
        echo "|---|---|---|---|"
        echo "| proptest ($1) | auth, calculator, http-handler | $cases | 0 |"
    } > "$report"
    cat "$report"
    exit 0
}

if ! command -v cargo-fuzz >/dev/null; then
    echo "fuzz: installing cargo-fuzz 0.13.2 (under a minute)"
    cargo install --locked cargo-fuzz --version 0.13.2 ||
        proptest_instead "cargo-fuzz could not be installed"
fi

bootstrap=()
[ "$sanitizer" = none ] || bootstrap=(env RUSTC_BOOTSTRAP=1)
export RUSTC_WRAPPER=$PWD/fuzz/rustc-uninstrumented.sh
# Cargo does not fingerprint what a wrapper does, so a build made under another version
# of it would be reused as it is: start over when the wrapper changes.
stamp=target/fuzz/wrapper.sha256
if ! sha256sum --status -c "$stamp" 2>/dev/null; then
    [ -d target/fuzz ] && echo "fuzz: $RUSTC_WRAPPER changed; building from scratch"
    rm -rf target/fuzz
    mkdir -p target/fuzz
    sha256sum "$RUSTC_WRAPPER" > "$stamp"
fi
# Run from fuzz/, so relative to it.
build=(--sanitizer "$sanitizer" --target-dir ../target/fuzz)
echo "fuzz: building ${#targets[@]} targets (sanitizer: $sanitizer)"
(cd fuzz && "${bootstrap[@]}" cargo fuzz build "${build[@]}")

if [[ " ${targets[*]} " == *" request "* ]] && [ ! -f target/fusebox/service.wasm ]; then
    make compose
fi

# Seed each corpus from fuzz/seeds and the project's own inputs.
for target in "${targets[@]}"; do
    corpus=fuzz/corpus/$target
    mkdir -p "$corpus"
    [ -d "fuzz/seeds/$target" ] && cp -n fuzz/seeds/"$target"/* "$corpus"/ || true
    case $target in
        manifest)
            cp -n fusebox.toml "$corpus/fusebox.toml" || true
            for m in examples/*/fusebox.toml; do
                cp -n "$m" "$corpus/$(basename "$(dirname "$m")").toml" || true
            done
            ;;
        component)
            # The real components up to 90 KB: larger seeds slow every execution and
            # add no structure the small ones lack.
            for c in target/guests/wasm32-wasip2/component/*.wasm; do
                [ -f "$c" ] && [ "$(stat -c %s "$c")" -le 90000 ] && cp -n "$c" "$corpus/" || true
            done
            ;;
    esac
done

status=0
rows=()
for target in "${targets[@]}"; do
    log=target/fusebox/fuzz-$target.log
    if [ -n "$runs" ]; then budget=(-runs="$runs"); what="$runs runs"; else
        budget=(-max_total_time="$seconds"); what="${seconds}s"; fi
    max_len=1048576
    [ "$target" = component ] && max_len=131072
    echo "fuzz: $target for $what"
    started=$SECONDS
    marker=$(mktemp)
    # -close_fd_mask=3: the request target's host writes an access-log line (stdout) and
    # the guest's log lines (stderr) per request; libFuzzer keeps its own output.
    if (cd fuzz && "${bootstrap[@]}" cargo fuzz run "${build[@]}" "$target" \
            "corpus/$target" -- "${budget[@]}" -rss_limit_mb=4096 -max_len="$max_len" \
            -close_fd_mask=3) > "$log" 2>&1; then
        result=ok
    else
        result=FAILED
    fi
    took=$((SECONDS - started))
    # Crashes of this run only: older ones are under fuzz/artifacts too.
    crashes=$(find "fuzz/artifacts/$target" -type f -newer "$marker" 2>/dev/null | wc -l)
    # A run stopped from outside (Ctrl-C, SIGINT) found nothing: say so, not FAILED.
    if [ "$result" = FAILED ] && [ "$crashes" = 0 ] && grep -q 'run interrupted' "$log"; then
        result=stopped
    fi
    [ "$result" = FAILED ] && status=1
    # The last status line: DONE at the end of a run, or the latest before a crash.
    done_line=$(grep -aE '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)
    executions=$(grep -oE '^#[0-9]+' <<<"$done_line" | tr -d '#' || echo 0)
    edges=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || echo "?")
    features=$(grep -oE 'ft: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || echo "?")
    rows+=("| $target | $executions | $edges | $features | $took s | $crashes | $result |")
    if [ "$result" = FAILED ]; then
        tail -20 "$log"
        # The run closed the target's stderr, and with it the panic message: replay
        # each new crash input once, with stderr, to show it.
        find "fuzz/artifacts/$target" -type f -newer "$marker" 2>/dev/null | while read -r input; do
            echo "fuzz: replaying $input"
            (cd fuzz && cargo fuzz run "${build[@]}" "$target" "${input#fuzz/}") 2>&1 |
                grep -E -A3 'panicked at' | tee -a "$log" || true
        done
    fi
    rm -f "$marker"
done

{
    echo "| target | executions | coverage (edges) | features | time | crash files | result |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "cargo-fuzz $(cargo fuzz --version | awk '{print $2}'), $(rustc --version), sanitizer: $sanitizer"
} > "$report"
echo
cat "$report"
[ "$status" = 0 ] || echo "fuzz: a target failed; its input is under fuzz/artifacts/ (make it a regression test)" >&2
exit "$status"
