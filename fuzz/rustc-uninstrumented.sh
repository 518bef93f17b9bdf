#!/usr/bin/env bash
# RUSTC_WRAPPER for `make fuzz`: compiles the WebAssembly engine (wasmtime, cranelift,
# pulley, regalloc2) and RustCrypto's elliptic-curve arithmetic (p256 and the crates
# under it) without libFuzzer's coverage instrumentation, and everything else with it.
#
# Why the engine: the `request` target instantiates the fused artifact once per input, and with the
# engine instrumented, over a third of its time went to comparison tracing inside
# wasmtime's instantiation (a profile of the running target: `__sanitizer_cov_trace_*`
# 35 %, instantiation 37 %). The engine is not what fusebox fuzzes: wasmtime is fuzzed
# upstream, with sanitizers, around the clock. What the targets explore is fusebox's
# code and the parsers it feeds (hyper, wasmparser, wit-component, serde, the WASI host
# crates), and those stay instrumented.
#
# Why the curve arithmetic: the `oci` target signs and verifies a cosign payload per
# input, and in a profile of it 90 % of the time was P-256 field arithmetic, a third of
# that in `__sanitizer_cov_trace_cmp8`. That code is constant-time by design: it has no
# branch that depends on the data, so its edges tell the fuzzer nothing. The signature
# *parsing* (DER, PEM, base64, the payload's JSON) stays instrumented.
set -euo pipefail
rustc=$1
shift
crate=
prev=
for arg in "$@"; do
    [ "$prev" = --crate-name ] && crate=$arg
    prev=$arg
done
case $crate in
    wasmtime | wasmtime_internal_* | wasmtime_environ | cranelift* | pulley* | regalloc2 | winch*) ;;
    p256 | primeorder | elliptic_curve | crypto_bigint | ff | group | subtle) ;;
    *) exec "$rustc" "$@" ;;
esac
args=()
for arg in "$@"; do
    case $arg in
        -Cpasses=sancov-module | -Cllvm-args=-sanitizer-coverage-*) ;;
        *) args+=("$arg") ;;
    esac
done
exec "$rustc" "${args[@]}"
