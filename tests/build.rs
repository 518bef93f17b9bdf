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
    // The components in other languages, each built by its own script with its own
    // toolchain, which `make test` installs first (`make python`, `make c`, `make zig`,
    // `make node`).
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let node = workspace.join("target/npm/node_modules/.bin/node");
    let script = |path: &str| Command::new(workspace.join(path));
    let foreign = [
        Foreign {
            name: "Python calculator",
            constant: "CALCULATOR_PY",
            file: "python/calculator_py.wasm",
            toolchain: "componentize-py, in target/py (`make python`)",
            ready: workspace.join("target/py/bin/componentize-py").exists(),
            build: script("components/calculator-py/build.sh"),
        },
        Foreign {
            name: "C calculator",
            constant: "CALCULATOR_C",
            file: "c/calculator_c.wasm",
            toolchain: "clang-19 and wasm-tools (`make c`)",
            ready: have("clang-19") && have("wasm-tools"),
            build: script("components/calculator-c/build.sh"),
        },
        Foreign {
            name: "C logger",
            constant: "LOGGER_C",
            file: "c/logger_c.wasm",
            toolchain: "clang-19 and wasm-tools (`make c`)",
            ready: have("clang-19") && have("wasm-tools"),
            build: script("components/logger-c/build.sh"),
        },
        Foreign {
            name: "Zig calculator",
            constant: "CALCULATOR_ZIG",
            file: "zig/calculator_zig.wasm",
            toolchain: "Zig in target/zig (`make zig`) and wasm-tools (`make c`)",
            ready: workspace.join("target/zig/bin/python").exists() && have("wasm-tools"),
            build: script("components/calculator-zig/build.sh"),
        },
        Foreign {
            name: "JavaScript calculator",
            constant: "CALCULATOR_JS",
            file: "js/calculator_js.wasm",
            toolchain: "componentize-js (`make node` puts it in target/npm)",
            ready: workspace
                .join("target/npm/node_modules/@bytecodealliance/componentize-js")
                .exists(),
            build: {
                let mut node = Command::new(&node);
                node.arg(workspace.join("components/calculator-js/build.mjs"));
                node
            },
        },
    ];
    for mut component in foreign {
        let out = target_dir.join(component.file);
        if component.ready {
            let status = component
                .build
                .arg(&out)
                .status()
                .unwrap_or_else(|e| panic!("building the {}: {e}", component.name));
            assert!(
                status.success(),
                "building the {} failed (see above)",
                component.name
            );
        } else {
            // A build left from before must not pass for a current one.
            let _ = std::fs::remove_file(&out);
            println!(
                "cargo:warning=the {} is not built: it needs {}, which `make test` \
                 installs first; only the tests of its artifact fail",
                component.name, component.toolchain
            );
        }
        constants.push_str(&format!(
            "/// The {}, built by its own script.\npub const {}: &str = {:?};\n",
            component.name,
            component.constant,
            out.display().to_string()
        ));
    }

    let generated = Path::new(&env::var_os("OUT_DIR").unwrap()).join("components.rs");
    std::fs::write(generated, constants).unwrap();
}

/// A component in another language, and how `build.rs` builds it.
struct Foreign {
    /// What it is, for messages: "C logger".
    name: &'static str,
    /// The constant its path is published as.
    constant: &'static str,
    /// Its file under `target/guests`.
    file: &'static str,
    /// What it needs, for the warning when that is missing.
    toolchain: &'static str,
    /// Whether that is installed.
    ready: bool,
    /// The command that builds it, given the output path.
    build: Command,
}
