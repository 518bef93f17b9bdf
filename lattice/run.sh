#!/usr/bin/env bash
# lattice/run.sh (`make lattice`): the fused artifact on a two-host wasmCloud lattice, on
# loopback, pulled by digest and verified. Every step says what it did; everything it
# starts is stopped when it ends, however it ends. docs/distributed.md has a transcript.
#
#  1. Build what it needs: the wasmCloud artifact (examples/wasmcloud/fusebox.toml), the
#     `fusebox` CLI and load client, and the wasmCloud launcher (lattice/, about
#     12 to 14 minutes on two cores the first time, then reused).
#  2. Start a registry (CNCF distribution), NATS with JetStream, and two wasmCloud hosts.
#  3. Push the artifact, sign it, and verify the signature against the publisher's key.
#  4. Scale it by digest onto both hosts, each serving HTTP at its own address.
#  5. The README's API session against each host, then the runtime matrix's checks against
#     host `a`, recorded in docs/runtimes/wasmcloud.json (tests/tests/runtimes.rs puts
#     that cell in the matrix), then a bounded load against both, with host `a` killed
#     halfway: host `b` keeps answering.
#
# Ports (all on 127.0.0.1) can be moved with LATTICE_NATS_PORT, LATTICE_REGISTRY_PORT and
# LATTICE_HTTP_PORTS ("A B"); LATTICE_LOAD_SECONDS sets the load's length.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

nats_port=${LATTICE_NATS_PORT:-14222}
registry_port=${LATTICE_REGISTRY_PORT:-15000}
read -r port_a port_b <<<"${LATTICE_HTTP_PORTS:-18201 18202}"
load_seconds=${LATTICE_LOAD_SECONDS:-12}
nats=nats://127.0.0.1:$nats_port
registry=127.0.0.1:$registry_port
run=$root/target/lattice/run
launcher=$root/target/lattice/release/fusebox-lattice
fusebox=$root/target/release/fusebox
load=$root/target/release/examples/load
cell=$root/target/release/examples/cell
artifact=$root/target/fusebox/wasmcloud/service.wasm

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }

