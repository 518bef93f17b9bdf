//! `fusebox-compose`: the command-line face of the `fusebox_compose` library.
//!
//! It reads the built components, fuses them, writes the artifact atomically, and tells
//! the user what went in and what came out. All the work is in the library.

use anyhow::Context as _;
use clap::Parser;
use fusebox_compose::{Components, Policy, compose, write_atomically};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Fuse the fusebox components into one wasi:http/proxy component.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Directory holding logger.wasm, calculator.wasm, auth.wasm, http_handler.wasm and
    /// cli_virt.wasm, as `make components` leaves them.
    #[arg(long, default_value = "target/guests/wasm32-wasip2/component")]
    components: PathBuf,

    /// Where to write the fused component. Beside it go the capability report
    /// (capabilities.md) and the composition graph (composition.dot, and composition.svg
    /// when Graphviz `dot` is installed).
    #[arg(long, short, default_value = "target/fusebox/service.wasm")]
    out: PathBuf,

    /// The capability policy: what each component, and the artifact, may import.
    #[arg(long, default_value = "compose/policy.toml")]
    policy: PathBuf,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fusebox-compose: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let policy = Policy::from_file(&args.policy)?;
    let components = Components::from_dir(&args.components)?;
    println!("fusing {} components:", components.all().len());
    for input in components.all() {
        println!(
            "  {:<13} {:>10}  {}",
            input.role.name(),
            kib(input.bytes.len()),
            input.path.display()
        );
    }

    let fused = compose(&components, &policy)?;
    write_atomically(&args.out, &fused.bytes)?;
    println!("wrote {} ({})", args.out.display(), kib(fused.bytes.len()));
    println!("exports:");
    for export in &fused.exports {
        println!("  {export}");
    }
    let report = fused.capability_report(&policy);
    let report_path = args.out.with_file_name("capabilities.md");
    write_atomically(&report_path, report.as_bytes())?;
    println!("\n{report}");
    println!("capability report: {}", report_path.display());

    let dot_path = args.out.with_file_name("composition.dot");
    write_atomically(&dot_path, fused.to_dot().as_bytes())?;
    match render_svg(&dot_path)? {
        Some(svg) => println!("graph: {} and {}", dot_path.display(), svg.display()),
        None => println!(
            "graph: {} (install Graphviz `dot` to also get an SVG)",
            dot_path.display()
        ),
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

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
