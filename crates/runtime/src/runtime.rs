//! Run a fused `wasi:http` component: compile once, pre-instantiate, and serve each
//! request in a fresh, limited instance.
//!
//! Two kinds of artifact are served, told apart by their exports ([`WasiHttp::of`]):
//! WASI 0.2's `wasi:http/proxy` (exports `wasi:http/incoming-handler`, called
//! synchronously) and WASI 0.3's `wasi:http/service` (exports the async
//! `wasi:http/handler`, called in the store's event loop, which keeps running while the
//! guest writes its response body).
//!
//! [`Runtime::new`] does everything that can be done once:
//! - it compiles the artifact, with component-model concurrency on for 0.3 only;
//! - it links exactly the `wasi:http/proxy` world (for 0.3, also `wasi:http/service`'s)
//!   plus `wasi:config/store`: nothing else, so an artifact that wants more is refused at
//!   start-up, naming the import;
//! - it resolves the imports into an [`InstancePre`](wasmtime::component::InstancePre).
//!
//! [`Runtime::handle`] then gives every request its own `Store` and instance, so no state
//! survives from one request to the next, under four limits:
//! - at most [`Limits::max_instances`] live at once; the next request gets 503 at once
//!   instead of queueing;
//! - a wall-clock [`Limits::deadline`], enforced with epoch interruption (a spinning guest
//!   yields at every tick, so the timeout can cancel it); answered with 504;
//! - a [`Limits::memory_bytes`] cap through a `ResourceLimiter`; growing past it traps;
//! - a [`Limits::max_body_bytes`] cap on the request body, answered with 413.
//!
//! A trap fails only its own request, with 500; the runtime keeps serving.

use crate::HostError;
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::RuntimeFlavor;
use tokio::sync::{Semaphore, oneshot};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits,
    StoreLimitsBuilder,
};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::p3;
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// How often the epoch advances. The deadline is measured in these ticks, and a guest in
/// a loop yields to the scheduler once per tick.
const EPOCH_TICK: Duration = Duration::from_millis(5);
/// The most a request's guest may write to stderr; the rest is dropped.
const GUEST_STDERR_CAPACITY: usize = 64 * 1024;
/// Bytes of each linear memory and table kept resident between instances.
const KEEP_RESIDENT: usize = 1 << 20;

/// Per-request limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How many instances may be live at once. Requests beyond it get 503.
    pub max_instances: usize,
    /// How long one request may take, guest time and I/O together. Past it: 504.
    pub deadline: Duration,
    /// How much linear memory one instance (all its fused components together) may use.
    pub memory_bytes: usize,
    /// The largest request body the host passes to the guest. Larger: 413.
    pub max_body_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_instances: 1000,
            deadline: Duration::from_secs(5),
            memory_bytes: 64 << 20,
            max_body_bytes: 1 << 20,
        }
    }
}

/// How instances get their memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocator {
    /// Pre-reserved slots, reused across requests, with copy-on-write memory images:
    /// instantiation is a few `mmap` calls. The default (see [`Runtime::new`]).
    Pooling,
    /// Fresh allocations for every instance (wasmtime's default).
    OnDemand,
}

/// Everything that is fixed for the life of a runtime.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Per-request limits.
    pub limits: Limits,
    /// Values for `wasi:config/store`: whatever the component reads, by key.
    pub config: Vec<(String, String)>,
    /// The instance allocator.
    pub allocator: Allocator,
    /// Where to keep compiled code between runs (wasmtime's compilation cache, keyed by
    /// the artifact and the engine's settings), or `None` to compile at every start. A
    /// large artifact, such as one with a Python component, then compiles once.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Whether stores support component-model concurrency (wasmtime's
    /// `Config::concurrency_support`, on by default there), or `None` to decide per
    /// artifact: on for WASI 0.3, which needs it, off for 0.2. A WASI 0.2 artifact never
    /// uses it, and with it on every call between the guest and the host creates and
    /// deletes a task in a table (`make bench` measures both, side by side, in the
    /// breakdown). `Some(false)` with a 0.3 artifact is refused.
    pub concurrency: Option<bool>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            limits: Limits::default(),
            config: Vec::new(),
            allocator: Allocator::Pooling,
            cache_dir: None,
            concurrency: None,
        }
    }
}

