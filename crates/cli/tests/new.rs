//! The README's path for a new component, with the command installed by `cargo install
//! --path crates/cli`: in a copy of the repository (a git repository of its own),
//! `fusebox new` scaffolds a component that builds at once, passes its native tests and
//! exports what its WIT says; then a consumer of it; the composer fuses both with nothing
//! changed under `crates/`; and `fusebox compose` and `fusebox serve` make and serve the
//! artifact. Then a WASI 0.3 service (`--http`), fused behind the auth middleware.

use fusebox_compose::{Input, Manifest, component_externs, compose, read_inputs};
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