# --- Everything started is tracked by PID and stopped on the way out. -----------------
# Stopped in the reverse of the order they started: the hosts while NATS is still there
# to say goodbye to, then NATS, then the registry.
declare -A pids=()
order=()
stop_all() {
    local i name pid deadline
    ((${#pids[@]})) || return 0
    step "teardown"
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do
        name=${order[i]}
        pid=${pids[$name]:-}
        [[ -n "$pid" ]] || continue
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 15))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            say "$name (pid $pid) did not stop within 15 s of SIGTERM: killed"
        else
            say "$name (pid $pid) stopped"
        fi
        wait "$pid" 2>/dev/null || true
        unset "pids[$name]"
    done
    local left
    left=$(pgrep -f "$launcher|$run/|$root/target/registry/config.yml" || true)
    if [[ -n "$left" ]]; then
        say "still running, killed: $left"
        kill -KILL $left 2>/dev/null || true
    else
        say "nothing left running"
    fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# start NAME COMMAND...: run COMMAND in the background, its output in $run/NAME.log.
start() {
    local name=$1
    shift
    "$@" >"$run/$name.log" 2>&1 &
    pids[$name]=$!
    order+=("$name")
    say "$name: pid $! (log: ${run#"$root"/}/$name.log)"
}

# wait_for WHAT SECONDS COMMAND...: retry COMMAND until it succeeds, or fail naming WHAT.
wait_for() {
    local what=$1 seconds=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            echo "lattice: $what did not happen within ${seconds}s" >&2
            return 1
        fi
        sleep 0.25
    done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_free() { ! port_open "$1"; }

# --- 1. Build ---------------------------------------------------------------------------
step "build"
for port in "$nats_port" "$registry_port" "$port_a" "$port_b"; do
    if ! port_free "$port"; then
        echo "lattice: 127.0.0.1:$port is taken; move it (see the top of lattice/run.sh)" >&2
        exit 1
    fi
done
# Debian installs nats-server into /usr/sbin, which a user's PATH may not have.
nats_server=$(PATH=$PATH:/usr/sbin command -v nats-server) || {
    scripts/apt-install.sh lattice nats-server
    nats_server=$(PATH=$PATH:/usr/sbin command -v nats-server)
}
scripts/ensure-registry.sh
make --no-print-directory patched >/dev/null # the patched wasmtime the workspace builds with
mkdir -p target/lattice
cargo build --quiet --release -p fusebox
cargo build --quiet --release -p auth-token
cargo build --quiet --release -p fusebox-tests --example load --example cell
say "fusebox CLI, auth-token, load client and matrix cell: target/release/"
"$fusebox" compose --manifest examples/wasmcloud/fusebox.toml \
    >target/lattice/compose.log
say "artifact: ${artifact#"$root"/} ($(stat -c %s "$artifact") bytes; wiring in target/fusebox/wasmcloud/capabilities.md)"
scripts/patch-crate.sh wasmcloud-host 0.27.1 \
    6edaf1f51d0b9ec8b799a6d64fce474eb6cf299be3e1ca2e296dfc3c385b8a36 \
    patches/wasmcloud-host-0.27.1.patch target/lattice/wasmcloud-host-0.27.1
if [[ ! -x "$launcher" ]] || [[ -n "$(find lattice/src lattice/Cargo.toml lattice/Cargo.lock patches/wasmcloud-host-0.27.1.patch -newer "$launcher" 2>/dev/null)" ]]; then
    say "building the wasmCloud launcher (wasmcloud-host 0.27.1): 12 to 14 minutes on two cores, once"
    CARGO_TARGET_DIR=$root/target/lattice cargo build --release --locked --manifest-path lattice/Cargo.toml
fi
say "launcher: ${launcher#"$root"/}"

rm -rf "$run"
mkdir -p "$run"

# --- 2. Registry, NATS, two hosts -------------------------------------------------------
step "start a registry, NATS and two wasmCloud hosts"
start registry scripts/registry.sh "$registry"
wait_for "the registry on $registry" 30 curl -sf "http://$registry/v2/"
start nats "$nats_server" -a 127.0.0.1 -p "$nats_port" -js -sd "$run/jetstream"
wait_for "NATS on 127.0.0.1:$nats_port" 30 port_open "$nats_port"
for name in a b; do
    start "host-$name" "$launcher" --nats "$nats" host --name "$name" --insecure-registry "$registry"
done
for name in a b; do
    wait_for "host $name joining the lattice" 60 grep -q "^host $name " "$run/host-$name.log"
    say "$(grep "^host $name " "$run/host-$name.log")"
done

# --- 3. Publish: push, sign, verify ------------------------------------------------------
step "push the artifact, sign it, verify the signature"
"$fusebox" keygen "$run/publisher" 2>&1 | sed 's/^/    /'
pinned=$("$fusebox" push "$artifact" "$registry/fusebox/service:wasmcloud" 2> >(sed 's/^/    /' >&2))
say "pinned: $pinned"
"$fusebox" sign "$pinned" --key "$run/publisher.key" 2>&1 | sed 's/^/    /'
"$fusebox" verify "$pinned" --key "$run/publisher.pub" 2>&1 | sed 's/^/    /'

# --- 4. Deploy by digest onto both hosts ------------------------------------------------
step "scale the component by digest onto both hosts"
head -c 32 /dev/urandom | base64 >"$run/hs256.key"
key=$(cat "$run/hs256.key")
"$launcher" --nats "$nats" deploy --image "$pinned" \
    --on "a=127.0.0.1:$port_a" --on "b=127.0.0.1:$port_b" \
    --config "auth.hs256-key=$key" | sed 's/^/    /'
for port in "$port_a" "$port_b"; do
    wait_for "HTTP on 127.0.0.1:$port" 60 curl -sf --max-time 2 "http://127.0.0.1:$port/healthz"
done
"$launcher" --nats "$nats" hosts | sed 's/^/    /'

# --- 5. The API session on each host, then load through a host's loss -------------------
token=$(target/release/auth-token --key-file "$run/hs256.key" --sub alice --scope calc --ttl 1h)
for name in a b; do
    port=$port_a
    [[ $name == b ]] && port=$port_b
    step "the README's API session against host $name (127.0.0.1:$port)"
    # Print each command as the README writes it ($TOKEN for the token), then its answer.
    session() {
        local arg shown=()
        for arg in "$@"; do
            arg=${arg//$token/\$TOKEN}
            if [[ $arg == *'$TOKEN'* ]]; then
                arg="\"$arg\""
            elif [[ $arg == *[\ \{\"]* ]]; then
                arg="'$arg'"
            fi
            shown+=("$arg")
        done
        printf '    $ curl -s %s\n' "${shown[*]}"
        printf '    %s\n' "$(curl -s --max-time 5 "$@")"
    }
    session "localhost:$port/healthz"
    session "localhost:$port/v1/add" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d '{"a":40,"b":2}'
    session "localhost:$port/v1/whoami" -H "authorization: Bearer $token"
    session "localhost:$port/v1/divide" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d '{"a":1,"b":0}'
    session "localhost:$port/v1/multiply" -H 'content-type: application/json' -d '{"a":6,"b":7}'
    answer=$(curl -s --max-time 5 "localhost:$port/v1/add" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d '{"a":40,"b":2}')
    if [[ $answer != '{"result":42}' ]]; then
        echo "lattice: host $name answered /v1/add with $answer" >&2
        exit 1
    fi
done

step "the runtime matrix's checks against host a: the README's API examples and the hostile corpus"
wasmcloud_host=$(grep -A1 '^name = "wasmcloud-host"$' lattice/Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
"$cell" --addr "127.0.0.1:$port_a" --runtime wasmCloud --version "wasmcloud-host $wasmcloud_host" \
    --key-file "$run/hs256.key" --out docs/runtimes/wasmcloud.json \
    --recorded "recorded by \`make lattice\` on $(date -u +%Y-%m-%d), not run by \`make test\` (its launcher takes 12 to 14 minutes to build): fusebox.toml's service built for wasmCloud (examples/wasmcloud, plus the config-draft adapter), pulled by digest onto a host of a two-host lattice" \
    | sed 's/^/    /'

kill_at=$((load_seconds / 2))
step "load: ${load_seconds}s against both hosts at once; host a is killed (SIGKILL) after ${kill_at}s"
for name in a b; do
    port=$port_a
    [[ $name == b ]] && port=$port_b
    FUSEBOX_HS256_KEY=$key "$load" --addr "127.0.0.1:$port" --seconds "$load_seconds" \
        --connections 8 --timeline >"$run/load-$name.txt" 2>"$run/load-$name.err" &
    pids[load-$name]=$!
    order+=("load-$name")
done
sleep "$kill_at"
kill -KILL "${pids[host-a]}"
wait "${pids[host-a]}" 2>/dev/null || true
unset 'pids[host-a]'
say "host a killed at ${kill_at}s"
status=0
for name in a b; do
    wait "${pids[load-$name]}" && result=passed || result="failed (exit $?)"
    unset "pids[load-$name]"
    if [[ $name == a ]]; then
        say "load against host a: $result (expected: its transport errors start when it is killed)"
    else
        say "load against host b: $result"
    fi
    sed 's/^/    /' "$run/load-$name.txt"
    if [[ $name == b && $result != passed ]]; then
        sed 's/^/    /' "$run/load-$name.err" | head -n 12
        status=1
    fi
done
step "after the loss"
"$launcher" --nats "$nats" hosts | sed 's/^/    /'
for port in "$port_a" "$port_b"; do
    answer=$(curl -s --max-time 2 "localhost:$port/healthz") || answer="no answer (curl exit $?)"
    say "curl localhost:$port/healthz: $answer"
done
if ((status)); then
    echo "lattice: host b did not keep answering through host a's loss" >&2
    exit 1
fi
step "done: $pinned served by two wasmCloud hosts; host b answered every request through host a's loss"
