//! `make new-component` scaffolds a component that builds at once: in a copy of the
//! repository, scaffold one, build it for wasm32-wasip2, run its native tests, and check
//! the component's interface.

use fusebox_compose::{Input, Role, component_externs};
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
fn a_scaffolded_component_builds_and_tests_at_once() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let copy = tempfile::tempdir().unwrap();
    copy_repository(repo, copy.path());
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
        .args(["scripts/new-component.sh", "demo-widget"]));
    assert!(
        out.contains("created wit/demo-widget and components/demo-widget"),
        "{out}"
    );

    let wasm = target.join("wasm32-wasip2/component/demo_widget.wasm");
    let _ = std::fs::remove_file(&wasm); // never pass on a stale build
    run(cargo().args([
        "build",
        "-p",
        "demo-widget",
        "--profile",
        "component",
        "--target",
        "wasm32-wasip2",
    ]));
    let out = run(cargo().args(["test", "-p", "demo-widget"]));
    assert!(out.contains("1 passed"), "{out}");

    let input = Input::read(Role::Calculator, &wasm).expect("the build produced a valid component");
    let (imports, exports) = component_externs(&input.bytes).unwrap();
    assert_eq!(exports, ["fusebox:demo-widget/api@0.1.0"]);
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
}