/// What the instance's host state holds: WASI contexts, its resource table, its config
/// values and its memory limiter.
struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    config: Arc<WasiConfigVariables>,
    limits: StoreLimits,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: Default::default(),
        }
    }
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The guest answered (whatever its status).
    Answered,
    /// Refused before instantiation: no free instance slot (503).
    Busy,
    /// Refused before instantiation: the body is over the limit (413).
    TooLarge,
    /// The guest ran past the deadline (504).
    DeadlineExceeded,
    /// Refused before instantiation: the request cannot be a `wasi:http` request (400),
    /// such as one with no `Host` header (RFC 9112 §3.2). The text says what is wrong.
    Malformed(String),
    /// The guest trapped or failed before answering (500); the text is the root cause
    /// and the innermost named function, if the name section has one: `wasm trap: wasm
    /// \`unreachable\` instruction executed, in handler-deny: denied: handler may not
    /// call wasi:random/random@0.2.6#get-random-u64`.
    Trapped(String),
    /// The guest returned without a response, or set its response to an error code
    /// (500); the text says which.
    NoResponse(String),
}

/// A served request: the response, and what the host learned while serving it.
pub struct Served {
    /// The response to send.
    pub response: hyper::Response<HyperOutgoingBody>,
    /// How the request ended.
    pub outcome: Outcome,
    /// This request's number, unique for the life of the runtime.
    pub request_id: u64,
    /// Time from the start of instantiation until the guest handed over its response
    /// (or failed); a streamed body may still be in flight.
    pub instance_time: Duration,
    /// What the guest wrote to stderr.
    pub guest_stderr: Bytes,
    /// Where the time went, step by step.
    pub phases: Phases,
    /// The instance's teardown, which runs after the response is handed over.
    pub teardown: Teardown,
}

/// The teardown of a request's instance: dropping its store, which resets its slots in
/// the pooling allocator.
///
/// It runs on the guest's task once the response is handed over. When that instance
/// is the only one alive on a quiet current-thread runtime, the task first lets the
/// connection's task write the response, so that the reset overlaps the client's next
/// step instead of delaying the answer (`tear_down`). The instance is never reused
/// either way, and its slot in the instance limit is held until it is gone. Dropping a
/// `Teardown` neither stops nor delays it.
pub struct Teardown(TeardownState);

enum TeardownState {
    /// Over, and it took this long (zero when no instance was made).
    Done(Duration),
    /// Still to come on the guest's task.
    Pending(tokio::task::JoinHandle<GuestEnd>),
}

impl Teardown {
    /// No instance, so nothing to tear down.
    const NONE: Teardown = Teardown(TeardownState::Done(Duration::ZERO));

    /// Wait until the instance is torn down, and say how long dropping its store took
    /// (zero when the request was refused before an instance was made).
    pub async fn finished(self) -> Duration {
        match self.0 {
            TeardownState::Done(took) => took,
            TeardownState::Pending(guest) => guest.await.map_or(Duration::ZERO, |(_, took)| took),
        }
    }
}

/// How a guest's task ends: the call's result (or its deadline), and how long dropping
/// the store took.
type GuestEnd = (
    Result<wasmtime::Result<()>, tokio::time::error::Elapsed>,
    Duration,
);

