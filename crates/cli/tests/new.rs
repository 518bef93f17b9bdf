//! The README's path for a new component, with the command installed by `cargo install
//! --path crates/cli`: in a copy of the repository (a git repository of its own),
//! `fusebox new` scaffolds a component that builds at once, passes its native tests and
//! exports what its WIT says; then a consumer of it; the composer fuses both with nothing
//! changed under `crates/`; and `fusebox compose` and `fusebox serve` make and serve the
//! artifact. Then a WASI 0.3 service (`--http`), fused behind the auth middleware. And the
//! same component in Python, JavaScript, C and Zig (`--lang`): each scaffolded, tested,
//! built with its toolchain, called in wasmtime, and fused by the copy's manifest.

use fusebox_compose::{Fused, Input, Manifest, component_externs, compose, read_inputs};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
    let repo = fusebox_tests::repo();
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
    // As on a fresh clone: cargo cannot load the workspace before the patched wasmtime
    // that Cargo.toml names exists (docs/host.md, "The patched wasmtime").
    run(Command::new("make")
        .current_dir(copy.path())
        .args(["--no-print-directory", "patched"]));
    // Share the guests' build cache so only the new crate compiles.
    let target: PathBuf = repo.join("target").join("guests");
    let cargo = || {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(copy.path())
            .env("CARGO_TARGET_DIR", &target);
        cmd
    };

    // Install the command as a user would, `cargo install --path crates/cli`, into a
    // root of the test's own (sharing this build's target directory, so that only what
    // differs is compiled), and drive that binary from here on.
    let root = tempfile::tempdir().unwrap();
    run(Command::new(env!("CARGO"))
        .current_dir(repo)
        .args([
            "install",
            "--path",
            "crates/cli",
            "--debug",
            "--locked",
            "--offline",
        ])
        .arg("--root")
        .arg(root.path())
        .arg("--target-dir")
        .arg(repo.join("target")));
    let installed = root.path().join("bin/fusebox");
    let fusebox = || {
        let mut cmd = Command::new(&installed);
        cmd.current_dir(copy.path());
        cmd
    };
    let out = run(fusebox().args(["new", "greeter"]));
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

    // A bad name, an existing one, and a --uses without an `api` are each refused before
    // anything is written: the copy's files stay exactly as they were.
    let before = git(&["status", "--porcelain", "--untracked-files=all"]);
    for (args, error) in [
        (&["new", "Bad_Name"][..], "the name must be kebab-case"),
        (&["new", "a-2b"][..], "the name must be kebab-case"),
        (&["new", "greeter"][..], "already exists"),
        (
            &["new", "other", "--uses", "logger"][..],
            "must name a component with an `api`",
        ),
    ] {
        let output = fusebox().args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("fusebox: error: ") && stderr.contains(error),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(
        git(&["status", "--porcelain", "--untracked-files=all"]),
        before
    );

    // A consumer of the greeter's interface: scaffolded, built, and fused with everything
    // else by the copy's own manifest.
    run(fusebox().args(["new", "greeter-client", "--uses", "greeter"]));
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
    let fused = compose_copy(copy.path(), &target);
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

    // No file under crates/ changed; what did change is the workspace and the manifest.
    assert_eq!(git(&["status", "--porcelain", "--", "crates/"]), "");
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

    // The same through the command, as a user would: compose the copy's manifest, then
    // serve the artifact and ask it for /healthz.
    let artifact = copy.path().join("target/fusebox/service.wasm");
    let out = run(fusebox()
        .args(["compose", "--components"])
        .arg(target.join("wasm32-wasip2/component"))
        .arg("--out")
        .arg(&artifact));
    assert!(
        out.contains("greeter -> greeter-client: fusebox:greeter/api@0.1.0"),
        "{out}"
    );
    assert!(out.contains("fusebox: warning: greeter-client ("), "{out}");
    let answers = serve(
        fusebox(),
        &artifact,
        &[],
        &["GET /healthz HTTP/1.1\r\nhost: x\r\n"],
    );
    assert!(answers[0].starts_with("HTTP/1.1 200"), "{}", answers[0]);

    // A WASI 0.3 service, scaffolded and put behind the auth middleware in the copy's
    // examples/p3 manifest by its chain line alone: the middleware is reusable.
    let out = run(fusebox().args([
        "new",
        "hello",
        "--http",
        "--manifest",
        "examples/p3/fusebox.toml",
    ]));
    assert!(
        out.contains("chain = [\"auth-middleware\", \"hello\"]"),
        "{out}"
    );
    let hello = target.join("wasm32-wasip2/component/hello.wasm");
    let _ = std::fs::remove_file(&hello);
    run(cargo().args([
        "build",
        "-p",
        "hello",
        "--profile",
        "component",
        "--target",
        "wasm32-wasip2",
    ]));
    let out = run(cargo().args(["test", "-p", "hello"]));
    assert!(out.contains("1 passed"), "{out}");
    let (imports, exports) = component_externs(&std::fs::read(&hello).unwrap()).unwrap();
    assert_eq!(exports, ["wasi:http/handler@0.3.0"]);
    assert_eq!(
        imports,
        ["fusebox:logger/log@0.1.0", "wasi:http/types@0.3.0"]
    );
    let p3 = copy.path().join("examples/p3/fusebox.toml");
    let text = std::fs::read_to_string(&p3).unwrap();
    let chain = "chain = [\"auth-middleware\", \"http-service\"]";
    assert!(text.contains(chain));
    std::fs::write(
        &p3,
        text.replace(chain, "chain = [\"auth-middleware\", \"hello\"]"),
    )
    .unwrap();
    let artifact = copy.path().join("target/fusebox/hello.wasm");
    let out = run(fusebox()
        .args([
            "compose",
            "--manifest",
            "examples/p3/fusebox.toml",
            "--components",
        ])
        .arg(target.join("wasm32-wasip2/component"))
        .arg("--out")
        .arg(&artifact));
    assert!(
        out.contains("hello -> auth-middleware: wasi:http/handler@0.3.0"),
        "{out}"
    );
    // No `auth.routes`: the middleware guards every request.
    let key = format!("auth.hs256-key={}", fusebox_tests::TEST_KEY);
    let token = fusebox_tests::token("alice", &["read"], 3600, fusebox_tests::TEST_KEY);
    let answers = serve(
        fusebox(),
        &artifact,
        &["--config", &key],
        &[
            "GET /hi HTTP/1.1\r\nhost: x\r\n",
            &format!("GET /hi HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n"),
            // A client cannot claim to be someone: its copy of the header is dropped.
            "GET /hi HTTP/1.1\r\nhost: x\r\nfusebox-principal: {\"subject\":\"root\"}\r\n",
        ],
    );
    assert!(answers[0].starts_with("HTTP/1.1 401"), "{}", answers[0]);
    assert!(answers[0].contains("\"missing-token\""), "{}", answers[0]);
    assert!(answers[1].starts_with("HTTP/1.1 200"), "{}", answers[1]);
    assert!(
        answers[1].contains("\"service\":\"hello\"")
            && answers[1].contains("\"subject\":\"alice\""),
        "{}",
        answers[1]
    );
    assert!(answers[2].starts_with("HTTP/1.1 401"), "{}", answers[2]);
}

