//! What a hostile input can cost the composer: each case is a small generated input that
//! stands for a huge or pathological one, refused with an error that names the limit
//! (`fusebox_compose::limits`, listed in docs/security.md).

mod common;

use fusebox_compose::limits::{
    MAX_COMPONENT_BYTES, MAX_COMPONENTS, MAX_EXTERNS, MAX_MANIFEST_BYTES,
};
use fusebox_compose::{ComposeError, Input, Manifest};
use wasm_encoder::{
    Component, ComponentImportSection, ComponentTypeRef, ComponentTypeSection, ComponentValType,
    PrimitiveValType,
};

/// A manifest with `n` path components, each in its own section.
fn manifest_with_components(n: usize) -> String {
    let mut text = String::from("[artifact]\nexport = \"wasi:http/incoming-handler\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "\n[components.c{i}]\nsource = {{ path = \"c{i}.wasm\" }}\nimports = []\n"
        ));
    }
    text
}

#[test]
fn a_manifest_over_the_size_limit_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fusebox.toml");
    // A sparse file: 2 MiB by its length, no disk behind it, and never read.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(2 * MAX_MANIFEST_BYTES)
        .unwrap();
    let error = Manifest::from_file(&path).unwrap_err().to_string();
    assert!(
        error.contains(&format!(
            "the file is {} bytes, more than the {MAX_MANIFEST_BYTES}-byte limit",
            2 * MAX_MANIFEST_BYTES
        )),
        "{error}"
    );

    // The same limit holds for text handed straight to `parse`.
    let text = format!("# {}\n", "x".repeat(MAX_MANIFEST_BYTES as usize));
    let error = Manifest::parse(&text, "big.toml", "")
        .unwrap_err()
        .to_string();
    assert!(error.contains("-byte limit on a manifest"), "{error}");
}

#[test]
fn a_manifest_that_never_ends_is_read_no_further_than_the_limit() {
    // A named pipe has no length to check: only the read itself can stop.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fusebox.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            use std::io::Write as _;
            let mut pipe = std::fs::OpenOptions::new().write(true).open(path).unwrap();
            let line = [b'#'; 4096];
            // Until the reader hangs up (a broken pipe), or 64 MiB at most.
            for _ in 0..16 * 1024 {
                if pipe.write_all(&line).is_err() {
                    break;
                }
            }
        })
    };
    let error = Manifest::from_file(&path).unwrap_err().to_string();
    writer.join().unwrap();
    assert!(
        error.contains(&format!(
            "the file is {} bytes, more than the {MAX_MANIFEST_BYTES}-byte limit",
            MAX_MANIFEST_BYTES + 1
        )),
        "{error}"
    );
}

#[test]
fn a_manifest_with_too_many_components_names_the_first_one_past_the_limit() {
    // 10,000 sections is what the issue asked about; it is also under the byte limit.
    let text = manifest_with_components(10_000);
    assert!((text.len() as u64) < MAX_MANIFEST_BYTES);
    let error = Manifest::parse(&text, "fusebox.toml", "")
        .unwrap_err()
        .to_string();
    let line = 1 + text
        .lines()
        .position(|l| l == format!("[components.c{MAX_COMPONENTS}]"))
        .unwrap();
    assert_eq!(
        error,
        format!(
            "invalid manifest: fusebox.toml:{line}: [components.c{MAX_COMPONENTS}] is component \
             number {}, past the limit of {MAX_COMPONENTS} components in one manifest (see \
             docs/security.md, \"Limits\")",
            MAX_COMPONENTS + 1
        )
    );

    // At the limit, the manifest parses.
    let at_limit = Manifest::parse(&manifest_with_components(MAX_COMPONENTS), "f.toml", "");
    assert_eq!(at_limit.unwrap().components.len(), MAX_COMPONENTS);
}

#[test]
fn a_component_over_the_size_limit_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.wasm");
    // 300 MB by its length, sparse: if fusebox read it, the test would allocate 300 MB.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(300_000_000)
        .unwrap();
    let error = Input::read("huge", &path).unwrap_err();
    assert!(
        matches!(error, ComposeError::TooLarge { size: 300_000_000, limit, .. } if limit == MAX_COMPONENT_BYTES),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .ends_with(&format!("is 300000000 bytes, more than the {MAX_COMPONENT_BYTES}-byte limit on a component; fusebox does not read it (see docs/security.md, \"Limits\")")),
        "{error}"
    );
}

#[test]
fn a_type_nested_ten_thousand_deep_is_refused_by_validation() {
    // type 0 = u32, type n = list<type n-1>, up to 10,000.
    let mut types = ComponentTypeSection::new();
    types
        .defined_type()
        .list(ComponentValType::Primitive(PrimitiveValType::U32));
    for i in 1..10_000 {
        types.defined_type().list(ComponentValType::Type(i - 1));
    }
    let mut component = Component::new();
    component.section(&types);
    let error = Input::from_bytes("deep", "deep.wasm", component.finish()).unwrap_err();
    assert!(
        matches!(&error, ComposeError::Invalid { detail, .. } if detail.starts_with("type nesting is too deep")),
        "{error:?}"
    );
}

#[test]
fn a_component_with_a_hundred_thousand_imports_is_refused() {
    let mut types = ComponentTypeSection::new();
    types
        .function()
        .params::<[(&str, ComponentValType); 0], _>([])
        .result(None);
    let mut imports = ComponentImportSection::new();
    for i in 0..100_000 {
        imports.import(format!("f{i}"), ComponentTypeRef::Func(0));
    }
    let mut component = Component::new();
    component.section(&types).section(&imports);
    let error = Input::from_bytes("wide", "wide.wasm", component.finish()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "the wide input wide.wasm declares 100000 imports and exports, more than the limit of \
             {MAX_EXTERNS}; no real component needs that many (see docs/security.md, \"Limits\")"
        )
    );
}

#[test]
fn the_real_components_are_well_inside_every_limit() {
    for name in ["logger", "calculator", "auth", "http-handler"] {
        let bytes = common::real_component(name);
        let input = Input::from_bytes(name, format!("{name}.wasm"), bytes).unwrap();
        assert!(
            (input.bytes.len() as u64) < MAX_COMPONENT_BYTES / 100,
            "{name}"
        );
    }
}