/// The end of a guest's task: drop the store, timed, then give up the instance's slot.
///
/// The store waits until the connection's task, which the response woke, has had its
/// turn to write the response, so that the reset overlaps the client's next step, only
/// when all of these hold:
/// - the handler returned;
/// - its instance is the only one alive: when others are, the server is busy and the
///   response's turn may be far off, so the store is dropped at once, while its pages
///   are still in cache (deferred under load, the reset cost 9% to 30% of the req/s;
///   the levers table in docs/benchmarks.md);
/// - a slot is left for the next request, which would otherwise be refused while this
///   one waits (`--max-instances 1`);
/// - the runtime is current-thread, as each of `fusebox serve`'s is: on a multi-thread
///   runtime the connection's task can run beside it on another worker.
async fn tear_down<T: 'static>(
    store: Store<T>,
    result: Result<wasmtime::Result<()>, tokio::time::error::Elapsed>,
    permit: tokio::sync::OwnedSemaphorePermit,
    max_instances: usize,
) -> GuestEnd {
    let spare = permit.semaphore().available_permits();
    let alone = spare > 0 && spare + 1 == max_instances;
    if alone
        && matches!(result, Ok(Ok(())))
        && tokio::runtime::Handle::current().runtime_flavor() == RuntimeFlavor::CurrentThread
    {
        // To the back of the thread's run queue, behind the connection's task. (Not
        // `tokio::task::yield_now`, which also waits for the I/O driver to be polled.)
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if std::mem::replace(&mut yielded, true) {
                return std::task::Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await;
    }
    let releasing = Instant::now();
    drop(store);
    let took = releasing.elapsed();
    drop(permit);
    (result, took)
}

/// Where one request's time went inside [`Runtime::handle`], from `Instant`s taken at
/// each step (a few tens of nanoseconds in all). `make bench` reports their medians; a
/// request refused before instantiation has only `admit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    /// From the call to `handle` until an instance slot is granted: the declared-size
    /// check and the semaphore.
    pub admit: Duration,
    /// Building the instance's WASI, HTTP and config contexts, its store and limits, and
    /// the request and response-outparam resources.
    pub contexts: Duration,
    /// From spawning the guest's task until it runs: tokio's scheduling.
    pub schedule: Duration,
    /// Instantiating the fused artifact: every core module of every component.
    pub instantiate: Duration,
    /// From calling the handler until it returns (or, if it is still streaming its
    /// body, until its response head is back): guest code in every component, the
    /// canonical-ABI crossings between them, and the WASI and HTTP host calls they make.
    /// The teardown comes after the response: [`Served::teardown`] times it.
    pub guest: Duration,
}

/// The instants the guest's task records, read by the calling task.
#[derive(Debug, Clone, Copy, Default)]
struct TaskMarks {
    running: Option<Instant>,
    ready: Option<Instant>,
    returned: Option<Instant>,
}

/// Which `wasi:http` an artifact serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasiHttp {
    /// WASI 0.2: it exports `wasi:http/incoming-handler@0.2.x` (the `wasi:http/proxy`
    /// world).
    P2,
    /// WASI 0.3: it exports `wasi:http/handler@0.3.x` (the `wasi:http/service` world).
    P3,
}

