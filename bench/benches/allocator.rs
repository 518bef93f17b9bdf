//! Which instance allocator should `fusebox serve` use? A fresh instance per request
//! makes instantiation part of every request, so this measures one whole request
//! (instantiate, serve `GET /healthz`, drop) with each allocator, side by side in one
//! run. The choice in `runtime.rs` follows these figures.
//!
//! `cargo bench -p fusebox-bench --bench allocator`

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use fusebox_runtime::runtime::{Allocator, Limits, Runtime, RuntimeConfig};
use http_body_util::{BodyExt, Empty};

fn healthz(runtime: &Runtime, tokio: &tokio::runtime::Runtime) {
    tokio.block_on(async {
        let request = hyper::Request::get("http://bench/healthz")
            .body(Empty::<Bytes>::new())
            .unwrap();
        let served = runtime.handle(request).await;
        assert_eq!(served.response.status(), 200);
        served.response.into_body().collect().await.unwrap();
        served.teardown.finished().await;
    });
}

fn allocators(c: &mut Criterion) {
    let artifact = &fusebox_tests::fused().bytes;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("request: instantiate + GET /healthz");
    for (name, allocator) in [
        ("pooling", Allocator::Pooling),
        ("on-demand", Allocator::OnDemand),
    ] {
        let config = RuntimeConfig {
            limits: Limits {
                max_instances: 16,
                ..Limits::default()
            },
            config: Vec::new(),
            allocator,
            ..RuntimeConfig::default()
        };
        let runtime = Runtime::new(artifact, config).unwrap();
        group.bench_function(name, |b| b.iter(|| healthz(&runtime, &tokio)));
    }
    group.finish();
}

criterion_group!(benches, allocators);
criterion_main!(benches);
