# fusebox: the menu. `make` alone lists the targets.
#
# Data flows WIT -> component -> composer -> artifact -> host:
#   wit/<domain>/world.wit --cargo-component--> components/<name>/src/bindings.rs
#   components/<name> --cargo build, wasm32-wasip2--> target/guests/wasm32-wasip2/component/*.wasm
#   fusebox.toml names them --fusebox compose (wac-graph)--> target/fusebox/service.wasm
#   target/fusebox/service.wasm --fusebox serve (wasmtime)--> HTTP

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The guest crates: every directory under components/ with a Cargo.toml (so a scaffolded
# one is included at once, and so are the adapters cli-virt and config-draft, which a
# manifest fuses when it needs them). Test-only guests (tests/components) are linted and
# checked, but only a manifest that names them fuses them. What goes into the artifact is
# the manifest's say.
GUESTS := $(patsubst components/%/Cargo.toml,%,$(wildcard components/*/Cargo.toml))
TEST_GUESTS := $(patsubst tests/components/%/Cargo.toml,%,$(wildcard tests/components/*/Cargo.toml))
GUEST_DIRS := $(addprefix components/,$(GUESTS)) $(addprefix tests/components/,$(TEST_GUESTS)) bench/driver
GUEST_TARGET := target/guests
COMPONENTS := $(GUEST_TARGET)/wasm32-wasip2/component
# The composition manifest, and the artifact its [artifact].out names.
MANIFEST ?= fusebox.toml
ARTIFACT := target/fusebox/service.wasm
GUEST_BUILD := cargo build --profile component --target wasm32-wasip2 --target-dir $(GUEST_TARGET)

# The one command, built once in release and run from target/: every target that needs
# it builds it with exactly this line, so cargo never rebuilds it for another feature set.
FUSEBOX := target/release/fusebox

# wasmtime 48.0.8 with fusebox's patch (patches/wasmtime-48.0.8.patch), which the root
# Cargo.toml's [patch.crates-io] names. cargo cannot read the workspace until the copy
# exists, so make writes it (from the crates.io source, checksum checked) before any
# target runs; when it is already there this takes a few milliseconds.
PATCHED_WASMTIME := target/patched/wasmtime-48.0.8
WASMTIME_CRATE_SHA256 := a2afcadb2e7d0417cb8f3f322c66eff49338b288f22290c0ca0bd3e9570732aa
ifneq ($(shell scripts/patch-crate.sh wasmtime 48.0.8 $(WASMTIME_CRATE_SHA256) patches/wasmtime-48.0.8.patch $(PATCHED_WASMTIME) >&2 && echo ok),ok)
$(error scripts/patch-crate.sh could not write $(PATCHED_WASMTIME): see above)
endif

.PHONY: help
## List the targets.
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$1,t,":"); printf "  make %-22s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

.PHONY: patched
## Write target/patched/wasmtime-48.0.8, which a plain `cargo build` needs (every make target writes it first).
patched:
	@echo "$(PATCHED_WASMTIME): up to date"

.PHONY: tools
## Install the wasm32-wasip2 target (and OpenSSL headers) if missing; cargo-component comes when bindings need it.
tools:
	@scripts/ensure-tools.sh

.PHONY: fusebox
## Build the fusebox command (release) into target/release/fusebox.
fusebox:
	cargo build --quiet --release -p fusebox

.PHONY: bindings
## Regenerate the checked-in src/bindings.rs of each guest whose WIT or Cargo.toml changed.
bindings:
	scripts/bindings.sh $(GUEST_DIRS)

.PHONY: components
## Build every component for wasm32-wasip2 into target/guests/wasm32-wasip2/component/.
components: tools bindings
	$(GUEST_BUILD) $(addprefix -p ,$(GUESTS))

.PHONY: compose
## Build what fusebox.toml names and fuse it into target/fusebox/service.wasm (MANIFEST=… for another).
compose: tools bindings fusebox
	$(FUSEBOX) compose --manifest $(MANIFEST)