impl WasiHttp {
    /// Which one `artifact` serves, from the names of its exports: 0.3 if it exports
    /// `wasi:http/handler` at 0.3.x, 0.2 otherwise (which linking then checks).
    pub fn of(artifact: &[u8]) -> Result<WasiHttp, HostError> {
        // Nested components and modules come with their own exports: only those at
        // depth 1, the artifact's own, count.
        let mut depth = 0usize;
        for payload in wasmparser::Parser::new(0).parse_all(artifact) {
            match payload.map_err(|e| HostError::Compile(e.into()))? {
                wasmparser::Payload::Version { .. } => depth += 1,
                wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
                wasmparser::Payload::ComponentExportSection(exports) if depth == 1 => {
                    for export in exports {
                        let export = export.map_err(|e| HostError::Compile(e.into()))?;
                        if export.name.name.starts_with("wasi:http/handler@0.3.") {
                            return Ok(WasiHttp::P3);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(WasiHttp::P2)
    }
}

/// How many components `artifact` nests at its top level: for a fused artifact, the
/// components fused into it.
fn components_in(artifact: &[u8]) -> Result<usize, HostError> {
    let mut depth = 0usize;
    let mut components = 0;
    for payload in wasmparser::Parser::new(0).parse_all(artifact) {
        match payload.map_err(|e| HostError::Compile(e.into()))? {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::ComponentSection { .. } if depth == 1 => components += 1,
            _ => {}
        }
    }
    Ok(components)
}

/// The pre-instantiated artifact, by the `wasi:http` it serves.
enum Pre {
    P2(ProxyPre<State>),
    P3(ServicePre<State>),
}

/// A compiled, linked, pre-instantiated artifact, ready to serve requests.
pub struct Runtime {
    pre: Pre,
    config: Arc<WasiConfigVariables>,
    limits: Limits,
    slots: Arc<Semaphore>,
    next_id: AtomicU64,
    _ticker: EpochTicker,
}

impl Runtime {
    /// Compile `artifact`, link it, and pre-instantiate it.
    ///
    /// The pooling allocator is the default because a per-request instance makes
    /// instantiation part of every request. With pooling and copy-on-write memory images
    /// it reuses pre-reserved slots and maps each memory's initial image lazily, instead
    /// of allocating and copying per instance. Measured side by side in one run
    /// (`cargo bench -p fusebox-bench --bench allocator`, a whole `GET /healthz`
    /// including instantiation, on a 2-core machine): 240 µs with pooling against 335 µs
    /// on demand, 1.40× faster.
    pub fn new(artifact: &[u8], config: RuntimeConfig) -> Result<Self, HostError> {
        let limits = config.limits.clone();
        let wasi_http = WasiHttp::of(artifact)?;
        let concurrency = match (wasi_http, config.concurrency) {
            (WasiHttp::P3, Some(false)) => {
                return Err(HostError::Engine(wasmtime::format_err!(
                    "a WASI 0.3 artifact needs component-model concurrency, which the \
                     configuration turns off"
                )));
            }
            (_, Some(on)) => on,
            (WasiHttp::P3, None) => true,
            (WasiHttp::P2, None) => false,
        };
        // One task per fused component at most, and never fewer than a middleware and
        // its service need.
        let stacks = match concurrency {
            false => 1,
            true => u32::try_from(components_in(artifact)?.max(2)).unwrap_or(u32::MAX),
        };
        let engine = Engine::new(&engine_config(&config, concurrency, stacks)?)
            .map_err(HostError::Engine)?;
        let component = Component::new(&engine, artifact).map_err(HostError::Compile)?;

        // Grant exactly the proxy world (and for 0.3 the service world) and the config
        // store: nothing else is linked.
        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi_http::p2::add_to_linker_async(&mut linker).map_err(HostError::Engine)?;
        if wasi_http == WasiHttp::P3 {
            wasmtime_wasi_http::p3::add_to_linker(&mut linker).map_err(HostError::Engine)?;
            wasmtime_wasi::p3::clocks::add_to_linker(&mut linker).map_err(HostError::Engine)?;
            wasmtime_wasi::p3::random::add_to_linker(&mut linker).map_err(HostError::Engine)?;
            wasmtime_wasi::p3::cli::add_to_linker(&mut linker).map_err(HostError::Engine)?;
        }
        wasmtime_wasi_config::add_to_linker(&mut linker, |state: &mut State| {
            WasiConfig::from(&*state.config)
        })
        .map_err(HostError::Engine)?;
        let instance_pre = linker
            .instantiate_pre(&component)
            .map_err(HostError::NotGranted)?;
        let pre = match wasi_http {
            WasiHttp::P2 => Pre::P2(ProxyPre::new(instance_pre).map_err(HostError::NotAProxy)?),
            WasiHttp::P3 => Pre::P3(ServicePre::new(instance_pre).map_err(HostError::NotAProxy)?),
        };

        Ok(Runtime {
            pre,
            config: Arc::new(WasiConfigVariables::from_iter(config.config)),
            slots: Arc::new(Semaphore::new(limits.max_instances)),
            limits,
            next_id: AtomicU64::new(1),
            _ticker: EpochTicker::start(engine),
        })
    }

    /// Which `wasi:http` the artifact serves.
    pub fn wasi_http(&self) -> WasiHttp {
        match self.pre {
            Pre::P2(_) => WasiHttp::P2,
            Pre::P3(_) => WasiHttp::P3,
        }
    }

    /// The per-request limits this runtime enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// How many more instances may start now.
    pub fn free_slots(&self) -> usize {
        self.slots.available_permits()
    }

    /// Serve one request in a fresh instance. Never fails: every failure becomes a
    /// response with a JSON error body.
    pub async fn handle<B>(&self, request: hyper::Request<B>) -> Served
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let called = Instant::now();
        let request_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let refused = |outcome, status, code, message: String| Served {
            response: error_response(status, code, &message),
            outcome,
            request_id,
            instance_time: Duration::ZERO,
            guest_stderr: Bytes::new(),
            phases: Phases {
                admit: called.elapsed(),
                ..Phases::default()
            },
            teardown: Teardown::NONE,
        };

        if let Some(problem) = malformed(&request) {
            return refused(
                Outcome::Malformed(problem.clone()),
                400,
                "bad-request",
                problem,
            );
        }
        let declared = request
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.limits.max_body_bytes) {
            let message = format!("request body exceeds {} bytes", self.limits.max_body_bytes);
            return refused(Outcome::TooLarge, 413, "payload-too-large", message);
        }
        let Ok(permit) = self.slots.clone().try_acquire_owned() else {
            let message = format!(
                "all {} instances are busy; retry shortly",
                self.limits.max_instances
            );
            return refused(Outcome::Busy, 503, "busy", message);
        };

        // The body reaches the guest through a cap, in case it streams without end.
        let max_body = usize::try_from(self.limits.max_body_bytes).unwrap_or(usize::MAX);
        let request = request.map(|body| Limited::new(body, max_body));

        let stderr = MemoryOutputPipe::new(GUEST_STDERR_CAPACITY);
        let started = Instant::now();
        let mut phases = Phases {
            admit: started - called,
            ..Phases::default()
        };
        let mut teardown = Teardown::NONE;
        let run = match &self.pre {
            Pre::P2(pre) => {
                let request = request.map(|body| {
                    body.map_err(|_| ErrorCode::HttpRequestBodySize(None))
                        .boxed_unsync()
                });
                self.run_p2(
                    pre.clone(),
                    stderr.clone(),
                    request,
                    permit,
                    &mut phases,
                    &mut teardown,
                )
                .await
            }
            Pre::P3(pre) => {
                let request = request.map(|body| {
                    body.map_err(|_| wasmtime_wasi_http::Error::HttpRequestBodySize(None))
                });
                self.run_p3(
                    pre.clone(),
                    stderr.clone(),
                    request,
                    permit,
                    &mut phases,
                    &mut teardown,
                )
                .await
            }
        };
        let (outcome, response) = match run {
            Ok(response) => (Outcome::Answered, response),
            Err(outcome) => {
                let response = match &outcome {
                    Outcome::Malformed(problem) => error_response(400, "bad-request", problem),
                    Outcome::DeadlineExceeded => error_response(
                        504,
                        "deadline-exceeded",
                        &format!("the request took longer than {:?}", self.limits.deadline),
                    ),
                    _ => error_response(
                        500,
                        "internal-error",
                        "the handler failed; see the server log",
                    ),
                };
                (outcome, response)
            }
        };
        Served {
            response,
            outcome,
            request_id,
            instance_time: started.elapsed(),
            guest_stderr: stderr.contents(),
            phases,
            teardown,
        }
    }

    /// A fresh instance's host state: its guest's stderr goes to `stderr`.
    fn state(&self, stderr: MemoryOutputPipe) -> State {
        State {
            wasi: WasiCtx::builder().stderr(stderr).build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            config: self.config.clone(),
            limits: StoreLimitsBuilder::new()
                .memory_size(self.limits.memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
        }
    }

    /// A store for one instance, with its memory limit and the epoch yield.
    fn store(engine: &Engine, state: State) -> Store<State> {
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limits);
        // Yield to the scheduler at every epoch tick, so that the deadline can cancel
        // even a guest that never calls the host.
        store.epoch_deadline_async_yield_and_update(1);
        store
    }

    /// Instantiate a WASI 0.2 artifact and call its `incoming-handler`; the permit is
    /// held until the guest is done.
    async fn run_p2(
        &self,
        pre: ProxyPre<State>,
        stderr: MemoryOutputPipe,
        request: hyper::Request<UnsyncBoxBody<Bytes, ErrorCode>>,
        permit: tokio::sync::OwnedSemaphorePermit,
        phases: &mut Phases,
        teardown: &mut Teardown,
    ) -> Result<hyper::Response<HyperOutgoingBody>, Outcome> {
        let trapped = |e: wasmtime::Error| Outcome::Trapped(trap_description(&e));
        let building = Instant::now();
        let mut store = Self::store(pre.engine(), self.state(stderr));

        let (sender, receiver) = oneshot::channel();
        // `malformed` refuses what wasi-http would refuse here; should wasi-http refuse
        // anything more, it is the request's fault all the same.
        let incoming = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)
            .map_err(|e| Outcome::Malformed(e.root_cause().to_string()))?;
        let outparam = store
            .data_mut()
            .http()
            .new_response_outparam(sender)
            .map_err(trapped)?;
        let (deadline, max_instances) = (self.limits.deadline, self.limits.max_instances);
        // The guest's task notes when it ran, when its instance was ready and when the
        // handler returned; `tear_down` times the teardown itself.
        let marks = Arc::new(std::sync::Mutex::new(TaskMarks::default()));
        let task_marks = marks.clone();
        let spawned = Instant::now();
        phases.contexts = spawned - building;
        let guest = tokio::spawn(async move {
            task_marks.lock().unwrap().running = Some(Instant::now());
            let call = async {
                let proxy = pre.instantiate_async(&mut store).await?;
                task_marks.lock().unwrap().ready = Some(Instant::now());
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, incoming, outparam)
                    .await
            };
            let result = tokio::time::timeout(deadline, call).await;
            task_marks.lock().unwrap().returned = Some(Instant::now());
            tear_down(store, result, permit, max_instances).await
        });

        settle(receiver.await, guest, &marks, spawned, phases, teardown).await
    }
}

impl Runtime {
    /// Instantiate a WASI 0.3 artifact and call its `handler` in the store's event loop.
    /// The loop runs on after the handler returns, while the guest's own tasks write the
    /// response body; the permit is held until they are done.
    async fn run_p3<B>(
        &self,
        pre: ServicePre<State>,
        stderr: MemoryOutputPipe,
        request: hyper::Request<B>,
        permit: tokio::sync::OwnedSemaphorePermit,
        phases: &mut Phases,
        teardown: &mut Teardown,
    ) -> Result<hyper::Response<HyperOutgoingBody>, Outcome>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<wasmtime_wasi_http::Error>,
    {
        let building = Instant::now();
        let mut store = Self::store(pre.engine(), self.state(stderr));
        let (request, body_read) =
            p3::Request::from_http(store.data_mut().http().hooks, absolute(request));
        let (sender, receiver) = oneshot::channel();
        let (deadline, max_instances) = (self.limits.deadline, self.limits.max_instances);
        let marks = Arc::new(std::sync::Mutex::new(TaskMarks::default()));
        let task_marks = marks.clone();
        let spawned = Instant::now();
        phases.contexts = spawned - building;
        let guest = tokio::spawn(async move {
            task_marks.lock().unwrap().running = Some(Instant::now());
            let loop_marks = task_marks.clone();
            let call = async {
                let service = pre.instantiate_async(&mut store).await?;
                task_marks.lock().unwrap().ready = Some(Instant::now());
                store
                    .run_concurrent(async move |accessor| {
                        let answer = service.handle(accessor, request).await?;
                        loop_marks.lock().unwrap().returned = Some(Instant::now());
                        let head = match answer {
                            Ok(response) => {
                                Ok(accessor.with(|store| response.into_http(store, body_read))?)
                            }
                            Err(code) => Err(code),
                        };
                        let _ = sender.send(head);
                        // The guest may still be writing the body from a task of its own.
                        std::future::poll_fn(|cx| accessor.poll_no_interesting_tasks(cx)).await;
                        wasmtime::Result::<()>::Ok(())
                    })
                    .await?
            };
            let result = tokio::time::timeout(deadline, call).await;
            tear_down(store, result, permit, max_instances).await
        });

        settle(receiver.await, guest, &marks, spawned, phases, teardown).await
    }
}

/// Once the guest's task has answered (or ended without answering): fill in `phases`
/// from its marks and `teardown` from the task, and give the response, or the reason
/// there is none. For WASI 0.2 and 0.3 alike: `answer` is what the task sent, `E` the
/// version's `error-code`.
async fn settle<E: std::fmt::Debug>(
    answer: Result<Result<hyper::Response<HyperOutgoingBody>, E>, oneshot::error::RecvError>,
    guest: tokio::task::JoinHandle<GuestEnd>,
    marks: &std::sync::Mutex<TaskMarks>,
    spawned: Instant,
    phases: &mut Phases,
    teardown: &mut Teardown,
) -> Result<hyper::Response<HyperOutgoingBody>, Outcome> {
    let received = Instant::now();
    let marks = *marks.lock().unwrap();
    if let (Some(running), Some(ready)) = (marks.running, marks.ready) {
        phases.schedule = running - spawned;
        phases.instantiate = ready - running;
        // The handler may still be running (writing a streamed body) when its response
        // head arrives; then the guest phase ends at the head.
        phases.guest = marks.returned.unwrap_or(received) - ready;
    }
    let answer = match answer {
        Ok(answer) => answer,
        // The guest finished (or died) without a response: ask it why.
        Err(_) => {
            let (result, took) = guest
                .await
                .map_err(|join| Outcome::Trapped(format!("the guest task failed: {join}")))?;
            *teardown = Teardown(TeardownState::Done(took));
            return Err(match result {
                Err(_elapsed) => Outcome::DeadlineExceeded,
                Ok(Err(trap)) => Outcome::Trapped(trap_description(&trap)),
                Ok(Ok(())) => Outcome::NoResponse("the guest returned without a response".into()),
            });
        }
    };
    *teardown = Teardown(TeardownState::Pending(guest));
    answer.map_err(|code| Outcome::NoResponse(format!("the guest answered with error {code:?}")))
}

/// What a guest's failure was, and where: the root cause, then the innermost named
/// WebAssembly function it happened in, from the name section. A fused deny stub names
/// its functions after the call it refuses, so a denied call reads as in
/// [`Outcome::Trapped`].
fn trap_description(error: &wasmtime::Error) -> String {
    let cause = error.root_cause().to_string();
    let frame = error
        .downcast_ref::<wasmtime::WasmBacktrace>()
        .and_then(|trace| {
            trace.frames().iter().find_map(|frame| {
                let function = frame.func_name()?;
                Some(match frame.module().name() {
                    Some(module) => format!("{module}: {function}"),
                    None => function.to_owned(),
                })
            })
        });
    match frame {
        Some(frame) => format!("{cause}, in {frame}"),
        None => cause,
    }
}

/// `request` with an absolute target, `http://` and its `Host`: WASI 0.3 takes the
/// scheme and authority from the target, where a server sees only the path.
/// ([`malformed`] has refused a request whose `Host` is not an authority.)
fn absolute<B>(request: hyper::Request<B>) -> hyper::Request<B> {
    let (mut parts, body) = request.into_parts();
    if parts.uri.authority().is_none()
        && let Some(host) = parts.headers.get(hyper::header::HOST)
        && let Ok(authority) = host.as_bytes().try_into()
    {
        let mut uri = parts.uri.clone().into_parts();
        uri.scheme = Some(hyper::http::uri::Scheme::HTTP);
        uri.authority = Some(authority);
        if uri.path_and_query.is_none() {
            uri.path_and_query = Some(hyper::http::uri::PathAndQuery::from_static("/"));
        }
        if let Ok(absolute) = hyper::Uri::from_parts(uri) {
            parts.uri = absolute;
        }
    }
    hyper::Request::from_parts(parts, body)
}

/// Why `request` cannot become a `wasi:http` incoming request, if it cannot. HTTP/1.1
/// wants 400 for each (RFC 9112 §3.2): a request with no authority (no `Host` header and
/// an origin-form target), more than one `Host`, a `Host` that is not a valid authority,
/// or an absolute-form target whose scheme is not `http` or `https`.
pub fn malformed<B>(request: &hyper::Request<B>) -> Option<String> {
    let uri = request.uri();
    if let Some(scheme) = uri.scheme_str()
        && !scheme.eq_ignore_ascii_case("http")
        && !scheme.eq_ignore_ascii_case("https")
    {
        return Some(format!(
            "the request target's scheme `{scheme}` is not http or https"
        ));
    }
    let mut hosts = request.headers().get_all(hyper::header::HOST).iter();
    let (host, another) = (hosts.next(), hosts.next());
    if another.is_some() {
        return Some("the request has more than one Host header".into());
    }
    match (uri.authority(), host) {
        (None, None) => Some(
            "the request has no Host header, and its target no authority (RFC 9112 §3.2)".into(),
        ),
        (_, Some(host)) => {
            let Ok(text) = host.to_str() else {
                return Some("the Host header is not visible ASCII".into());
            };
            let invalid = || Some(format!("the Host header `{text}` is not a valid authority"));
            let Ok(authority) = text.parse::<hyper::http::uri::Authority>() else {
                return invalid();
            };
            // The parser takes `host:port` with any port text; a port must be a number.
            let after_ipv6 = text.rsplit_once(']').map_or(text, |(_, rest)| rest);
            if after_ipv6.contains(':') && authority.port_u16().is_none() {
                return invalid();
            }
            None
        }
        (Some(_), None) => None,
    }
}

/// The engine for `config`. `stacks_per_instance` is how many fiber stacks one instance
/// may hold at once: one without concurrency (the whole call runs on one fiber); with
/// it, each task in flight has its own, and a 0.3 request runs one task per component
/// it passes through (the middleware's, then the service's: measured, two for
/// examples/p3).
fn engine_config(
    config: &RuntimeConfig,
    concurrency: bool,
    stacks_per_instance: u32,
) -> Result<Config, HostError> {
    let mut engine = Config::new();
    engine.epoch_interruption(true);
    engine.concurrency_support(concurrency);
    if let Some(dir) = &config.cache_dir {
        // wasmtime wants an absolute directory; a relative one means "from here".
        let dir = std::path::absolute(dir).map_err(|e| HostError::Engine(e.into()))?;
        let mut cache = wasmtime::CacheConfig::new();
        cache.with_directory(dir);
        engine.cache(Some(
            wasmtime::Cache::new(cache).map_err(HostError::Engine)?,
        ));
    }
    if config.allocator == Allocator::Pooling {
        let instances = u32::try_from(config.limits.max_instances).unwrap_or(u32::MAX);
        let mut pooling = PoolingAllocationConfig::new();
        // One fused instance holds a handful of core instances, memories and tables per
        // component (each component keeps its own memory); these bounds leave room for
        // a few more components than fusebox has.
        pooling
            .total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(32))
            .total_memories(instances.saturating_mul(8))
            .total_tables(instances.saturating_mul(32))
            .total_stacks(instances.saturating_mul(stacks_per_instance))
            .max_core_instances_per_component(64)
            .max_memories_per_component(16)
            .max_tables_per_component(64)
            .max_memory_size(config.limits.memory_bytes)
            // Reset a slot's dirty pages with memset instead of madvise, finding them
            // with PAGEMAP_SCAN where the kernel has it (Linux 6.7+): a request then
            // neither unmaps pages on the way out nor faults them back in on the way
            // in. Measured by `make bench` (cold start).
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT)
            .pagemap_scan(wasmtime::Enabled::Auto);
        engine.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
        // Reserve only what the memory limit allows per memory slot, so that thousands
        // of slots fit in the address space. Bounds are checked by compiled code, not
        // by guard pages and signals: then a slot's grown heap stays read/write for the
        // next instance instead of being mprotect-ed back and forth on every request
        // (measured by `make bench`: about 11% of a cold start).
        engine.memory_reservation(config.limits.memory_bytes as u64);
        engine.memory_guard_size(0);
        engine.signals_based_traps(false);
        engine.memory_init_cow(true);
    }
    Ok(engine)
}

/// A JSON error response made by the host itself, in the same shape as the API's.
pub fn error_response(
    status: u16,
    code: &str,
    message: &str,
) -> hyper::Response<HyperOutgoingBody> {
    let body =
        serde_json::json!({ "error": { "status": status, "code": code, "message": message } });
    hyper::Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(
            Full::new(Bytes::from(body.to_string()))
                .map_err(|never| match never {})
                .boxed_unsync(),
        )
        .expect("a static status and header are valid")
}

/// A thread that advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct EpochTicker {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("fusebox-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawn the epoch thread");
        EpochTicker {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
