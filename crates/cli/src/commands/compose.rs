//! `fusebox compose`: read a manifest, build the workspace crates it names, fuse them,
//! write the artifact atomically, and tell the user what went in, how it was wired and
//! what came out. All the work is in the `fusebox_compose` library.

use super::kib;
use anyhow::Context as _;
use fusebox_compose::build::{build_crates, workspace_root};
use fusebox_compose::manifest::Source;
use fusebox_compose::{
    GUEST_COMPONENTS_DIR, Lock, Manifest, OCI_STORE_DIR, compose, read_inputs, write_atomically,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fuse the components that a manifest (fusebox.toml) names into one component.
///
/// Builds the manifest's `{ crate = … }` sources in the Cargo workspace that holds it,
/// pulls and verifies its `{ oci = … }` sources, wires every import to the component that
/// exports it, checks the result against the manifest's world, and writes the artifact,
/// fusebox.lock, capabilities.md and composition.dot. A refused composition writes
/// nothing, and leaves an artifact already there as it was; each file is replaced whole.
#[derive(clap::Args)]
pub struct Compose {
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

impl Compose {
    /// Compose, report, and write.
    pub fn run(self) -> anyhow::Result<()> {
        let manifest = Manifest::from_file(&self.manifest)?;
        let workspace = workspace_root(manifest.dir());
        let has_crates = manifest
            .components
            .iter()
            .any(|c| matches!(c.source, Source::Crate(_)));
        let crate_dir = match &self.components {
            Some(dir) => dir.clone(),
            // Only `path` and `oci` sources: no workspace needed, nothing to look up.
            None if !has_crates => PathBuf::new(),
            None => {
                let workspace = workspace.as_ref().map_err(|e| anyhow::anyhow!("{e:#}"))?;
                if !self.no_build {
                    build_crates(&manifest, workspace)?;
                }
                workspace.join(GUEST_COMPONENTS_DIR)
            }
        };
        let oci_store = match (&self.oci_store, &workspace) {
            (Some(dir), _) => dir.clone(),
            (None, Ok(workspace)) => workspace.join(OCI_STORE_DIR),
            (None, Err(_)) => manifest.resolve(Path::new(OCI_STORE_DIR)),
        };

        let inputs = read_inputs(&manifest, &crate_dir, &oci_store)?;
        println!("{}: {} components", self.manifest.display(), inputs.len());
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
        if self.locked {
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
            eprintln!("fusebox: warning: {warning}");
        }

        let out = self.out.as_ref().unwrap_or(&manifest.artifact.out);
        write_atomically(out, &fused.bytes)?;
        println!("\nwrote {} ({})", out.display(), kib(fused.bytes.len()));
        println!("exports:");
        for export in &fused.exports {
            println!("  {export} (from {})", fused.exporter);
        }
        if !self.locked {
            write_atomically(&lock_path, lock.to_toml().as_bytes())?;
            println!("lock: {}", lock_path.display());
        }
        if let Some(wac) = &self.emit_wac {
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
        match render_svg(&dot_path).unwrap_or_else(|e| {
            eprintln!("fusebox: warning: no SVG of the graph: {e:#}");
            None
        }) {
            Some(svg) => println!("graph: {} and {}", dot_path.display(), svg.display()),
            None => println!(
                "graph: {} (install Graphviz `dot` to also get an SVG)",
                dot_path.display()
            ),
        }
        Ok(())
    }
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
