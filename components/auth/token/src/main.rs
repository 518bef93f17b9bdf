//! `auth-token`: print a bearer token that the example auth component accepts.
//!
//! A development helper, not part of the runtime: the runtime knows no component, and
//! gives the auth component its key as a plain config value (`fusebox serve --config
//! auth.hs256-key=@FILE`). Sign tokens with the same file:
//!
//! ```sh
//! cargo run -q -p auth-token -- --key-file target/fusebox/dev.key --sub alice --scope calc
//! ```

use anyhow::Context as _;
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

/// Print an HS256 bearer token that the example auth component accepts.
///
/// The key must be the one the host gives the artifact as `auth.hs256-key` (at least 32
/// bytes).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The `sub` claim: who the token speaks for.
    #[arg(long)]
    sub: String,
    /// A scope to grant; repeat for several (the calculator endpoints need `calc`).
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// How long the token is valid, such as 90s, 15m, 1h or 7d.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    ttl: Duration,
    /// A file holding the key (trailing newlines are ignored).
    #[arg(long, env = "AUTH_TOKEN_KEY_FILE")]
    key_file: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let key = std::fs::read_to_string(&args.key_file)
        .with_context(|| format!("cannot read the key file {}", args.key_file.display()))?;
    let key = key.trim_end_matches(['\n', '\r']);
    let scopes: Vec<&str> = args.scopes.iter().map(String::as_str).collect();
    let claims = auth_token::Claims::new(args.sub, &scopes, args.ttl);
    println!("{}", auth_token::mint(&claims, key.as_bytes())?);
    Ok(())
}
