#!/usr/bin/env bash
# RUSTC_WRAPPER for `make fuzz`: compiles the WebAssembly engine (wasmtime, cranelift,
# pulley, regalloc2) without libFuzzer's coverage instrumentation, and everything else
# with it.
#
# Why: the `request` target instantiates the fused artifact once per input, and with the
# engine instrumented, over a third of its time went to comparison tracing inside
# wasmtime's instantiation (a profile of the running target: `__sanitizer_cov_trace_*`
# 35 %, instantiation 37 %). The engine is not what fusebox fuzzes: wasmtime is fuzzed
# upstream, with sanitizers, around the clock. What the targets explore is fusebox's
# code and the parsers it feeds (hyper, wasmparser, wit-component, serde, the WASI host
# crates), and those stay instrumented.
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
