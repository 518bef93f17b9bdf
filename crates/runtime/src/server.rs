//! Serve a [`Runtime`] over HTTP/1.1.
//!
//! Each connection is served by hyper. Each request goes through [`Runtime::handle`] in a
//! fresh instance, and then the server logs ([`crate::log`]):
//! - one JSON access-log line to stdout: method, path, status, duration, instance time,
//!   outcome and request id;
//! - the guest's stderr to stderr, one line at a time, tagged with the same request id.
//!
//! A request body the guest does not read to the end (a 404 for a large upload, say) is
//! still read and discarded, up to the body limit: closing the connection on a client
//! that is still sending would reset it before it reads its answer.
//!
//! [`serve`] runs on the caller's tokio runtime. [`serve_per_core`] is what `fusebox
//! serve` runs: one thread per core, each with a single-threaded runtime of its own, all
//! accepting from the same socket. A connection, its requests and their guest tasks then
//! stay on the thread that accepted it, with no work stealing and no wake-ups across
//! threads: measured side by side, this takes a third off the host's time per request
//! (`bench/src/measure/breakdown.rs`, `docs/benchmarks.md`).
//!
//! Both stop accepting when `shutdown` resolves, then wait for in-flight requests to
//! finish (up to a grace period) before returning.

use crate::log;
use crate::runtime::{Outcome, Runtime, Served};
use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulConnection, GracefulShutdown};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// How long [`serve`] waits for in-flight requests after `shutdown` resolves.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Accept connections on `listener` and serve them with `runtime` until `shutdown`
/// resolves; then drain in-flight requests for up to [`SHUTDOWN_GRACE`].
pub async fn serve(
    listener: TcpListener,
    runtime: Arc<Runtime>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = accept_until(listener, runtime, shutdown).await;
    log::event(
        "draining",
        "stopped accepting; waiting for in-flight requests",
    );
    log_stopped(drain(graceful).await);
    Ok(())
}

/// Serve like [`serve`], on `threads` threads, each running a single-threaded tokio
/// runtime that accepts from `listener` and serves the connections it accepted.
///
/// Blocks until `shutdown` resolves (it is awaited on the calling thread) and every
/// thread has drained its in-flight requests, for up to [`SHUTDOWN_GRACE`].
pub fn serve_per_core(
    listener: std::net::TcpListener,
    runtime: Arc<Runtime>,
    threads: std::num::NonZeroUsize,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // A thread that ends before `shutdown` (its socket failed) ends the server.
    let (ended, mut first_end) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut workers = Vec::with_capacity(threads.get());
    for index in 0..threads.get() {
        let (listener, runtime, ended) = (listener.try_clone()?, runtime.clone(), ended.clone());
        let mut stopped = stopped.clone();
        // Log lines wait in the thread's buffer until it goes idle (src/log.rs).
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .on_thread_park(crate::log::flush)
            .build()?;
        let worker = std::thread::Builder::new()
            .name(format!("fusebox-serve-{index}"))
            .spawn(move || {
                crate::log::buffer_this_thread();
                let drained = tokio.block_on(async move {
                    let listener = TcpListener::from_std(listener)?;
                    let stop = async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    };
                    let graceful = accept_until(listener, runtime, stop).await;
                    Ok::<_, std::io::Error>(drain(graceful).await)
                });
                crate::log::flush();
                let _ = ended.send(());
                drained
            })?;
        workers.push(worker);
    }
    // The threads hold the socket now: it closes when the last one stops accepting.
    drop(listener);
    drop(ended);

    let control = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    control.block_on(async {
        tokio::select! {
            () = shutdown => {}
            _ = first_end.recv() => {}
        }
    });
    log::event(
        "draining",
        "stopped accepting; waiting for in-flight requests",
    );
    stop.send_replace(true);
    let mut all_finished = true;
    let mut failure = None;
    for worker in workers {
        match worker.join().expect("a server thread panicked") {
            Ok(finished) => all_finished &= finished,
            Err(error) => failure = Some(error),
        }
    }
    log_stopped(all_finished);
    failure.map_or(Ok(()), Err)
}

/// Keep one timer pending on the runtime that accepts, so that a request's deadline timer
/// does not cost a system call. tokio's timer driver wakes its thread's I/O driver (an
/// `eventfd` write) whenever a timer is set to come due before the earliest timer it knew
/// of when the thread last parked. With none pending then, as when every request
/// finished before the thread went idle, that was every request's deadline: one write
/// per request, which `perf stat` counted. A timer that comes due at most `deadline`
/// from now is never later than a new request's, so setting the latter wakes nothing.
/// This task wakes once per `deadline` (at least 1 ms, at most an hour).
async fn keep_a_timer_pending(deadline: Duration) {
    let period = deadline.clamp(Duration::from_millis(1), Duration::from_secs(3600));
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
    }
}

