//! The artifact for Spin 3 (`examples/spin/fusebox.toml`), checked without Spin: that the
//! composer holds it to Spin's own world, `fermyon:spin/http-trigger@3.0.0` (vendored
//! from spin-sdk 5.1.0 into `wit/platforms/spin@3.0.0`), whose imports include a host
//! interface outside WASI, Spin's application variables; and that its `spin-variables`
//! adapter answers `wasi:config` from those variables.
//!
//! The WASI 0.3 artifact for Spin 4.1 (`examples/spin-p3/fusebox.toml`) is held the same way
//! to Spin 4.1's HTTP trigger world (`wit/platforms/spin@4.1.0`, from spin-sdk 7.0.0).
//!
//! Spin itself cannot be installed here, so the host side of `variables` is played by
//! wasmtime with a table of the test's own.

use fusebox_compose::{Fused, HostWorld, Manifest, component_externs};
use fusebox_tests::{Artifact, components, compose, fused, manifest_at, manifest_code, repo};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Engine, Store};

const RC1: &str = "wasi:config/store@0.2.0-rc.1";
const VARIABLES: &str = "fermyon:spin/variables@2.0.0";
const WORLD: &str = "fermyon:spin/http-trigger@3.0.0";
const WORLD_P3: &str = "fusebox:spin-up/http-trigger@4.1.0";

fn spin_manifest() -> Manifest {
    manifest_at("examples/spin/fusebox.toml")
}

fn spin() -> &'static Fused {
    static FUSED: OnceLock<Fused> = OnceLock::new();
    FUSED.get_or_init(|| compose(&spin_manifest()).expect("compose the Spin manifest"))
}

/// Spin's world, read straight from the vendored WIT, apart from the composer.
fn spin_world() -> (wit_parser::Resolve, wit_parser::WorldId) {
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve
        .push_dir(repo().join("wit/platforms/spin@3.0.0"))
        .expect("Spin's WIT resolves");
    let world = resolve
        .select_world(&[package], Some("http-trigger"))
        .unwrap();
    (resolve, world)
}

#[test]
fn the_spin_artifact_targets_spins_world_and_imports_its_variables() {
    let manifest = spin_manifest();
    assert_eq!(manifest.artifact.world.as_ref().unwrap().name, WORLD);
    // The composer ran `targets` itself; run its check again here.
    let host = HostWorld::load(&manifest).unwrap();
    host.check_targets(&spin().bytes, &spin().imports, &spin().exports)
        .expect("the Spin artifact fits fermyon:spin/http-trigger@3.0.0");
    // Spin's world is written for WASI 0.2.0 and the components import 0.2.6, which a
    // Spin host links by semver. `targets` alone matches names exactly, which is why the
    // composer checks the world's interfaces at the artifact's versions.
    let (resolve, world) = spin_world();
    let exact = wit_component::targets(&resolve, world, &spin().bytes).unwrap_err();
    assert!(format!("{exact:?}").contains("@0.2.6`"), "{exact:?}");
    // A host interface outside WASI, granted by the world alone.
    assert!(
        spin().imports.iter().any(|i| i == VARIABLES),
        "{:?}",
        spin().imports
    );
    assert!(!spin().imports.iter().any(|i| i.starts_with("wasi:config/")));
    assert!(manifest.artifact.grant.entries.is_empty());
    let wiring = spin().wiring_text();
    assert!(
        wiring.contains(&format!("spin-variables -> auth: {RC1}\n")),
        "{wiring}"
    );
    assert!(
        wiring.contains(&format!("host -> spin-variables: {VARIABLES}\n")),
        "{wiring}"
    );
}

#[test]
fn the_default_artifact_does_not_target_spin_so_the_check_can_fail() {
    let host = HostWorld::load(&spin_manifest()).unwrap();
    assert_refused_for_rc1(&host, fused(), WORLD);

    // And the composer refuses to make it: the same components, held to Spin's world
    // without the adapter.
    let text = std::fs::read_to_string(repo().join("examples/spin/fusebox.toml")).unwrap();
    let without = &text[..text.find("\n# Answers wasi:config").unwrap()];
    let manifest = Manifest::parse(without, "spin.toml", repo().join("examples/spin")).unwrap();
    let error = compose(&manifest).unwrap_err().to_string();
    assert!(
        error.starts_with(
            "closed world violated: the fused artifact may import only what [artifact] at \
             spin.toml:"
        ) && error.contains("(the world fermyon:spin/http-trigger@3.0.0)")
            && error.contains(&format!("`{RC1}`, imported by auth")),
        "{error}"
    );
}

#[test]
fn the_spin_p3_manifest_is_the_p3_one_plus_the_adapter() {
    // Comments aside, it is examples/p3/fusebox.toml with another `out`, Spin 4.1's world
    // in place of the WASI 0.3 world and its grant, and the adapter's section at the end.
    let expected = manifest_code("examples/p3/fusebox.toml")
        .replace(
            r#"out = "../../target/fusebox/service-p3.wasm""#,
            r#"out = "../../target/fusebox/spin-p3/service.wasm""#,
        )
        .replace(
            "world = \"wasi:http/service@0.3.0\"\n\
             imports = [\"wasi:cli/stderr\", \"wasi:io/*\", \"wasi:clocks/wall-clock\", \
             \"wasi:config/store\"]",
            &format!("world = \"{WORLD_P3}\"\nwit = \"../../wit/platforms/spin@4.1.0\""),
        )
        + "\n\n[components.spin-variables]\n\
           source = { crate = \"spin-variables\" }\n\
           imports = [\"fermyon:spin/variables\"]";
    assert_eq!(manifest_code("examples/spin-p3/fusebox.toml"), expected);
}

