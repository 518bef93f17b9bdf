//! The fused bench artifact: the bench driver, the real calculator and the real logger,
//! fused with wac-graph exactly as the composer fuses the service, so that a call from
//! the driver into the calculator crosses the same kind of boundary as one from the
//! http-handler.

use anyhow::Context as _;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};
use wasmtime::component::{Component, Linker, ResourceTable, TypedFunc};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Fuse `driver.wasm`, `calculator.wasm` and `logger.wasm` from `components`.
pub fn compose(components: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let mut graph = CompositionGraph::new();
    let mut register = |name: &str, file: &str| -> anyhow::Result<_> {
        let path = components.join(file);
        let bytes = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        let package = Package::from_bytes(name, None, bytes, graph.types_mut())?;
        Ok(graph.register_package(package)?)
    };
    let logger = register("fusebox:logger", "logger.wasm")?;
    let calculator = register("fusebox:calculator", "calculator.wasm")?;
    let driver = register("fusebox:bench", "bench_driver.wasm")?;

    let logger = graph.instantiate(logger);
    let calculator = graph.instantiate(calculator);
    let driver = graph.instantiate(driver);
    let log = graph.alias_instance_export(logger, "fusebox:logger/log@0.1.0")?;
    graph.set_instantiation_argument(calculator, "fusebox:logger/log@0.1.0", log)?;
    let math = graph.alias_instance_export(calculator, "fusebox:calculator/math@0.1.0")?;
    graph.set_instantiation_argument(driver, "fusebox:calculator/math@0.1.0", math)?;
    let calls = graph.alias_instance_export(driver, "fusebox:bench/calls@0.1.0")?;
    graph.export(calls, "fusebox:bench/calls@0.1.0")?;
    Ok(graph.encode(EncodeOptions::default())?)
}

struct State {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// One instance of the bench artifact, with its two loops ready to call.
pub struct Driver {
    store: Store<State>,
    add_loop: TypedFunc<(u32, u32), (u32,)>,
    sequence_loop: TypedFunc<(u32, u32), (u32,)>,
}

impl Driver {
    /// Compile and instantiate the fused bench artifact `bytes`.
    pub fn new(bytes: &[u8]) -> anyhow::Result<Self> {
        let engine = Engine::default();
        let component = Component::new(&engine, bytes)?;
        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        let state = State {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
        };
        let mut store = Store::new(&engine, state);
        let instance = linker.instantiate(&mut store, &component)?;
        let calls = instance
            .get_export_index(&mut store, None, "fusebox:bench/calls@0.1.0")
            .context("the artifact exports fusebox:bench/calls")?;
        let func = |store: &mut Store<State>, name: &str| -> anyhow::Result<_> {
            let index = instance
                .get_export_index(&mut *store, Some(&calls), name)
                .with_context(|| format!("no {name}"))?;
            Ok(instance.get_typed_func::<(u32, u32), (u32,)>(&mut *store, &index)?)
        };
        let add_loop = func(&mut store, "add-loop")?;
        let sequence_loop = func(&mut store, "sequence-loop")?;
        Ok(Driver {
            store,
            add_loop,
            sequence_loop,
        })
    }

    /// `n` fused calls of `math.add(a, i)`; returns the driver's checksum.
    pub fn add_loop(&mut self, n: u32, a: u32) -> u32 {
        let (sum,) = self
            .add_loop
            .call(&mut self.store, (n, a))
            .expect("add-loop");
        sum
    }

    /// `n` fused calls of `math.process-sequence` on `len` values.
    pub fn sequence_loop(&mut self, n: u32, len: u32) -> u32 {
        let (total,) = self
            .sequence_loop
            .call(&mut self.store, (n, len))
            .expect("sequence-loop");
        total
    }
}