/// Accept and serve connections until `shutdown` resolves; returns the watch on the
/// connections still open.
async fn accept_until(
    listener: TcpListener,
    runtime: Arc<Runtime>,
    shutdown: impl Future<Output = ()>,
) -> GracefulShutdown {
    let graceful = GracefulShutdown::new();
    // Not a connection: nothing waits for it, and it stops with the accepting.
    let timer = tokio::spawn(keep_a_timer_pending(runtime.limits().deadline));
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                // A failed accept (for example too many open files) must not stop the
                // server; back off briefly and keep going.
                Err(error) => {
                    log::event("accept-failed", &error.to_string());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection = graceful.watch(connection(stream, runtime.clone()));
        tokio::spawn(async move {
            // Clients that disconnect mid-request are normal; nothing to report.
            let _ = connection.await;
        });
    }
    timer.abort();
    graceful
}

/// HTTP/1.1 on one connection, `io`, with keep-alive: each request is served by
/// `runtime` in a fresh instance and logged, until the client closes the connection.
/// This is what [`serve`] runs for every connection it accepts; `io` need not be a
/// socket (the `request` fuzz target writes raw bytes into an in-memory pipe).
pub fn connection<I>(io: I, runtime: Arc<Runtime>) -> impl GracefulConnection + Send + 'static
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: hyper::Request<Incoming>| {
        let runtime = runtime.clone();
        async move { Ok::<_, std::convert::Infallible>(serve_one(&runtime, request).await) }
    });
    http1::Builder::new()
        .keep_alive(true)
        // A client that shuts down its sending side once the request is out (`nc -N`,
        // some proxies) still gets its answer; hyper would otherwise drop the request.
        .half_close(true)
        .serve_connection(TokioIo::new(io), service)
}

/// Wait for the watched connections to finish, for up to [`SHUTDOWN_GRACE`]; whether
/// they all did.
async fn drain(graceful: GracefulShutdown) -> bool {
    tokio::select! {
        () = graceful.shutdown() => true,
        () = tokio::time::sleep(SHUTDOWN_GRACE) => false,
    }
}

fn log_stopped(all_finished: bool) {
    match all_finished {
        true => log::event("stopped", "all requests finished"),
        false => log::event(
            "stopped",
            "grace period over; closing the remaining connections",
        ),
    }
}

async fn serve_one(
    runtime: &Runtime,
    request: hyper::Request<Incoming>,
) -> hyper::Response<wasmtime_wasi_http::p2::body::HyperOutgoingBody> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let limits = runtime.limits();
    let declared = request
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let (limit, deadline) = (limits.max_body_bytes, limits.deadline);
    let request = request.map(|body| RequestBody::new(body, declared, limit, deadline));
    let served = runtime.handle(request).await;
    access_log(&served, method.as_str(), &path, started.elapsed());
    log::guest_stderr(served.request_id, &served.guest_stderr);
    served.response
}

/// The request body, handed to the guest as it is. If it is dropped before its end (the
/// guest answered without reading it all), the rest is read and discarded on a task of
/// its own, until the body ends, `limit` bytes have arrived in all, or `deadline`
/// passes. Then hyper has read the whole request, so the client reads its answer instead
/// of a reset, and the connection can serve the next request: nginx's lingering close,
/// bounded by the request's own limits. A body whose declared length is over `limit` is
/// refused with 413 and never drained, so no client is invited to upload it.
struct RequestBody {
    body: Option<Incoming>,
    received: u64,
    limit: u64,
    deadline: Duration,
}

impl RequestBody {
    fn new(body: Incoming, declared: Option<u64>, limit: u64, deadline: Duration) -> Self {
        let drain = declared.is_none_or(|length| length <= limit);
        RequestBody {
            body: Some(body),
            received: 0,
            limit: if drain { limit } else { 0 },
            deadline,
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        let frame = std::task::ready!(Pin::new(body).poll_frame(cx));
        if let Some(Ok(frame)) = &frame {
            self.received += frame.data_ref().map_or(0, |data| data.len() as u64);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.as_ref().is_none_or(|body| body.is_end_stream())
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        let Some(mut body) = self.body.take() else {
            return;
        };
        let left = self.limit.saturating_sub(self.received);
        if body.is_end_stream() || left == 0 {
            return;
        }
        let Ok(tokio) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let deadline = self.deadline;
        tokio.spawn(async move {
            let drain = async {
                let mut drained = 0u64;
                while let Some(Ok(frame)) = body.frame().await {
                    drained += frame.data_ref().map_or(0, |data| data.len() as u64);
                    if drained > left {
                        return;
                    }
                }
            };
            let _ = tokio::time::timeout(deadline, drain).await;
        });
    }
}

fn access_log(served: &Served, method: &str, path: &str, duration: Duration) {
    let outcome: std::borrow::Cow<'_, str> = match &served.outcome {
        Outcome::Answered => "answered".into(),
        Outcome::Busy => "busy".into(),
        Outcome::TooLarge => "too-large".into(),
        Outcome::DeadlineExceeded => "deadline-exceeded".into(),
        Outcome::Malformed(why) => format!("malformed: {why}").into(),
        Outcome::Trapped(why) => format!("trapped: {why}").into(),
        Outcome::NoResponse(why) => format!("no-response: {why}").into(),
    };
    log::access(&log::Access {
        request_id: served.request_id,
        method,
        path,
        status: served.response.status().as_u16(),
        duration,
        instance: served.instance_time,
        outcome: &outcome,
    });
}
