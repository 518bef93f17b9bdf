//! What one bench run measured, as typed data: [`Results`] is written to `results.json`
//! beside the report, and the report is rendered from it alone.
//!
//! Units are in the field names (`_ns`, `_ms`, `_s`, `_kib`, `_bytes`, `rps`). A field
//! that a run may leave out is an `Option`, and its doc says when it is `None`.

use fusebox_bench::record::Latencies;
use serde::{Deserialize, Serialize};

/// Everything one run of `fusebox-bench` measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// When the run started, RFC 3339 in UTC.
    pub date: String,
    /// True for `make bench-quick`: the same code paths, shorter runs, fewer variants.
    pub quick: bool,
    /// The machine the run measured on.
    pub machine: Machine,
    /// Section 1: a fresh fused instance against process spawns.
    pub cold_start: ColdStart,
    /// Section 2: calls across the fused boundary, natively, and over loopback HTTP.
    pub cross_call: CrossCall,
    /// Section 3: the same artifact and logic served three ways, under load.
    pub throughput: Throughput,
    /// Section 4: component and artifact sizes by build profile.
    pub size: Size,
    /// Section 5: live instances held at once, and the server's memory.
    pub density: Density,
    /// Section 6: how long the developer waits.
    pub tooling: Tooling,
    /// Section 7: the artifact with the calculator in Python, beside the all-Rust one.
    pub polyglot: Polyglot,
    /// The WASI 0.3 artifact (`examples/p3/fusebox.toml`), measured as the two polyglot
    /// artifacts are, right after them. Absent from runs before it was measured.
    #[serde(default)]
    pub wasi_0_3: Option<PolyglotRun>,
    /// Section 8: where one request's time goes, phase by phase.
    pub breakdown: Breakdown,
}

/// The machine, as the run found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// The CPU's model name from `/proc/cpuinfo`; `None` when it could not be read.
    pub cpu: Option<String>,
    /// The cores this process may use.
    pub cores: usize,
    /// Total memory from `/proc/meminfo`; `None` when it could not be read.
    pub memory_kib: Option<u64>,
    /// `uname -r`; `None` when it could not be run.
    pub kernel: Option<String>,
    /// `rustc --version`; `None` when it could not be run.
    pub rustc: Option<String>,
    /// The wasmtime crate `fusebox serve` is built on.
    pub wasmtime_crate: String,
    /// `wasmtime --version`; `None` when wasmtime-cli is not installed.
    pub wasmtime_cli: Option<String>,
}

/// Cold start: criterion's figures for a `GET /healthz` from a fresh start-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColdStart {
    /// A fresh instance of the fused artifact, through `fusebox serve`'s runtime.
    pub fused: Latencies,
    /// A fork/exec of a native binary with the same handler logic.
    pub process_spawn: Latencies,
    /// That binary in fresh Linux namespaces (`unshare`); `None` when this machine
    /// refused to create user namespaces.
    pub unshare: Option<Latencies>,
}

/// Cross-component calls: criterion's figures, per operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossCall {
    /// `math.add`, per call.
    pub add: Call,
    /// `process-sequence` on 1,000 values, per call.
    pub sequence: Call,
}

/// One operation three ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// Across the fused boundary, inside one instance.
    pub fused: Latencies,
    /// The same Rust function, called natively.
    pub native: Latencies,
    /// A keep-alive loopback HTTP call to a native service doing the same.
    pub loopback_http: Latencies,
}

/// Throughput and latency under load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// How long each load run lasted, in seconds.
    pub seconds: u64,
    /// The load client's mix (health, add, sequence, a 422 and a 401) against each server.
    pub load: Servers<Load>,
    /// wrk's authenticated `POST /v1/add` against each server; `None` when wrk is not
    /// installed. Its rounds together, when it ran in rounds.
    pub wrk: Option<Servers<Wrk>>,
    /// wrk's rounds: in each, every server loaded for a few seconds, one after the other
    /// in an order that turns round by round, so that a slow moment of the machine falls
    /// on all of them. Empty when wrk is not installed, and in runs before the rounds.
    #[serde(default)]
    pub wrk_rounds: Vec<Servers<Wrk>>,
    /// How long each wrk run of a round lasted, in seconds; 0 in runs before the rounds.
    #[serde(default)]
    pub wrk_round_seconds: u64,
}

