//! `make new-component` scaffolds a component that builds at once and fuses with no
//! change to the composer: in a copy of the repository (a git repository of its own),
//! scaffold one, build it for wasm32-wasip2, run its native tests, check its interface,
//! then scaffold a consumer of it, and compose the copy's `fusebox.toml` with both, while
//! `git status` shows nothing changed under `compose/`.

use fusebox_compose::{Input, Manifest, component_externs, compose, read_inputs};
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// Copy the files git knows about (tracked, or new and not ignored) into `dest`.
fn copy_repository(repo: &Path, dest: &Path) {
    let files = run(Command::new("git").current_dir(repo).args([
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
    ]));
    for file in files.lines() {
        let (from, to) = (repo.join(file), dest.join(file));
        if from.is_file() {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
}

#[test]
fn a_scaffolded_component_builds_tests_and_fuses_without_touching_the_composer() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let copy = tempfile::tempdir().unwrap();
    copy_repository(repo, copy.path());
    let git = |args: &[&str]| {
        run(Command::new("git")
            .current_dir(copy.path())
            .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
            .args(args))
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "the repository as it is"]);
    // Share the guests' build cache so only the new crate compiles.
    let target: PathBuf = repo.join("target").join("guests");
    let cargo = || {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(copy.path())
            .env("CARGO_TARGET_DIR", &target);
        cmd
    };

    let out = run(Command::new("bash")
        .current_dir(copy.path())
        .args(["scripts/new-component.sh", "greeter"]));
    assert!(
        out.contains(
            "created wit/greeter, components/greeter and [components.greeter] in fusebox.toml"
        ),
        "{out}"
    );

    let wasm = target.join("wasm32-wasip2/component/greeter.wasm");
    let _ = std::fs::remove_file(&wasm); // never pass on a stale build
    run(cargo().args([
        "build",
        "-p",
        "greeter",
        "--profile",
        "component",
        "--target",
        "wasm32-wasip2",
    ]));
    let out = run(cargo().args(["test", "-p", "greeter"]));
    assert!(out.contains("1 passed"), "{out}");

    let input = Input::from_bytes("greeter", &wasm, std::fs::read(&wasm).unwrap())
        .expect("the build produced a valid component");
    let (imports, exports) = component_externs(&input.bytes).unwrap();
    assert_eq!(exports, ["fusebox:greeter/api@0.1.0"]);
    // no_std like the other components: nothing but what its world declares.
    assert_eq!(imports, ["fusebox:logger/log@0.1.0"]);

    // A bad name is refused before anything is written.
    let output = Command::new("bash")
        .current_dir(copy.path())
        .args(["scripts/new-component.sh", "Bad_Name"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("kebab-case"));
    assert!(!copy.path().join("components/Bad_Name").exists());

    // A consumer of the greeter's interface: scaffolded, built, and fused with everything
    // else by the copy's own manifest.
    run(Command::new("bash").current_dir(copy.path()).args([
        "scripts/new-component.sh",
        "greeter-client",
        "greeter",
    ]));
    let client = target.join("wasm32-wasip2/component/greeter_client.wasm");
    let _ = std::fs::remove_file(&client);
    run(cargo().args([
        "build",
        "-p",
        "greeter-client",
        "--profile",
        "component",
        "--target",
        "wasm32-wasip2",
    ]));
    let manifest = Manifest::from_file(&copy.path().join("fusebox.toml")).unwrap();
    let inputs = read_inputs(
        &manifest,
        &target.join("wasm32-wasip2/component"),
        &target.join("oci"),
    )
    .unwrap();
    let fused = compose(&manifest, &inputs).expect("the new components fuse");
    let wiring = fused.wiring_text();
    assert!(
        wiring.contains("greeter -> greeter-client: fusebox:greeter/api@0.1.0\n"),
        "{wiring}"
    );
    assert!(
        wiring.contains("logger -> greeter: fusebox:logger/log@0.1.0\n"),
        "{wiring}"
    );
    assert!(fused.components.contains(&"greeter-client".to_owned()));
    // Nothing imports from the client yet, and the composer says so.
    assert_eq!(fused.warnings.len(), 1, "{:?}", fused.warnings);
    assert!(
        fused.warnings[0].starts_with("greeter-client (")
            && fused.warnings[0].ends_with(
                "is fused, but no component imports from it and [artifact] does not export it"
            ),
        "{:?}",
        fused.warnings
    );

    // No file under compose/ changed; what did change is the workspace and the manifest.
    assert_eq!(git(&["status", "--porcelain", "--", "compose/"]), "");
    let changed = git(&["status", "--porcelain"]);
    for path in [
        "Cargo.toml",
        "Cargo.lock",
        "fusebox.toml",
        "components/greeter/",
        "components/greeter-client/",
        "wit/greeter/",
        "wit/greeter-client/",
    ] {
        assert!(changed.contains(path), "{path} not in:\n{changed}");
    }
    assert_eq!(changed.lines().count(), 7, "{changed}");
}