# The polyglot composition: examples/polyglot/fusebox.toml differs from fusebox.toml
# only in the calculator's source line, which names the Python calculator.
PY_CALCULATOR := target/guests/python/calculator_py.wasm
POLYGLOT := target/fusebox/service-polyglot.wasm

$(PY_CALCULATOR): $(wildcard components/calculator-py/*.py) components/calculator-py/build.sh scripts/component-python.sh $(shell find wit -name '*.wit')
	scripts/ensure-python.sh >/dev/null
	components/calculator-py/build.sh $@

.PHONY: compose-polyglot
## The same artifact with the calculator in Python (componentize-py): target/fusebox/service-polyglot.wasm.
compose-polyglot: tools bindings fusebox $(PY_CALCULATOR)
	$(FUSEBOX) compose --manifest examples/polyglot/fusebox.toml --out $(POLYGLOT)

# The C composition: examples/c/fusebox.toml differs from fusebox.toml only in the
# calculator's source line, which names the calculator in C.
C_CALCULATOR := target/guests/c/calculator_c.wasm

$(C_CALCULATOR): $(wildcard components/calculator-c/*.[ch] components/calculator-c/*/*.[ch] components/c-runtime/*.c components/c-runtime/*/*.h components/c-runtime/component.sh) components/calculator-c/build.sh $(shell find wit -name '*.wit')
	scripts/ensure-c.sh
	components/calculator-c/build.sh $@

.PHONY: compose-c
## The same artifact with the calculator in C (clang, freestanding): target/fusebox/service-c.wasm.
compose-c: tools bindings fusebox $(C_CALCULATOR)
	$(FUSEBOX) compose --manifest examples/c/fusebox.toml --out target/fusebox/service-c.wasm

# The C logger, on the same freestanding runtime as the C calculator (components/c-runtime).
C_LOGGER := target/guests/c/logger_c.wasm

$(C_LOGGER): $(wildcard components/logger-c/*.[ch] components/logger-c/*/*.[ch] components/c-runtime/*.c components/c-runtime/*/*.h components/c-runtime/component.sh) components/logger-c/build.sh $(shell find wit -name '*.wit')
	scripts/ensure-c.sh
	components/logger-c/build.sh $@

# The Zig composition: examples/zig/fusebox.toml differs from fusebox.toml only in the
# calculator's source line, which names the calculator in Zig (on the C bindings).
ZIG_CALCULATOR := target/guests/zig/calculator_zig.wasm

$(ZIG_CALCULATOR): $(wildcard components/calculator-zig/*.zig components/calculator-c/bindings/* components/c-runtime/*/*.h) components/c-runtime/runtime.c components/calculator-zig/build.sh scripts/component-zig.sh $(shell find wit -name '*.wit')
	scripts/ensure-zig.sh
	scripts/ensure-c.sh
	components/calculator-zig/build.sh $@

.PHONY: compose-zig
## The same artifact with the calculator in Zig (freestanding, on the C bindings): target/fusebox/service-zig.wasm.
compose-zig: tools bindings fusebox $(ZIG_CALCULATOR)
	$(FUSEBOX) compose --manifest examples/zig/fusebox.toml --out target/fusebox/service-zig.wasm

.PHONY: compose-mixed
## One artifact in three languages: the logger in C, the calculator in Python, the rest in Rust: target/fusebox/service-mixed.wasm.
compose-mixed: tools bindings fusebox $(C_LOGGER) $(PY_CALCULATOR)
	$(FUSEBOX) compose --manifest examples/mixed/fusebox.toml --out target/fusebox/service-mixed.wasm

# The JavaScript composition: examples/js/fusebox.toml differs from fusebox.toml in the
# calculator's source line, and one `deny` line for the imports componentize-js adds.
JS_CALCULATOR := target/guests/js/calculator_js.wasm