/// One figure per server, each serving the same artifact or logic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Servers<T> {
    /// `fusebox serve`.
    pub fusebox: T,
    /// Stock `wasmtime serve`; `None` when wasmtime-cli is not installed.
    pub wasmtime: Option<T>,
    /// The native hyper server with the components' logic compiled in.
    pub native: T,
}

impl<T> Servers<T> {
    /// One figure of each server's.
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> Servers<U> {
        Servers {
            fusebox: f(&self.fusebox),
            wasmtime: self.wasmtime.as_ref().map(&f),
            native: f(&self.native),
        }
    }

    /// The label of each server, with its figure, in the report's order.
    pub fn labelled(&self) -> Vec<(&'static str, &T)> {
        let mut rows = vec![(Server::Fusebox.label(), &self.fusebox)];
        rows.extend(
            self.wasmtime
                .as_ref()
                .map(|w| (Server::Wasmtime.label(), w)),
        );
        rows.push((Server::Native.label(), &self.native));
        rows
    }
}

/// The servers the throughput section compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// `fusebox serve`.
    Fusebox,
    /// Stock `wasmtime serve`.
    Wasmtime,
    /// The native hyper server.
    Native,
}

impl Server {
    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Server::Fusebox => "fusebox serve",
            Server::Wasmtime => "stock wasmtime serve",
            Server::Native => "native hyper server",
        }
    }
}

/// A load client run's figures, as it prints them with `--json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Load {
    /// Requests answered.
    pub requests: u64,
    /// Requests per second.
    pub rps: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
    /// Answers that were not the expected ones.
    pub wrong: u64,
    /// Requests that failed at the connection.
    pub errors: u64,
}

impl Load {
    /// Several rounds' loads as one: the requests, wrong answers and errors added up,
    /// req/s their mean, and p50 and p99 the median of the rounds'.
    pub fn together<'a>(rounds: impl IntoIterator<Item = &'a Load>) -> Load {
        let rounds: Vec<&Load> = rounds.into_iter().collect();
        let median = |of: fn(&Load) -> f64| median(rounds.iter().map(|r| of(r)));
        Load {
            requests: rounds.iter().map(|l| l.requests).sum(),
            rps: rounds.iter().map(|l| l.rps).sum::<f64>() / rounds.len() as f64,
            p50_ms: median(|l| l.p50_ms),
            p99_ms: median(|l| l.p99_ms),
            wrong: rounds.iter().map(|l| l.wrong).sum(),
            errors: rounds.iter().map(|l| l.errors).sum(),
        }
    }
}

/// The median of `values` (of the two middle ones, for an even count), or NaN if there
/// are none.
fn median(values: impl Iterator<Item = f64>) -> f64 {
    Spread::of(values.collect()).map_or(f64::NAN, |s| s.median)
}

/// A wrk run's figures, read from its report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Wrk {
    /// Requests answered.
    pub requests: u64,
    /// Requests per second.
    pub rps: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
    /// Answers with a status outside 2xx and 3xx.
    pub non_2xx: u64,
}

impl Wrk {
    /// Several rounds' runs as one: the requests and non-2xx answers added up, req/s
    /// their mean, and p50 and p99 the median of the rounds'.
    pub fn together<'a>(rounds: impl IntoIterator<Item = &'a Wrk>) -> Wrk {
        let rounds: Vec<&Wrk> = rounds.into_iter().collect();
        let median = |of: fn(&Wrk) -> f64| median(rounds.iter().map(|r| of(r)));
        Wrk {
            requests: rounds.iter().map(|w| w.requests).sum(),
            rps: rounds.iter().map(|w| w.rps).sum::<f64>() / rounds.len() as f64,
            p50_ms: median(|w| w.p50_ms),
            p99_ms: median(|w| w.p99_ms),
            non_2xx: rounds.iter().map(|w| w.non_2xx).sum(),
        }
    }
}

/// Sizes with and without each profile setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Size {
    /// The build with fusebox's `[profile.component]`: the baseline of the others.
    pub component_profile: SizeVariant,
    /// The builds with one setting put back to its release default, then plain
    /// `release` (quick mode: plain `release` only).
    pub variants: Vec<SizeVariant>,
    /// The artifact `make compose` produced for this run.
    pub artifact_bytes: u64,
}

/// One way of building the components, and what came out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeVariant {
    /// What the variant changes, as the report names it.
    pub name: String,
    /// The cargo profile it builds with.
    pub profile: String,
    /// The `--config` overrides it builds with.
    pub overrides: Vec<String>,
    /// Each component's size.
    pub components: ComponentSizes,
    /// The fused artifact of these components and its speed; `None` in quick mode,
    /// which builds only the calculator.
    pub fused: Option<FusedVariant>,
}

