//! The artifact for wasmCloud 1.x (`examples/wasmcloud/fusebox.toml`), checked without a
//! lattice: that it imports exactly what a wasmCloud host links (`wit/wasmcloud`), and
//! that its `config-draft` adapter passes runtime configuration through unchanged.
//!
//! A wasmCloud host does not refuse an import it lacks: it forwards the call over the
//! lattice, where nothing answers, and the request traps. So the imports are checked
//! here, statically. `make lattice` runs the artifact on real wasmCloud hosts.

#[path = "../../crates/compose/tests/common/mod.rs"]
mod common;

use fusebox_compose::{Fused, Manifest};
use fusebox_tests::{components, compose, fused, manifest_at, repo};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Engine, Store};

const RC1: &str = "wasi:config/store@0.2.0-rc.1";
const DRAFT: &str = "wasi:config/store@0.2.0-draft";

fn wasmcloud_manifest() -> Manifest {
    manifest_at("examples/wasmcloud/fusebox.toml")
}

fn wasmcloud() -> &'static Fused {
    static FUSED: OnceLock<Fused> = OnceLock::new();
    FUSED.get_or_init(|| compose(&wasmcloud_manifest()).expect("compose the wasmCloud manifest"))
}

/// The `fusebox:wasmcloud` world: what a wasmCloud 1.x host links.
fn wasmcloud_world() -> (wit_parser::Resolve, wit_parser::WorldId) {
    let mut resolve = common::resolve(&[]);
    let (package, _) = resolve
        .push_dir(repo().join("wit/wasmcloud"))
        .expect("wit/wasmcloud resolves");
    let world = resolve.select_world(&[package], Some("service")).unwrap();
    (resolve, world)
}

#[test]
fn the_wasmcloud_artifact_targets_what_a_wasmcloud_host_links() {
    let (resolve, world) = wasmcloud_world();
    wit_component::targets(&resolve, world, &wasmcloud().bytes)
        .expect("the wasmCloud artifact fits wit/wasmcloud's world");
}

#[test]
fn the_default_artifact_does_not_target_wasmcloud_so_the_check_can_fail() {
    let (resolve, world) = wasmcloud_world();
    let refusal = wit_component::targets(&resolve, world, &fused().bytes)
        .expect_err("fusebox.toml's artifact imports wasi:config at rc.1");
    assert!(
        format!("{refusal:?}").contains("wasi:config/store@0.2.0-rc.1"),
        "{refusal:?}"
    );
}

#[test]
fn its_imports_are_the_default_artifacts_with_config_at_the_draft() {
    let expected: Vec<String> = fused()
        .imports
        .iter()
        .map(|i| {
            if i == RC1 {
                DRAFT.to_owned()
            } else {
                i.clone()
            }
        })
        .collect();
    assert!(expected.iter().any(|i| i == DRAFT), "{expected:?}");
    let mut actual = wasmcloud().imports.clone();
    let mut expected = expected;
    actual.sort();
    expected.sort();
    assert_eq!(actual, expected);
    assert!(!wasmcloud().imports.iter().any(|i| i == RC1));
    assert_eq!(wasmcloud().exports, fused().exports);
}

#[test]
fn the_adapter_serves_auth_and_takes_the_draft_from_the_host() {
    let wiring = wasmcloud().wiring_text();
    assert!(
        wiring.contains(&format!("config-draft -> auth: {RC1}")),
        "{wiring}"
    );
    assert!(
        wiring.contains(&format!("host -> config-draft: {DRAFT}")),
        "{wiring}"
    );
    let report = wasmcloud().capability_report(&wasmcloud_manifest());
    assert!(
        report.contains(&format!("| `{DRAFT}` | config-draft |")),
        "{report}"
    );
}

/// A draft store that the host provides, with answers set per key.
mod host {
    wasmtime::component::bindgen!({
        path: [
            "../wit/deps/config@0.2.0-rc.1",
            "../wit/deps/config@0.2.0-draft",
            "../wit/config-draft",
        ],
        world: "fusebox:config-draft/config-draft",
        additional_derives: [PartialEq],
    });
}

