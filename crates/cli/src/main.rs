//! `fusebox`: one command for the whole path from WIT to a served artifact.
//!
//! Each verb is a small struct in [`commands`] with a `run` method, a thin layer over the
//! library that does the work:
//! - `new`: scaffold a component (this crate's templates);
//! - `compose`, `inspect`: fuse a manifest's components, read any component back
//!   (`fusebox_compose`);
//! - `serve`: serve a `wasi:http` component over HTTP/1.1 (`fusebox_runtime`);
//! - `keygen`, `push`, `pull`, `sign`, `verify`: components in OCI registries, signed in
//!   cosign's format (`fusebox_registry`).
//!
//! Every error is printed the same way, `fusebox: error: <what>: <why>`, and exits 1 (a
//! command line clap cannot parse exits 2, with clap's usage message).

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod commands;

/// Fuse WebAssembly components into one artifact, and serve it.
///
/// The usual path: `fusebox new NAME` scaffolds a component, `fusebox compose` fuses
/// what fusebox.toml names into one component, `fusebox serve` serves it over HTTP.
#[derive(Parser)]
#[command(name = "fusebox", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    New(commands::new::New),
    Compose(commands::compose::Compose),
    Inspect(commands::inspect::Inspect),
    Serve(commands::serve::Serve),
    Keygen(commands::keygen::Keygen),
    Push(commands::push::Push),
    Pull(commands::pull::Pull),
    Sign(commands::sign::Sign),
    Verify(commands::verify::Verify),
}

fn main() -> ExitCode {
    // SAFETY: nothing has started a thread yet.
    unsafe { fusebox_runtime::quiet_library_backtraces() };
    let result = match Cli::parse().command {
        Command::New(command) => command.run(),
        Command::Compose(command) => command.run(),
        Command::Inspect(command) => command.run(),
        Command::Serve(command) => command.run(),
        Command::Keygen(command) => command.run(),
        Command::Push(command) => command.run(),
        Command::Pull(command) => command.run(),
        Command::Sign(command) => command.run(),
        Command::Verify(command) => command.run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fusebox: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
