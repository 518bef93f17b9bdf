//! Deny stubs: the component the composer fuses in place of imports a manifest denies.
//!
//! A toolchain often imports more than the code it builds will ever call (componentize-js
//! imports `wasi:http/types` into a calculator). Granting such an import would be a lie,
//! and refusing it leaves no way on. `deny = [...]` in the component's section is the
//! third answer: each denied import is satisfied inside the artifact by a stub whose
//! functions all trap, so the host never hands the component the capability, and a call
//! that does happen fails loudly instead of reaching the host.
//!
//! The stub is generated, never hand-written: its world is made from the consumer's own
//! decoded WIT (the denied interfaces as exports, and whatever types they use from other
//! interfaces as imports), its core module by wit-component's `dummy_module`, whose
//! every function is `unreachable`, and a name section names each function after what
//! was denied, so a trap's backtrace says `denied: calculator may not call
//! wasi:http/types@0.2.6#[constructor]fields`. Resources work like functions: their
//! constructors, methods and statics trap too.

use std::collections::{BTreeSet, HashSet};
use wasm_encoder::{NameMap, NameSection};
use wit_component::{
    ComponentEncoder, DecodedWasm, StringEncoding, dummy_module, embed_component_metadata,
};
use wit_parser::{InterfaceId, LiftLowerAbi, ManglingAndAbi, World, WorldItem};

/// The name the stub for `component` is fused under: `calculator-deny`.
pub fn stub_name(component: &str) -> String {
    format!("{component}-deny")
}

/// Why a stub cannot be made.
#[derive(Debug)]
pub enum StubError {
    /// A granted import uses types from a denied one, so the two cannot come from
    /// different places: (granted import, denied import it depends on).
    Entangled(String, String),
    /// The component could not be decoded, or the stub not encoded.
    Encoding(anyhow::Error),
}

/// The stub that exports exactly `denied`, imports of `component` (the consumer, called
/// `consumer`), with every function trapping.
pub fn stub(
    consumer: &str,
    component: &[u8],
    denied: &BTreeSet<String>,
) -> Result<Vec<u8>, StubError> {
    let (mut resolve, world) =
        match wit_component::decode(component).map_err(StubError::Encoding)? {
            DecodedWasm::Component(resolve, world) => (resolve, world),
            DecodedWasm::WitPackage(..) => {
                return Err(StubError::Encoding(anyhow::anyhow!(
                    "it is a WIT package, not a component"
                )));
            }
        };
    let consumer_world = &resolve.worlds[world];
    let interface = |item: &WorldItem| match item {
        WorldItem::Interface { id, .. } => Some(*id),
        _ => None,
    };
    let denied_ids: HashSet<InterfaceId> = consumer_world
        .imports
        .iter()
        .filter(|(key, _)| denied.contains(&resolve.name_world_key(key)))
        .filter_map(|(_, item)| interface(item))
        .collect();

    // Every interface a denied one uses types from, transitively.
    let mut needed: HashSet<InterfaceId> = HashSet::new();
    let mut todo: Vec<InterfaceId> = denied_ids.iter().copied().collect();
    while let Some(id) = todo.pop() {
        for dep in resolve.interface_direct_deps(id) {
            if needed.insert(dep) {
                todo.push(dep);
            }
        }
    }

    // A granted import that uses a denied one's types would get them from the host while
    // the denied one comes from the stub: the types could never agree.
    for (key, item) in &consumer_world.imports {
        let Some(id) = interface(item) else { continue };
        if denied_ids.contains(&id) {
            continue;
        }
        let mut seen = HashSet::new();
        let mut todo = vec![id];
        while let Some(at) = todo.pop() {
            for dep in resolve.interface_direct_deps(at) {
                if denied_ids.contains(&dep) {
                    return Err(StubError::Entangled(
                        resolve.name_world_key(key),
                        resolve.id_of(dep).unwrap_or_default(),
                    ));
                }
                if seen.insert(dep) {
                    todo.push(dep);
                }
            }
        }
    }

    // The stub's world, in the consumer's import order (which is topological): the denied
    // interfaces as exports, what they use as imports.
    let pick = |want: &dyn Fn(InterfaceId) -> bool| {
        consumer_world
            .imports
            .iter()
            .filter(|(_, item)| interface(item).is_some_and(want))
            .map(|(key, item)| (key.clone(), item.clone()))
            .collect()
    };
    let stub_world = World {
        name: "deny-stub".into(),
        imports: pick(&|id| needed.contains(&id) && !denied_ids.contains(&id)),
        exports: pick(&|id| denied_ids.contains(&id)),
        package: consumer_world.package,
        docs: Default::default(),
        stability: Default::default(),
        includes: Vec::new(),
        span: Default::default(),
    };
    let stub_world = resolve.worlds.alloc(stub_world);

    // The legacy mangling names each export `interface#function`, which is what the name
    // section then shows.
    let mangling = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);
    let mut module = dummy_module(&resolve, stub_world, mangling);
    name_functions(&mut module, consumer).map_err(StubError::Encoding)?;
    embed_component_metadata(&mut module, &resolve, stub_world, StringEncoding::UTF8)
        .map_err(StubError::Encoding)?;
    ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(StubError::Encoding)
}

/// Append a name section to `module` that names each exported function after what it
/// stands for, so that a trap in it says which denied call was made, and by whom.
fn name_functions(module: &mut Vec<u8>, consumer: &str) -> anyhow::Result<()> {
    use wasmparser::{ExternalKind, Parser, Payload};
    let mut by_index = std::collections::BTreeMap::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ExportSection(exports) = payload? {
            for export in exports {
                let export = export?;
                if export.kind != ExternalKind::Func {
                    continue;
                }
                let name = if export.name.contains('#') && !export.name.starts_with("cabi_") {
                    format!("denied: {consumer} may not call {}", export.name)
                } else {
                    format!("deny stub of {consumer}: {}", export.name)
                };
                by_index.entry(export.index).or_insert(name);
            }
        }
    }
    // The name map must be in index order.
    let mut names = NameMap::new();
    for (index, name) in &by_index {
        names.append(*index, name);
    }
    let mut section = NameSection::new();
    section.module(&stub_name(consumer));
    section.functions(&names);
    wasm_encoder::Section::append_to(&section.as_custom(), module);
    Ok(())
}