/// The size of each component in a build; `None` for a component the build left out
/// (quick mode builds only the calculator).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ComponentSizes {
    /// `logger.wasm`.
    pub logger_bytes: Option<u64>,
    /// `calculator.wasm`.
    pub calculator_bytes: Option<u64>,
    /// `auth.wasm`.
    pub auth_bytes: Option<u64>,
    /// `http_handler.wasm`.
    pub http_handler_bytes: Option<u64>,
}

impl ComponentSizes {
    /// Each component's name, with its size, in the report's order.
    pub fn labelled(&self) -> [(&'static str, Option<u64>); 4] {
        [
            ("logger", self.logger_bytes),
            ("calculator", self.calculator_bytes),
            ("auth", self.auth_bytes),
            ("http-handler", self.http_handler_bytes),
        ]
    }
}

/// A build variant's fused artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FusedVariant {
    /// Its size.
    pub bytes: u64,
    /// The medians of authenticated `POST /v1/add` requests in a fresh instance each,
    /// in-process (section 8's method, a worker per core).
    pub add: PhaseMedians,
}

/// Density: requests held open at once, each holding a live instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Density {
    /// Whether `vm.max_map_count` left room for every step.
    pub map_count: MapCount,
    /// The server's RSS at each number of live instances, the first at none; the last
    /// step is also the server's `--max-instances`.
    pub steps: Vec<DensityStep>,
    /// Whether one more request, with the last step held, was answered 503 at once:
    /// proof that every slot held a live instance.
    pub busy_at_max: bool,
}

impl Density {
    /// The most live instances held at once.
    pub fn most(&self) -> usize {
        self.steps.iter().map(|s| s.live).max().unwrap_or(0)
    }
}

/// One density step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DensityStep {
    /// Live instances held.
    pub live: usize,
    /// The server's resident memory, from `/proc`.
    pub rss_kib: u64,
}

/// Linux's `vm.max_map_count` against what the density run wanted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MapCount {
    /// It was high enough for every step.
    Enough {
        /// Its value.
        limit: usize,
    },
    /// It was too low, and this run (as root) raised it.
    Raised {
        /// The value before.
        from: usize,
        /// The value after: the mappings `wanted` instances need.
        to: usize,
        /// The live instances the run wanted.
        wanted: usize,
    },
    /// It was too low and could not be raised (not root): the run stopped early.
    TooLow {
        /// Its value.
        limit: usize,
        /// The mappings `wanted` instances need.
        needed: usize,
        /// The live instances the run wanted.
        wanted: usize,
    },
}

/// Tooling: how long the developer waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tooling {
    /// `make compose` with nothing changed, best of 3.
    pub make_compose_noop_s: f64,
    /// `fusebox compose --no-build` alone: read, fuse, validate, write; best of 3.
    pub compose_step_s: f64,
    /// The cold build of the size section's first variant, in an empty target directory.
    pub cold_build_s: f64,
}

/// Polyglot: the same composition with the calculator in Python.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polyglot {
    /// How long each `POST /v1/add` run lasted, in seconds.
    pub seconds: u64,
    /// The all-Rust artifact (`fusebox.toml`).
    pub rust: PolyglotRun,
    /// The polyglot artifact (`examples/polyglot/fusebox.toml`).
    pub python: PolyglotRun,
    /// The other languages' artifacts, measured the same way: the label (its manifest),
    /// and the run. Absent from runs before they were measured.
    #[serde(default)]
    pub others: Vec<(String, PolyglotRun)>,
    /// The rounds `rust` and `python` were loaded in, one after the other in alternating
    /// order, so that a slow moment of the machine falls on both: their loads are these
    /// rounds' together. Empty in runs before the rounds, which loaded each once.
    #[serde(default)]
    pub rounds: Vec<PolyglotRound>,
}

/// One round of the all-Rust and Python artifacts' loads, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolyglotRound {
    /// How long each of the two loads lasted, in seconds.
    pub seconds: u64,
    /// The all-Rust artifact's load in this round.
    pub rust: Load,
    /// The Python artifact's load in this round.
    pub python: Load,
}

/// A ratio over paired rounds: the median of the rounds' ratios, the least and the most.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median (of the two middle rounds, for an even count).
    pub median: f64,
    /// The least round's.
    pub least: f64,
    /// The most round's.
    pub most: f64,
}