#[test]
fn the_spin_p3_artifact_targets_spin_4s_world_and_imports_its_variables() {
    let manifest = manifest_at("examples/spin-p3/fusebox.toml");
    assert_eq!(manifest.artifact.world.as_ref().unwrap().name, WORLD_P3);
    assert!(manifest.artifact.grant.entries.is_empty());
    let spin_p3 = compose(&manifest).expect("compose the Spin 4.1 manifest");
    let host = HostWorld::load(&manifest).unwrap();
    host.check_targets(&spin_p3.bytes, &spin_p3.imports, &spin_p3.exports)
        .expect("the Spin 4.1 artifact fits Spin 4.1's HTTP trigger world");
    assert_eq!(spin_p3.exports, ["wasi:http/handler@0.3.0"]);
    // WASI 0.3 for the API, WASI 0.2 for the shared logger, Spin's variables for the
    // config, and no wasi:config left for the host.
    for import in ["wasi:http/types@0.3.0", "wasi:cli/stderr@0.2.6", VARIABLES] {
        assert!(
            spin_p3.imports.iter().any(|i| i == import),
            "{import} in {:?}",
            spin_p3.imports
        );
    }
    assert!(
        !spin_p3
            .imports
            .iter()
            .any(|i| i.starts_with("wasi:config/"))
    );
    let wiring = spin_p3.wiring_text();
    for edge in [
        format!("spin-variables -> auth: {RC1}\n"),
        format!("spin-variables -> auth-middleware: {RC1}\n"),
        format!("host -> spin-variables: {VARIABLES}\n"),
    ] {
        assert!(wiring.contains(&edge), "{edge} in {wiring}");
    }
}

#[test]
fn the_p3_artifact_without_the_adapter_does_not_target_spin_4() {
    let host = HostWorld::load(&manifest_at("examples/spin-p3/fusebox.toml")).unwrap();
    assert_refused_for_rc1(&host, Artifact::P3.fused(), WORLD_P3);
    // Nor does the WASI 0.2 artifact: the check names the first import it misses.
    assert_refused_for_rc1(&host, fused(), WORLD_P3);
}

/// Assert that `host`'s world, `world`, refuses `artifact`, naming its wasi:config rc.1.
fn assert_refused_for_rc1(host: &HostWorld, artifact: &Fused, world: &str) {
    let refusal = host
        .check_targets(&artifact.bytes, &artifact.imports, &artifact.exports)
        .expect_err("the artifact imports wasi:config at rc.1");
    assert!(
        refusal.to_string().starts_with(&format!(
            "the fused artifact does not target the world {world}: "
        )) && format!("{refusal:?}").contains(RC1),
        "{refusal:?}"
    );
}

/// Spin's variables, as a host provides them.
mod host {
    wasmtime::component::bindgen!({
        path: [
            "../wit/deps/config@0.2.0-rc.1",
            "../wit/deps/fermyon-spin@2.0.0",
            "../wit/spin-variables",
        ],
        world: "fusebox:spin-variables/spin-variables",
        additional_derives: [PartialEq],
    });
}

use host::exports::wasi::config::store as rc1;
use host::fermyon::spin::variables;

/// The application's variables, and the names asked for.
#[derive(Default)]
struct Variables {
    values: BTreeMap<String, Result<String, variables::Error>>,
    asked: Vec<String>,
}

impl variables::Host for Variables {
    fn get(&mut self, name: String) -> Result<String, variables::Error> {
        self.asked.push(name.clone());
        self.values
            .get(&name)
            .cloned()
            .unwrap_or(Err(variables::Error::Undefined(name)))
    }
}

#[test]
fn the_adapter_reads_each_key_as_a_spin_variable() {
    let bytes = std::fs::read(components::SPIN_VARIABLES).unwrap();
    let (imports, exports) = component_externs(&bytes).unwrap();
    assert_eq!(imports, [VARIABLES]);
    assert_eq!(exports, [RC1]);

    let mut answers = Variables::default();
    answers
        .values
        .insert("auth_hs256_key".into(), Ok("sekrit".into()));
    answers.values.insert(
        "vault".into(),
        Err(variables::Error::Provider("sealed".into())),
    );
    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).unwrap();
    let mut linker = Linker::new(&engine);
    variables::add_to_linker::<_, HasSelf<Variables>>(&mut linker, |s| s).unwrap();
    let mut store = Store::new(&engine, answers);
    let adapter = host::SpinVariables::instantiate(&mut store, &component, &linker).unwrap();
    let config = adapter.wasi_config_store();

    assert_eq!(
        config.call_get(&mut store, "auth.hs256-key").unwrap(),
        Ok(Some("sekrit".to_owned()))
    );
    assert_eq!(config.call_get(&mut store, "missing").unwrap(), Ok(None));
    assert_eq!(
        config.call_get(&mut store, "vault").unwrap(),
        Err(rc1::Error::Io("sealed".into()))
    );
    assert!(matches!(
        config.call_get_all(&mut store).unwrap(),
        Err(rc1::Error::Upstream(message)) if message.contains("cannot list")
    ));
    assert_eq!(store.data().asked, ["auth_hs256_key", "missing", "vault"]);
}
