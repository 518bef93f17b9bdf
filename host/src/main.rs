//! `fusebox`: the command-line face of the `fusebox_host` library.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use fusebox_host::token;
use std::path::PathBuf;
use std::time::Duration;

/// fusebox's native tools.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print an HS256 bearer token that the auth component accepts.
    ///
    /// The key is read from --key-file, or else from the FUSEBOX_HS256_KEY environment
    /// variable; it must be the same key the host gives the artifact as the config
    /// value `auth.hs256-key`, and at least 32 bytes long.
    Token {
        /// The `sub` claim: who the token speaks for.
        #[arg(long)]
        sub: String,
        /// A scope to grant; repeat for several (the API's calculator needs `calc`).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// How long the token is valid, such as 90s, 15m, 1h or 7d.
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: Duration,
        /// A file holding the key (trailing newlines are ignored).
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Token {
            sub,
            scopes,
            ttl,
            key_file,
        } => {
            let key = match key_file {
                Some(path) => std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the key file {}", path.display()))?
                    .trim_end_matches(['\n', '\r'])
                    .to_owned(),
                None => std::env::var("FUSEBOX_HS256_KEY")
                    .context("no key: pass --key-file or set FUSEBOX_HS256_KEY")?,
            };
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let claims = token::Claims::new(sub, &scopes, ttl);
            println!("{}", token::mint(&claims, key.as_bytes())?);
        }
    }
    Ok(())
}