impl Spread {
    /// The spread of `values`, or `None` if there are none.
    pub fn of(mut values: Vec<f64>) -> Option<Spread> {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let (&least, &most) = (values.first()?, values.last()?);
        let median = (values[(n - 1) / 2] + values[n / 2]) / 2.0;
        Some(Spread {
            median,
            least,
            most,
        })
    }
}

impl Polyglot {
    /// The Python artifact's p50 over the all-Rust one's, and its share of the all-Rust
    /// req/s: each round's ratio, and their spread. Runs before the rounds give their
    /// single loads' ratios as a spread of one.
    pub fn python_ratios(&self) -> (Spread, Spread) {
        let pairs: Vec<(&Load, &Load)> = match self.rounds.is_empty() {
            true => vec![(&self.rust.load, &self.python.load)],
            false => self.rounds.iter().map(|r| (&r.rust, &r.python)).collect(),
        };
        let p50 = pairs.iter().map(|(r, p)| p.p50_ms / r.p50_ms).collect();
        let rps = pairs.iter().map(|(r, p)| p.rps / r.rps).collect();
        let some = "one pair at least";
        (Spread::of(p50).expect(some), Spread::of(rps).expect(some))
    }
}

/// One artifact of the polyglot comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolyglotRun {
    /// Its size.
    pub bytes: u64,
    /// The sizes of the components that differ between the languages' artifacts, the
    /// logger and the calculator, as the artifact's provenance records them. Empty in
    /// runs before they were recorded.
    #[serde(default)]
    pub components: Vec<(String, u64)>,
    /// A cold compile by the host (`Runtime::new`, into an empty cache).
    pub compile_s: f64,
    /// `POST /v1/add` on one connection, served by `fusebox serve`.
    pub load: Load,
    /// The minor page faults `fusebox serve` took per request of that load. Absent from
    /// runs before it was counted.
    #[serde(default)]
    pub minor_faults_per_request: Option<f64>,
}

/// Where a request's time goes, for the two routes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// Requests timed per figure, after a warm-up.
    pub requests: usize,
    /// `GET /healthz`.
    pub healthz: RouteBreakdown,
    /// `POST /v1/add`, authenticated.
    pub add: RouteBreakdown,
    /// `POST /v1/add` in-process on one thread with component-model concurrency on
    /// (wasmtime's default), beside `add.one_thread` with it off (fusebox's). Absent
    /// from runs before it was measured.
    #[serde(default)]
    pub add_with_concurrency: Option<PhaseMedians>,
    /// `POST /v1/add` in-process on one thread against the WASI 0.3 artifact
    /// (`examples/p3`: the middleware verifies the token, the service answers). Absent
    /// from runs before it was measured.
    #[serde(default)]
    pub add_p3: Option<PhaseMedians>,
    /// What a request instantiates: the artifact's core instances, core modules and
    /// components. Absent from runs before it was counted.
    #[serde(default)]
    pub shape: Option<ArtifactShape>,
    /// Where the server's CPU goes under load, by `perf`, beside the native server's.
    /// Absent from quick runs, where `perf` cannot record, and from runs before it.
    #[serde(default)]
    pub profile: Option<HostProfile>,
    /// In how many rounds the one-thread runs compared with each other were interleaved
    /// ([`INTERLEAVED_ROUNDS`] now). Absent from runs before it was recorded, which
    /// used four.
    #[serde(default)]
    pub interleaved_rounds: Option<usize>,
}

/// In how many rounds the one-thread `/v1/add` runs that are compared with each other
/// (section 8's concurrency off and on, section 9's WASI 0.3, and the in-process half
/// of `fusebox-bench --ab`) take turns. Many short rounds rather than a few long ones,
/// so that a slow few seconds of a shared machine fall on every side alike.
pub const INTERLEAVED_ROUNDS: usize = 16;

/// What one instance of the artifact is made of, counted in its binary at every depth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArtifactShape {
    /// Core instances created per instantiation (every `instance` in every component).
    pub core_instances: u32,
    /// Core modules.
    pub core_modules: u32,
    /// Nested components.
    pub components: u32,
}