use host::exports::wasi::config0_2_0_rc_1::store as rc1;
use host::wasi::config0_2_0_draft::store as draft;

/// What the draft store answers: `get-all` fails with `fail_all` if it is set.
#[derive(Default)]
struct DraftStore {
    values: BTreeMap<String, Result<Option<String>, draft::Error>>,
    fail_all: Option<draft::Error>,
    calls: Vec<String>,
}

impl draft::Host for DraftStore {
    fn get(&mut self, key: String) -> Result<Option<String>, draft::Error> {
        self.calls.push(format!("get {key}"));
        self.values.get(&key).cloned().unwrap_or(Ok(None))
    }

    fn get_all(&mut self) -> Result<Vec<(String, String)>, draft::Error> {
        self.calls.push("get-all".to_owned());
        if let Some(error) = &self.fail_all {
            return Err(error.clone());
        }
        Ok(self
            .values
            .iter()
            .filter_map(|(k, v)| match v {
                Ok(Some(v)) => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect())
    }
}

/// The adapter component, instantiated against `store`.
fn adapter(store: DraftStore) -> (Store<DraftStore>, host::ConfigDraft) {
    let engine = Engine::default();
    let component = Component::from_file(&engine, components::CONFIG_DRAFT).unwrap();
    let mut linker = Linker::new(&engine);
    draft::add_to_linker::<_, HasSelf<DraftStore>>(&mut linker, |s| s).unwrap();
    let mut store = Store::new(&engine, store);
    let adapter = host::ConfigDraft::instantiate(&mut store, &component, &linker).unwrap();
    (store, adapter)
}

#[test]
fn the_adapter_imports_only_the_draft_and_exports_only_rc1() {
    let bytes = std::fs::read(components::CONFIG_DRAFT).unwrap();
    let (imports, exports) = fusebox_compose::component_externs(&bytes).unwrap();
    assert_eq!(imports, [DRAFT]);
    assert_eq!(exports, [RC1]);
}

#[test]
fn the_adapter_passes_values_through() {
    let mut answers = DraftStore::default();
    answers
        .values
        .insert("auth.hs256-key".into(), Ok(Some("sekrit".into())));
    answers
        .values
        .insert("empty".into(), Ok(Some(String::new())));
    let (mut store, adapter) = adapter(answers);
    let rc1 = adapter.wasi_config0_2_0_rc_1_store();

    assert_eq!(
        rc1.call_get(&mut store, "auth.hs256-key").unwrap(),
        Ok(Some("sekrit".to_owned()))
    );
    assert_eq!(
        rc1.call_get(&mut store, "empty").unwrap(),
        Ok(Some(String::new()))
    );
    assert_eq!(rc1.call_get(&mut store, "missing").unwrap(), Ok(None));
    assert_eq!(
        rc1.call_get_all(&mut store).unwrap(),
        Ok(vec![
            ("auth.hs256-key".to_owned(), "sekrit".to_owned()),
            ("empty".to_owned(), String::new()),
        ])
    );
    assert_eq!(
        store.data().calls,
        ["get auth.hs256-key", "get empty", "get missing", "get-all"]
    );
}

#[test]
fn the_adapter_passes_errors_through_with_their_messages() {
    let mut answers = DraftStore::default();
    answers.values.insert(
        "vault".into(),
        Err(draft::Error::Upstream("vault sealed".into())),
    );
    answers
        .values
        .insert("disk".into(), Err(draft::Error::Io("read failed".into())));
    answers.fail_all = Some(draft::Error::Io("bucket gone".into()));
    let (mut store, adapter) = adapter(answers);
    let rc1 = adapter.wasi_config0_2_0_rc_1_store();

    assert_eq!(
        rc1.call_get(&mut store, "vault").unwrap(),
        Err(rc1::Error::Upstream("vault sealed".into()))
    );
    assert_eq!(
        rc1.call_get(&mut store, "disk").unwrap(),
        Err(rc1::Error::Io("read failed".into()))
    );
    assert_eq!(
        rc1.call_get_all(&mut store).unwrap(),
        Err(rc1::Error::Io("bucket gone".into()))
    );
}
