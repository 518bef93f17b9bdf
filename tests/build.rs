//! Build the guest components that the tests load, and tell the tests where they are.
//!
//! This follows wasmtime's `test-programs/artifacts`: a nested `cargo build` for
//! `wasm32-wasip2` with the size-tuned `component` profile, into its own target
//! directory (`target/guests`, because the outer cargo holds the lock on `target/`),
//! then one path constant per component in `$OUT_DIR/components.rs`. The Python
//! calculator is built by its own script with componentize-py, the C one with clang,
//! the Zig one with Zig and the JavaScript one with componentize-js. So `cargo test` always
//! tests components built from the current sources, never a file that only a manual
//! `make` would have produced.
//!
//! It never installs anything and never reaches the network: `make test` installs
//! componentize-py into `target/py` (`make python`) before cargo runs. Without
//! it, the Python calculator is not built, a warning says so, and only the tests of the
//! Python artifact fail, naming the missing file.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates to build, and the constant each one's path is published as.
const GUESTS: &[(&str, &str)] = &[
    ("logger", "LOGGER"),
    ("calculator", "CALCULATOR"),
    ("auth", "AUTH"),
    ("http-handler", "HTTP_HANDLER"),
    ("http-service", "HTTP_SERVICE"),
    ("auth-middleware", "AUTH_MIDDLEWARE"),
    ("cli-virt", "CLI_VIRT"),
    ("config-draft", "CONFIG_DRAFT"),
    ("spin-variables", "SPIN_VARIABLES"),
    ("misbehaving-calculator", "MISBEHAVING_CALCULATOR"),
    ("overreaching-filesystem", "OVERREACHING_FILESYSTEM"),
    ("overreaching-sockets", "OVERREACHING_SOCKETS"),
    ("overreaching-environment", "OVERREACHING_ENVIRONMENT"),
];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap();
    let target_dir = workspace.join("target").join("guests");

    for watched in [
        "components",
        "target/py/bin/componentize-py",
        "target/npm/.pinned",
        "target/zig/bin/python",
        "tests/components",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }

    let mut cargo = Command::new(env::var_os("CARGO").unwrap());
    cargo
        .current_dir(workspace)
        .args([
            "build",
            "--profile",
            "component",
            "--target",
            "wasm32-wasip2",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        // Flags meant for the host build must not leak into the guest build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS");
    for (package, _) in GUESTS {
        cargo.args(["-p", package]);
    }
    let status = cargo
        .status()
        .expect("failed to run cargo for the guest components");
    if !status.success() {
        panic!(
            "building the guest components failed (see above); is the wasm32-wasip2 target \
             installed? `make tools` installs it"
        );
    }

    let out_dir = target_dir.join("wasm32-wasip2").join("component");
    let mut constants = format!(
        "/// The directory the guest components were built into.\n\
         pub const COMPONENTS_DIR: &str = {:?};\n",
        out_dir.display().to_string()
    );
    for (package, constant) in GUESTS {
        let path = out_dir.join(format!("{}.wasm", package.replace('-', "_")));
        assert!(
            path.exists(),
            "the guest build did not produce {}",
            path.display()
        );
        constants.push_str(&format!(
            "/// The `{package}` component, built for wasm32-wasip2.\npub const {constant}: &str = {:?};\n",
            path.display().to_string()
        ));
    }
    // The Python calculator, for the polyglot artifact (examples/polyglot/fusebox.toml).
    let python = target_dir.join("python").join("calculator_py.wasm");
    if workspace.join("target/py/bin/componentize-py").exists() {
        let status = Command::new(workspace.join("components/calculator-py/build.sh"))
            .arg(&python)
            .status()
            .expect("failed to run components/calculator-py/build.sh");
        assert!(
            status.success(),
            "building the Python calculator failed (see above)"
        );
    } else {
        // A build left from before must not pass for a current one.
        let _ = std::fs::remove_file(&python);
        println!(
            "cargo:warning=the Python calculator is not built: componentize-py is not in \
             target/py (`make python` installs it; `make test` runs it first)"
        );
    }
    constants.push_str(&format!(
        "/// The Python `calculator-py` component, built with componentize-py.\npub const CALCULATOR_PY: &str = {:?};\n",
        python.display().to_string()
    ));

    // The C calculator (examples/c/fusebox.toml), built by its script with clang-19 and
    // wasm-tools, which `make test` installs (scripts/ensure-c.sh).
    let c = target_dir.join("c").join("calculator_c.wasm");
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if have("clang-19") && have("wasm-tools") {
        let status = Command::new(workspace.join("components/calculator-c/build.sh"))
            .arg(&c)
            .status()
            .expect("failed to run components/calculator-c/build.sh");
        assert!(
            status.success(),
            "building the C calculator failed (see above)"
        );
    } else {
        let _ = std::fs::remove_file(&c);
        println!(
            "cargo:warning=the C calculator is not built: clang-19 or wasm-tools is missing \
             (scripts/ensure-c.sh installs them; `make test` runs it first)"
        );
    }
    constants.push_str(&format!(
        "/// The C `calculator-c` component, built freestanding with clang.\npub const CALCULATOR_C: &str = {:?};\n",
        c.display().to_string()
    ));

    // The Zig calculator (examples/zig/fusebox.toml), built with Zig from target/zig
    // (scripts/ensure-zig.sh) and wasm-tools.
    let zig = target_dir.join("zig").join("calculator_zig.wasm");
    if workspace.join("target/zig/bin/python").exists() && have("wasm-tools") {
        let status = Command::new(workspace.join("components/calculator-zig/build.sh"))
            .arg(&zig)
            .status()
            .expect("failed to run components/calculator-zig/build.sh");
        assert!(
            status.success(),
            "building the Zig calculator failed (see above)"
        );
    } else {
        let _ = std::fs::remove_file(&zig);
        println!(
            "cargo:warning=the Zig calculator is not built: Zig is not in target/zig or \
             wasm-tools is missing (scripts/ensure-zig.sh and scripts/ensure-c.sh install \
             them; `make test` runs them first)"
        );
    }
    constants.push_str(&format!(
        "/// The Zig `calculator-zig` component, built freestanding with Zig.\npub const CALCULATOR_ZIG: &str = {:?};\n",
        zig.display().to_string()
    ));

    // The JavaScript calculator (examples/js/fusebox.toml), built with componentize-js
    // from target/npm, which `make test` installs (scripts/ensure-node.sh).
    let js = target_dir.join("js").join("calculator_js.wasm");
    let node = workspace.join("target/npm/node_modules/.bin/node");
    if workspace
        .join("target/npm/node_modules/@bytecodealliance/componentize-js")
        .exists()
    {
        let status = Command::new(&node)
            .arg(workspace.join("components/calculator-js/build.mjs"))
            .arg(&js)
            .status()
            .expect("failed to run components/calculator-js/build.mjs");
        assert!(
            status.success(),
            "building the JavaScript calculator failed (see above)"
        );
    } else {
        let _ = std::fs::remove_file(&js);
        println!(
            "cargo:warning=the JavaScript calculator is not built: componentize-js is not \
             in target/npm (scripts/ensure-node.sh installs it; `make test` runs it first)"
        );
    }
    constants.push_str(&format!(
        "/// The JavaScript `calculator-js` component, built with componentize-js.\npub const CALCULATOR_JS: &str = {:?};\n",
        js.display().to_string()
    ));

    let generated = Path::new(&env::var_os("OUT_DIR").unwrap()).join("components.rs");
    std::fs::write(generated, constants).unwrap();
}