/// `perf record` of `fusebox serve` and of the native server under the same wrk load, and
/// of `fusebox serve` on the Python artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostProfile {
    /// How long each server was recorded.
    pub seconds: f64,
    /// Samples per second.
    pub frequency_hz: u32,
    /// `fusebox serve`.
    pub fusebox: ServerProfile,
    /// The native hyper server.
    pub native: ServerProfile,
    /// `fusebox serve` on the polyglot artifact (the calculator in Python), in the same
    /// rows as [`HostProfile::fusebox`]. Absent from runs before it was recorded.
    #[serde(default)]
    pub python: Option<ServerProfile>,
}

/// One server's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerProfile {
    /// wrk's requests per second while recording.
    pub rps: f64,
    /// Samples in all.
    pub samples: u64,
    /// Samples by row, every sample in exactly one.
    pub rows: Vec<ProfileRow>,
    /// Minor page faults the server took per request while recording.
    pub minor_faults_per_request: f64,
}

/// One row of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileRow {
    /// What the row holds.
    pub row: String,
    /// Its samples.
    pub samples: u64,
}

/// The rows of `fusebox serve`'s profile that are the instance's own work; the others
/// are the host's path around it.
pub const INSTANCE_ROWS: [&str; 4] = ["instantiation", "teardown", "guest", "contexts"];

/// The row of `fusebox serve`'s profile taken in the guest's own compiled code: every
/// component's, their bindings glue and the adapters between them included.
pub const GUEST_CODE_ROW: &str = "guest: its compiled code (JIT)";
/// The row of `fusebox serve`'s profile taken in host code the guest called: host
/// functions (wasi-http, wasi-io) with the host's side of the canonical ABI, and
/// wasmtime's libcalls (`memory.grow`, the epoch check's yield).
pub const GUEST_HOST_CALLS_ROW: &str =
    "guest: the host calls it makes (wasi-http, wasi-io, the canonical ABI)";
/// The row of the native server's profile taken in the handler's own logic.
pub const NATIVE_HANDLER_ROW: &str = "handler: JWT, JSON, the sum";

impl Breakdown {
    /// In how many rounds the compared one-thread runs were interleaved: four in runs
    /// from before it was recorded.
    pub fn interleaved_rounds(&self) -> usize {
        self.interleaved_rounds.unwrap_or(4)
    }
}

impl HostProfile {
    /// `fusebox serve`'s CPU per request outside the instance (every row but
    /// [`INSTANCE_ROWS`]), in microseconds.
    pub fn outside_instance_us(&self) -> f64 {
        let outside = self
            .fusebox
            .rows
            .iter()
            .filter(|row| !INSTANCE_ROWS.iter().any(|name| row.row.starts_with(name)))
            .map(|row| row.samples)
            .sum();
        self.fusebox.us_per_request(outside, self)
    }

    /// [`HostProfile::outside_instance_us`] over the native server's whole CPU per request.
    pub fn outside_instance_ratio(&self) -> f64 {
        self.outside_instance_us() / self.native.us_per_request(self.native.samples, self)
    }
}

impl ServerProfile {
    /// Microseconds of server CPU per request for `samples` of this profile.
    pub fn us_per_request(&self, samples: u64, profile: &HostProfile) -> f64 {
        let requests = self.rps * profile.seconds;
        samples as f64 / f64::from(profile.frequency_hz) / requests * 1e6
    }

    /// `samples` as a percentage of this profile's.
    pub fn percent(&self, samples: u64) -> f64 {
        100.0 * samples as f64 / self.samples as f64
    }
}

/// One route's phases, two ways, and the same request over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RouteBreakdown {
    /// In-process, on tokio's worker-per-core runtime.
    pub workers: PhaseMedians,
    /// In-process, on one current-thread runtime, as each `fusebox serve` thread runs it.
    pub one_thread: PhaseMedians,
    /// The median round trip over loopback HTTP to `fusebox serve` (one keep-alive
    /// connection, client included).
    pub http_ns: f64,
}

/// The medians of the host's phase timers, and of the whole request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseMedians {
    /// Admission: the size check and the semaphore.
    pub admit_ns: f64,
    /// WASI, HTTP and config contexts and the store.
    pub contexts_ns: f64,
    /// tokio scheduling of the guest's task.
    pub schedule_ns: f64,
    /// Instantiating the artifact.
    pub instantiate_ns: f64,
    /// The handler call.
    pub guest_ns: f64,
    /// Dropping the instance.
    pub teardown_ns: f64,
    /// The rest of `handle`, and collecting the body.
    pub body_ns: f64,
    /// The whole in-process request.
    pub in_process_ns: f64,
}