#[test]
fn a_component_scaffolded_in_each_language_builds_answers_and_fuses() {
    let repo = fusebox_tests::repo();
    let copy = tempfile::tempdir().unwrap();
    copy_repository(repo, copy.path());
    // The toolchains `make test` installed under the repository's target/, shared.
    std::fs::create_dir(copy.path().join("target")).unwrap();
    for tools in ["py", "npm", "zig"] {
        std::os::unix::fs::symlink(
            repo.join("target").join(tools),
            copy.path().join("target").join(tools),
        )
        .unwrap();
    }
    let fusebox = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fusebox"));
        cmd.current_dir(copy.path());
        cmd
    };
    // Run a command line the scaffold printed, in the copy.
    let printed = |out: &str, what: &str| -> String {
        let line = out
            .lines()
            .find_map(|line| line.trim().strip_prefix(what))
            .unwrap_or_else(|| panic!("no `{what}` line in:\n{out}"));
        let mut words = line.split_whitespace();
        let program = copy.path().join(words.next().unwrap());
        run(Command::new(program).current_dir(copy.path()).args(words))
    };

    for (lang, passed) in [
        ("python", "OK"),
        ("js", "pass 1"),
        ("c", "logic tests passed"),
        ("zig", "All 1 tests passed"),
    ] {
        let started = std::time::Instant::now();
        let name = format!("greeter-{lang}");
        let out = run(fusebox().args(["new", &name, "--lang", lang]));
        assert!(
            out.contains(&format!(
                "created wit/{name}, components/{name} and [components.{name}] in fusebox.toml"
            )),
            "{out}"
        );
        let test = printed(&out, "test it: ");
        assert!(test.contains(passed), "{lang}: {test}");

        let wasm = copy
            .path()
            .join(format!("target/guests/{lang}/greeter_{lang}.wasm"));
        printed(&out, "build it: ");
        let bytes = std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
        let (imports, mut exports) = component_externs(&bytes).unwrap();
        if lang == "python" {
            // componentize-py also exports an `exports` instance of its own, which no
            // import can name, so the composer leaves it alone.
            exports.retain(|export| export != "exports");
        }
        assert_eq!(exports, [format!("fusebox:{name}/api@0.1.0")], "{lang}");
        assert!(
            imports.contains(&"fusebox:logger/log@0.1.0".to_owned()),
            "{lang}: {imports:?}"
        );
        if lang != "js" {
            // Nothing but what the world declares; componentize-js adds wasi:io and
            // wasi:http/types, which its manifest section denies.
            assert_eq!(imports.len(), 1, "{lang}: {imports:?}");
        }
        let (echoed, logged) = call_echo(&bytes, &name, "hello, wörld");
        assert_eq!(echoed, "hello, wörld", "{lang}");
        assert_eq!(logged, [(name.clone(), "echo".to_owned())], "{lang}");
        // What each language costs `make test` (shown with --nocapture).
        eprintln!(
            "{lang}: scaffolded, tested, built and called in {:.1?}",
            started.elapsed()
        );
    }

    // A C component's bindings are what wit-bindgen generates; the build checked them
    // against wit-bindgen-cli where it is installed. Here, they name the new world.
    let header = std::fs::read_to_string(
        copy.path()
            .join("components/greeter-c/bindings/greeter_c.h"),
    )
    .unwrap();
    assert!(
        header.contains("exports_fusebox_greeter_c_api_echo("),
        "{header}"
    );

    // The copy's manifest fuses all four with the Rust components, nothing changed under
    // crates/: each gets the logger, JavaScript's extra imports are denied, and the
    // composer warns that nothing imports from them yet.
    let target: PathBuf = repo.join("target").join("guests");
    let fused = compose_copy(copy.path(), &target);
    let wiring = fused.wiring_text();
    for lang in ["python", "js", "c", "zig"] {
        assert!(
            wiring.contains(&format!(
                "logger -> greeter-{lang}: fusebox:logger/log@0.1.0\n"
            )),
            "{wiring}"
        );
        assert!(
            fused
                .warnings
                .iter()
                .any(|w| w.starts_with(&format!("greeter-{lang} ("))),
            "{:?}",
            fused.warnings
        );
    }
    assert_eq!(fused.warnings.len(), 4, "{:?}", fused.warnings);
    let denial = fused
        .denied
        .iter()
        .find(|denial| denial.component == "greeter-js")
        .expect("greeter-js's section denies what componentize-js adds");
    assert!(
        denial
            .imports
            .iter()
            .any(|i| i.starts_with("wasi:http/types@")),
        "{:?}",
        denial.imports
    );
    assert_eq!(fused.denied.len(), 1, "{:?}", fused.denied);
}

