//! `fusebox-compose`: the command-line face of the `fusebox_compose` library.
//!
//! `fusebox-compose` (no subcommand) reads `fusebox.toml`, builds the workspace crates it
//! names, fuses them, writes the artifact atomically, and tells the user what went in,
//! how it was wired and what came out. `fusebox-compose inspect ARTIFACT` reads any
//! component back. All the work is in the library.

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use fusebox_compose::manifest::Source;
use fusebox_compose::{
    GUEST_COMPONENTS_DIR, Lock, Manifest, OCI_STORE_DIR, Provenance, component_externs, compose,
    hex, read_inputs, write_atomically,
};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Fuse the components that fusebox.toml names into one component.
#[derive(Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Commands>,
    #[command(flatten)]
    compose: ComposeArgs,
}

#[derive(Subcommand)]
enum Commands {
    /// Print a component's imports, exports and, when fusebox-compose made it, its
    /// provenance: the inputs with their digests, and the wiring.
    Inspect {
        /// The component to read: any `.wasm` component, made here or elsewhere.
        artifact: PathBuf,
    },
}

#[derive(Args)]
struct ComposeArgs {
    /// The composition manifest.
    #[arg(long, short, default_value = "fusebox.toml")]
    manifest: PathBuf,

    /// Where to write the fused component, instead of [artifact].out. Beside it go the
    /// capability report (capabilities.md) and the composition graph (composition.dot,
    /// and composition.svg when Graphviz `dot` is installed).
    #[arg(long, short)]
    out: Option<PathBuf>,

    /// Look up `{ crate = … }` sources in this directory instead of building them.
    #[arg(long)]
    components: Option<PathBuf>,

    /// Keep components pulled for `{ oci = … }` sources in this directory, by digest
    /// [default: target/fusebox/oci in the manifest's workspace].
    #[arg(long, env = "FUSEBOX_OCI_STORE", value_name = "DIR")]
    oci_store: Option<PathBuf>,

    /// Do not build `{ crate = … }` sources; use what the last build left.
    #[arg(long)]
    no_build: bool,

    /// Refuse to compose if any input differs from fusebox.lock, and leave the lock
    /// alone.
    #[arg(long)]
    locked: bool,

    /// Also write the resolved composition as a WAC document to this file.
    #[arg(long, value_name = "FILE")]
    emit_wac: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Commands::Inspect { artifact }) => inspect(artifact),
        None => run(&cli.compose),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fusebox-compose: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &ComposeArgs) -> anyhow::Result<()> {
    let manifest = Manifest::from_file(&args.manifest)?;
    let workspace = workspace_root(manifest.dir());
    let crate_dir = match &args.components {
        Some(dir) => dir.clone(),
        None => {
            let workspace = workspace.as_ref().map_err(|e| anyhow::anyhow!("{e:#}"))?;
            if !args.no_build {
                build_crates(&manifest, workspace)?;
            }
            workspace.join(GUEST_COMPONENTS_DIR)
        }
    };
    let oci_store = match (&args.oci_store, &workspace) {
        (Some(dir), _) => dir.clone(),
        (None, Ok(workspace)) => workspace.join(OCI_STORE_DIR),
        (None, Err(_)) => manifest.resolve(Path::new(OCI_STORE_DIR)),
    };

    let inputs = read_inputs(&manifest, &crate_dir, &oci_store)?;
    println!("{}: {} components", args.manifest.display(), inputs.len());
    for (input, spec) in inputs.iter().zip(&manifest.components) {
        println!(
            "  {:<16} {:>10}  {:<24} {}",
            input.name,
            kib(input.bytes.len()),
            spec.source.to_string(),
            shorter(&input.path).display()
        );
    }

    let lock_path = Lock::path_for(&manifest);
    let lock = Lock::new(&manifest, &inputs)?;
    if args.locked {
        Lock::read(&lock_path)?.check(&lock, &lock_path, &manifest)?;
        println!("every input matches {}", lock_path.display());
    }

    let fused = compose(&manifest, &inputs)?;
    println!("\nwiring:");
    for line in fused.wiring_text().lines() {
        println!("  {line}");
    }
    for name in &fused.left_out {
        println!("  ({name} left out: optional, and nothing imports from it)");
    }
    for warning in &fused.warnings {
        eprintln!("fusebox-compose: warning: {warning}");
    }

    let out = args.out.as_ref().unwrap_or(&manifest.artifact.out);
    write_atomically(out, &fused.bytes)?;
    println!("\nwrote {} ({})", out.display(), kib(fused.bytes.len()));
    println!("exports:");
    for export in &fused.exports {
        println!("  {export} (from {})", fused.exporter);
    }
    if !args.locked {
        write_atomically(&lock_path, lock.to_toml().as_bytes())?;
        println!("lock: {}", lock_path.display());
    }
    if let Some(wac) = &args.emit_wac {
        write_atomically(wac, fused.to_wac(&manifest).as_bytes())?;
        println!("wac: {}", wac.display());
    }

    let report = fused.capability_report(&manifest);
    let report_path = out.with_file_name("capabilities.md");
    write_atomically(&report_path, report.as_bytes())?;
    println!("\n{report}");
    println!("capability report: {}", report_path.display());

    let dot = fused.to_dot(&manifest);
    let dot_path = out.with_file_name("composition.dot");
    write_atomically(&dot_path, dot.as_bytes())?;
    println!("\n{dot}");
    match render_svg(&dot_path)? {
        Some(svg) => println!("graph: {} and {}", dot_path.display(), svg.display()),
        None => println!(
            "graph: {} (install Graphviz `dot` to also get an SVG)",
            dot_path.display()
        ),
    }
    Ok(())
}