$(JS_CALCULATOR): $(wildcard components/calculator-js/*.js components/calculator-js/*.mjs) scripts/component-js.mjs $(shell find wit -name '*.wit')
	scripts/ensure-node.sh >/dev/null
	target/npm/node_modules/.bin/node components/calculator-js/build.mjs $@

.PHONY: compose-js
## The same artifact with the calculator in JavaScript (componentize-js): target/fusebox/service-js.wasm.
compose-js: tools bindings fusebox $(JS_CALCULATOR)
	$(FUSEBOX) compose --manifest examples/js/fusebox.toml --out target/fusebox/service-js.wasm

# The wasmCloud composition: examples/wasmcloud/fusebox.toml is fusebox.toml plus the
# config-draft adapter (components/config-draft), so the artifact imports wasi:config at the
# 0.2.0-draft that wasmCloud 1.x hosts provide. It writes to a directory of its own.
.PHONY: compose-wasmcloud
## The artifact for wasmCloud 1.x (wasi:config at 0.2.0-draft): target/fusebox/wasmcloud/service.wasm.
compose-wasmcloud: tools bindings fusebox
	$(FUSEBOX) compose --manifest examples/wasmcloud/fusebox.toml

# The Spin composition: examples/spin/fusebox.toml is fusebox.toml plus the spin-variables
# adapter (components/spin-variables), held to Spin 3's own world,
# fermyon:spin/http-trigger@3.0.0, vendored from spin-sdk under wit/platforms/.
.PHONY: compose-spin
## The artifact for Spin 3 (config from Spin's variables, checked against Spin's world): target/fusebox/spin/service.wasm.
compose-spin: tools bindings fusebox
	$(FUSEBOX) compose --manifest examples/spin/fusebox.toml

# The same for Spin 4.1 on WASI 0.3: examples/spin-p3/fusebox.toml is examples/p3/fusebox.toml
# plus the spin-variables adapter, held to Spin 4.1's HTTP trigger world, rebuilt under
# wit/platforms/spin@4.1.0 from spin-sdk 7.0.0 and Spin 3's platform.
.PHONY: compose-spin-p3
## The WASI 0.3 artifact for Spin 4.1, checked against its world: target/fusebox/spin-p3/service.wasm.
compose-spin-p3: tools bindings fusebox
	$(FUSEBOX) compose --manifest examples/spin-p3/fusebox.toml

# The WASI 0.3 composition: the API on wasi:http/handler@0.3.0 behind the auth
# middleware, with the same logger, calculator and auth components (docs/wasi-0.3.md).
P3 := target/fusebox/service-p3.wasm

.PHONY: compose-p3
## Fuse examples/p3/fusebox.toml (WASI 0.3, auth as middleware) into target/fusebox/service-p3.wasm.
compose-p3: tools bindings fusebox
	$(FUSEBOX) compose --manifest examples/p3/fusebox.toml

.PHONY: lattice
## Opt-in: the wasmCloud artifact on two wasmCloud hosts over NATS, by digest, through a host's loss (a 12-14 min build, once).
lattice: tools bindings
	@mkdir -p target/lattice
	lattice/run.sh 2>&1 | tee target/lattice/transcript.txt

DEV_KEY := target/fusebox/dev.key

# A random development key for the example auth component, made once: `make serve` gives
# it to the artifact as the config value auth.hs256-key, and `auth-token` signs with it.
$(DEV_KEY):
	@mkdir -p $(dir $@)
	head -c 32 /dev/urandom | base64 > $@

ADDR ?= 127.0.0.1:8080

.PHONY: serve
## Compose if needed, then serve the artifact on 127.0.0.1:8080 (ADDR=…) with a development key.
serve: compose $(DEV_KEY)
	$(FUSEBOX) serve $(ARTIFACT) --config auth.hs256-key=@$(DEV_KEY) --addr $(ADDR)

.PHONY: workerd
## Compose if needed, then serve the artifact on Cloudflare's workerd on 127.0.0.1:8080 (ADDR=…) with a development key.
workerd: compose node $(DEV_KEY)
	target/npm/node_modules/.bin/node runtimes/workerd/build.mjs $(ARTIFACT) target/npm/workerd/serve
	cd target/npm/workerd/serve && \
		FUSEBOX_CONFIG="$$(../../node_modules/.bin/node -e 'const fs = require("fs"); process.stdout.write(JSON.stringify({"auth.hs256-key": fs.readFileSync(process.argv[1], "utf8").trim(), "auth.routes": fs.readFileSync(process.argv[2], "utf8")}))' $(CURDIR)/$(DEV_KEY) $(CURDIR)/examples/p3/auth-routes)" \
		exec ../../node_modules/.bin/workerd serve config.capnp --socket-addr http=$(ADDR)

REGISTRY_ADDR ?= 127.0.0.1:5000

.PHONY: registry
## Run a local OCI registry (CNCF distribution) on 127.0.0.1:5000 (REGISTRY_ADDR=…) to push to.
registry:
	@scripts/ensure-registry.sh
	scripts/registry.sh $(REGISTRY_ADDR)

LOAD_SECONDS ?= 30
LOAD_PROFILE ?= release
LOAD_ARGS ?=
LOAD_BIN := target/$(if $(filter dev,$(LOAD_PROFILE)),debug,$(LOAD_PROFILE))

.PHONY: load
## A bounded load run (30 s, loopback) against a fresh `fusebox serve`: answers, latency, RSS.
load: compose $(DEV_KEY)
	cargo build --quiet --profile $(LOAD_PROFILE) -p fusebox
	cargo build --quiet --profile $(LOAD_PROFILE) -p fusebox-tests --example load
	$(LOAD_BIN)/fusebox serve $(ARTIFACT) --config auth.hs256-key=@$(DEV_KEY) --addr 127.0.0.1:18080 >/dev/null 2>&1 & \
	server=$$!; trap 'kill $$server 2>/dev/null' EXIT; \
	FUSEBOX_HS256_KEY=$$(cat $(DEV_KEY)) $(LOAD_BIN)/examples/load \
		--addr 127.0.0.1:18080 --pid $$server --seconds $(LOAD_SECONDS) $(LOAD_ARGS)

SOAK_REQUESTS ?= 100000

.PHONY: soak
## 100,000 requests, a fifth of them from the hostile corpus, against `fusebox serve`.
soak:
	$(MAKE) --no-print-directory load LOAD_SECONDS=300 \
		LOAD_ARGS="--requests $(SOAK_REQUESTS) --mix hostile"

.PHONY: python
## Install componentize-py 0.25.1 into target/py if missing (the Python calculator's toolchain).
python:
	@scripts/ensure-python.sh >/dev/null

.PHONY: c
## Install clang-19, lld-19 and wasm-tools if missing (the C calculator's toolchain).
c:
	@scripts/ensure-c.sh

.PHONY: zig
## Install Zig (PyPI's ziglang) into target/zig if missing (the Zig calculator's toolchain).
zig:
	@scripts/ensure-zig.sh

.PHONY: node
## Install the pinned Node 26, jco 1.35 and workerd into target/npm if missing (the runtime matrix's).
node:
	@scripts/ensure-node.sh >/dev/null

.PHONY: test
## Run everything that proves fusebox works: lint, drift checks, all tests, a short soak.
test: tools python node c zig lint check
	scripts/ensure-registry.sh
	python3 -m unittest discover --start-directory components/calculator-py
	components/calculator-c/build.sh --test
	components/logger-c/build.sh --test
	components/calculator-zig/build.sh --test
	target/npm/node_modules/.bin/node --test components/calculator-js/test_arithmetic.js
	scripts/check-deploy.sh
	cargo test --workspace
	$(MAKE) --no-print-directory soak SOAK_REQUESTS=5000 LOAD_PROFILE=dev

WASMTIME_CLI := 48.0.8

.PHONY: runtimes
## Every artifact on every runtime installed here (fusebox serve, jco on Node, workerd, stock wasmtime serve): writes docs/platforms.md.
runtimes: node
	cargo test -p fusebox-tests --test runtimes
	scripts/runtimes-doc.sh target/fusebox/runtimes.md > docs/platforms.md.partial
	mv docs/platforms.md.partial docs/platforms.md

.PHONY: stock-wasmtime
## Install wasmtime-cli (8 to 14 minutes, once), then run the runtime matrix with its cells.
stock-wasmtime:
	@command -v wasmtime >/dev/null || { \
		echo "stock-wasmtime: installing wasmtime-cli $(WASMTIME_CLI) (several minutes)"; \
		cargo install --locked wasmtime-cli@$(WASMTIME_CLI); }
	$(MAKE) --no-print-directory runtimes

.PHONY: bench
## Every benchmark beside its baseline; writes docs/benchmarks.md and plots (~4 min once built).
bench: compose compose-polyglot compose-p3 compose-c compose-zig compose-js compose-mixed
	@command -v wasmtime >/dev/null || { \
		echo "bench: installing wasmtime-cli $(WASMTIME_CLI) for the wasmtime serve baseline (several minutes)"; \
		time cargo install --locked wasmtime-cli@$(WASMTIME_CLI); }
	$(MAKE) --no-print-directory bench-run BENCH_QUICK=

.PHONY: bench-quick
## The same benchmarks, shorter (under 2 min once built); report in target/fusebox/bench-quick/.
bench-quick: compose compose-polyglot compose-p3 compose-c compose-zig compose-js compose-mixed
	$(MAKE) --no-print-directory bench-run BENCH_QUICK=1

.PHONY: bench-run
bench-run:
	@command -v wrk >/dev/null || scripts/apt-install.sh bench wrk || \
		echo "bench: wrk is not installed; its rows are left out"
	$(GUEST_BUILD) --quiet -p bench-driver
	cargo build --quiet --release -p fusebox
	cargo build --quiet --release -p fusebox-bench --bins
	cargo build --quiet --release -p fusebox-tests --example load
	rm -f target/fusebox/bench/*.json
	FUSEBOX_BENCH_QUICK=$(BENCH_QUICK) cargo bench --quiet -p fusebox-bench --bench micro
	FUSEBOX_BENCH_QUICK=$(BENCH_QUICK) target/release/fusebox-bench

FUZZ_SECONDS ?= 60

.PHONY: fuzz
## Fuzz the logic modules, the composer's and registry's inputs and the host, on stable (60 s each).
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

.PHONY: check-deploy
## Check deploy/'s SpinKube and runwasi manifests against Kubernetes' and the SpinApp CRD's schemas.
check-deploy:
	scripts/check-deploy.sh

.PHONY: lint
## cargo fmt --check, then clippy -D warnings natively and on the wasm32 glue.
lint: tools
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --profile component --target wasm32-wasip2 --target-dir $(GUEST_TARGET) \
		$(addprefix -p ,$(GUESTS) $(TEST_GUESTS)) -p bench-driver -- -D warnings

.PHONY: check
## Fail if wit/deps, wit/platforms or any checked-in bindings differ from what the tools generate.
check: tools
	scripts/vendor-wit.sh --check
	scripts/bindings.sh --check $(GUEST_DIRS)

.PHONY: fmt
## Format all Rust code.
fmt:
	cargo fmt --all

.PHONY: new
## Scaffold a component and its fusebox.toml section: make new NAME=rate-limiter [USES=other | IN=python|js|c|zig]
new: tools fusebox
	@test -n "$(NAME)" || { echo "usage: make new NAME=kebab-case-name [USES=component | IN=python|js|c|zig]" >&2; exit 1; }
	@$(if $(IN),true,scripts/ensure-tools.sh --cargo-component)
	$(FUSEBOX) new $(NAME) $(if $(USES),--uses $(USES)) $(if $(IN),--lang $(IN))

.PHONY: vendor-wit
## Re-vendor the wasi:* WIT into wit/deps, and the platforms' into wit/platforms, at the versions pinned in scripts/vendor-wit.sh.
vendor-wit:
	scripts/vendor-wit.sh

.PHONY: docs
## Render docs/composition.svg from docs/composition.dot (needs Graphviz).
docs:
	dot -Tsvg docs/composition.dot -o docs/composition.svg

.PHONY: clean
## Remove build outputs.
clean:
	cargo clean