/// Fuse the copy's `fusebox.toml`, with the Rust components from the guests' build in
/// `target`.
fn compose_copy(copy: &Path, target: &Path) -> Fused {
    let manifest = Manifest::from_file(&copy.join("fusebox.toml")).unwrap();
    let inputs = read_inputs(
        &manifest,
        &target.join("wasm32-wasip2/component"),
        &target.join("oci"),
    )
    .unwrap();
    compose(&manifest, &inputs).expect("the new components fuse")
}

/// Instantiate a scaffolded component in wasmtime with a logger that records each
/// event's origin and message (every other import traps), and call its `echo`.
fn call_echo(bytes: &[u8], name: &str, input: &str) -> (String, Vec<(String, String)>) {
    use wasmtime::component::{Component, Linker, Val};
    // A functional call, not a benchmark: compile without optimising, which is several
    // times faster for the 10 MiB or more that CPython or SpiderMonkey bring.
    let mut config = wasmtime::Config::new();
    config.cranelift_opt_level(wasmtime::OptLevel::None);
    let engine = wasmtime::Engine::new(&config).unwrap();
    let component = Component::new(&engine, bytes).unwrap();
    let mut linker = Linker::<Vec<(String, String)>>::new(&engine);
    linker
        .root()
        .instance("fusebox:logger/log@0.1.0")
        .unwrap()
        .func_new("event", |mut store, _, args, _| {
            let text = |val: &Val| match val {
                Val::String(text) => text.clone(),
                other => panic!("not a string: {other:?}"),
            };
            store.data_mut().push((text(&args[1]), text(&args[2])));
            Ok(())
        })
        .unwrap();
    linker.define_unknown_imports_as_traps(&component).unwrap();
    let mut store = wasmtime::Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let api = instance
        .get_export_index(&mut store, None, &format!("fusebox:{name}/api@0.1.0"))
        .unwrap();
    let echo = instance
        .get_export_index(&mut store, Some(&api), "echo")
        .unwrap();
    let echo = instance
        .get_typed_func::<(&str,), (String,)>(&mut store, &echo)
        .unwrap();
    let (out,) = echo.call(&mut store, (input,)).unwrap();
    (out, store.into_data())
}

/// Start `fusebox serve ARTIFACT ARGS` on a free port, send each raw request head (one
/// connection each, closed after it), and return the answers.
fn serve(mut fusebox: Command, artifact: &Path, args: &[&str], requests: &[&str]) -> Vec<String> {
    let mut server = fusebox
        .arg("serve")
        .arg(artifact)
        .args(["--addr", "127.0.0.1:0", "--threads", "1"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(server.stderr.take().unwrap());
    let addr = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            Some(
                line.split("on http://")
                    .nth(1)?
                    .split(' ')
                    .next()?
                    .to_owned(),
            )
        })
        .expect("fusebox serve says where it listens");
    let answers = requests
        .iter()
        .map(|head| {
            let mut stream = TcpStream::connect(&addr).unwrap();
            write!(stream, "{head}connection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        })
        .collect();
    server.kill().unwrap();
    server.wait().unwrap();
    answers
}