/// The Cargo workspace that holds `dir`.
fn workspace_root(dir: &Path) -> anyhow::Result<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let output = Command::new(cargo())
        .current_dir(dir)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .context("failed to run `cargo locate-project`")?;
    anyhow::ensure!(
        output.status.success(),
        "{} is not in a Cargo workspace, so its `crate` sources cannot be built (pass \
         --components DIR to use components built elsewhere): {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let manifest = PathBuf::from(String::from_utf8(output.stdout)?.trim());
    Ok(manifest.parent().unwrap_or(Path::new(".")).to_owned())
}

/// Build every `{ crate = … }` source for wasm32-wasip2 with the size-tuned `component`
/// profile, in one cargo run, into `target/guests`.
fn build_crates(manifest: &Manifest, workspace: &Path) -> anyhow::Result<()> {
    let crates: Vec<&str> = manifest
        .components
        .iter()
        .filter_map(|c| match &c.source {
            Source::Crate(krate) => Some(krate.as_str()),
            Source::Path(_) | Source::Oci { .. } => None,
        })
        .collect();
    if crates.is_empty() {
        return Ok(());
    }
    let mut cargo = Command::new(cargo());
    cargo
        .current_dir(workspace)
        .args(["build", "--quiet", "--profile", "component"])
        .args(["--target", "wasm32-wasip2", "--target-dir"])
        .arg(workspace.join("target/guests"))
        // Flags meant for the host build must not leak into the guest build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS");
    for krate in &crates {
        cargo.args(["-p", krate]);
    }
    println!("building {}", crates.join(", "));
    let status = cargo.status().context("failed to run cargo")?;
    anyhow::ensure!(
        status.success(),
        "building the crate sources of {} failed (see above)",
        manifest.path().display()
    );
    Ok(())
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// `fusebox-compose inspect`: what any component imports and exports, and its fusebox
/// provenance if it has one.
fn inspect(path: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let input = fusebox_compose::Input::from_bytes("inspected", path, bytes)?;
    let digest = hex(&<sha2::Sha256 as sha2::Digest>::digest(&input.bytes));
    println!(
        "{}: {}, sha256 {digest}",
        path.display(),
        kib(input.bytes.len())
    );
    let (imports, exports) = component_externs(&input.bytes)?;
    println!("imports:");
    for import in &imports {
        println!("  {import}");
    }
    println!("exports:");
    for export in &exports {
        println!("  {export}");
    }
    match Provenance::read(&input.bytes)? {
        None => println!(
            "provenance: none (no `{}` section: not made by fusebox-compose)",
            fusebox_compose::provenance::SECTION
        ),
        Some(p) => {
            println!("provenance ({}):", fusebox_compose::provenance::SECTION);
            println!("  composer: {}", p.composer);
            println!("  manifest: {}", p.manifest);
            println!("  export:   {}", p.export);
            println!("  inputs:");
            for i in &p.inputs {
                println!(
                    "    {:<16} {:>10}  sha256 {}  {}",
                    i.name,
                    kib(i.size as usize),
                    i.sha256,
                    i.source
                );
                println!("      packages: {}", i.packages.join(", "));
            }
            println!("  wiring:");
            for line in &p.wiring {
                println!("    {line}");
            }
        }
    }
    Ok(())
}

/// Render the DOT file to SVG beside it with Graphviz, if `dot` is installed.
fn render_svg(dot_path: &Path) -> anyhow::Result<Option<PathBuf>> {
    let svg_path = dot_path.with_extension("svg");
    let output = match Command::new("dot").arg("-Tsvg").arg(dot_path).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).context("failed to run Graphviz `dot`"),
    };
    anyhow::ensure!(
        output.status.success(),
        "Graphviz `dot` failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    write_atomically(&svg_path, &output.stdout)?;
    Ok(Some(svg_path))
}

/// `path` relative to the working directory, when it is below it.
fn shorter(path: &Path) -> &Path {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path)
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
