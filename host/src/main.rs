//! `fusebox`: the command-line face of the `fusebox_host` library.
//!
//! - `fusebox serve`: run the fused artifact over HTTP/1.1, one fresh instance per request.
//! - `fusebox token`: print a bearer token that the artifact's auth component accepts.
//! - `fusebox keygen`, `push`, `pull`, `sign`, `verify`: components in OCI registries,
//!   signed in cosign's format (the `fusebox_registry` library).

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use fusebox_host::runtime::{Allocator, Limits, Runtime, RuntimeConfig};
use fusebox_host::{AUTH_KEY_CONFIG as KEY_CONFIG, server, token};
use fusebox_registry::{Pinned, PrivateKey, PublicKey, Registry};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The environment variable both subcommands read the key from.
const KEY_ENV: &str = "FUSEBOX_HS256_KEY";

/// fusebox's native tools: a host for the fused artifact, a token minter, and a client for
/// components in OCI registries.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a fused wasi:http/proxy component over HTTP/1.1.
    ///
    /// Every request runs in a fresh instance under a deadline and a memory limit, and the
    /// component gets only wasi:http/proxy and wasi:config/store. One JSON access-log
    /// line per request goes to stdout; the component's stderr goes to stderr, tagged
    /// with the request id. SIGINT or SIGTERM stops accepting and drains in-flight
    /// requests.
    Serve(Serve),
    /// Print an HS256 bearer token that the auth component accepts.
    ///
    /// The key comes from --key-file or FUSEBOX_HS256_KEY and must be the one the host
    /// gives the artifact as `auth.hs256-key` (at least 32 bytes).
    Token(Token),
    /// Make a P-256 key pair for signing components: PREFIX.key (PKCS#8 PEM, mode 0600)
    /// and PREFIX.pub (the public key, the form `cosign verify --key` reads).
    Keygen {
        /// The path without extension, such as keys/publisher.
        prefix: PathBuf,
    },
    /// Push a component or a fused artifact to a registry as a wasm OCI artifact.
    ///
    /// Prints the pinned reference, REF@sha256:<digest>, on stdout: what `sign`, `pull`
    /// and a manifest's `oci` source take. Registries on loopback are spoken to over
    /// plain HTTP; credentials come from FUSEBOX_REGISTRY_USERNAME and
    /// FUSEBOX_REGISTRY_PASSWORD.
    Push {
        /// The component file.
        file: PathBuf,
        /// Where to push it: registry/repository[:tag] (tag `latest` if none).
        reference: String,
        /// The world to record in the artifact's config; a component exporting
        /// wasi:http/incoming-handler is recorded as targeting wasi:http/proxy.
        #[arg(long)]
        target: Option<String>,
    },
    /// Pull a component by digest, check the digest and that it is a component, and write
    /// it to a file (atomically).
    Pull {
        /// registry/repository@sha256:<digest>.
        reference: String,
        /// The file to write.
        #[arg(long, short)]
        out: PathBuf,
        /// Also require a signature made with this public key.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Sign a pushed manifest in cosign's format, under the tag sha256-<hex>.sig.
    Sign {
        /// registry/repository@sha256:<digest>.
        reference: String,
        /// The private key (PKCS#8 PEM, as `fusebox keygen` writes).
        #[arg(long)]
        key: PathBuf,
    },
    /// Check that a pushed manifest carries a signature made with a public key.
    Verify {
        /// registry/repository@sha256:<digest>.
        reference: String,
        /// The public key (PEM).
        #[arg(long)]
        key: PathBuf,
    },
}

#[derive(clap::Args)]
struct Serve {
    /// The fused component to serve.
    #[arg(default_value = "target/fusebox/service.wasm")]
    artifact: PathBuf,
    /// The address to listen on.
    #[arg(long, env = "FUSEBOX_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// A file holding the HS256 key, given to the component as `auth.hs256-key`
    /// (trailing newlines are ignored). Without it, FUSEBOX_HS256_KEY is used if set.
    /// The key is never logged.
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// A `key=value` for wasi:config/store; repeat for several.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = parse_pair)]
    config: Vec<(String, String)>,
    /// A file of `key=value` lines for wasi:config/store (`#` starts a comment). Values
    /// given with --config win.
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// How many instances may run at once; further requests get 503 instead of waiting.
    #[arg(long, default_value_t = Limits::default().max_instances)]
    max_instances: usize,
    /// How long one request may take (such as 500ms or 5s); past it, 504.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    deadline: Duration,
    /// The linear memory one instance may use, in MiB; growing past it traps (500).
    #[arg(long, default_value_t = 64)]
    memory_limit_mib: usize,
    /// The largest request body passed to the component, in bytes; larger gets 413.
    #[arg(long, default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: u64,
    /// How instances are allocated: pooling (pre-reserved slots with copy-on-write
    /// memory images) or on-demand.
    #[arg(long, value_enum, default_value_t = AllocatorArg::Pooling)]
    allocator: AllocatorArg,
    /// Keep compiled code in this directory (wasmtime's compilation cache), so that a
    /// restart with the same artifact and settings skips compiling it. Worth it for a
    /// large artifact, such as one with a Python component (seconds to compile).
    #[arg(long, env = "FUSEBOX_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// How many threads serve requests, each with its own single-threaded runtime and
    /// its own share of the connections. By default, one per core this process may run
    /// on (so `taskset -c 0 fusebox serve` gets one).
    #[arg(long, env = "FUSEBOX_THREADS")]
    threads: Option<std::num::NonZeroUsize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum AllocatorArg {
    Pooling,
    OnDemand,
}

#[derive(clap::Args)]
struct Token {
    /// The `sub` claim: who the token speaks for.
    #[arg(long)]
    sub: String,
    /// A scope to grant; repeat for several (the calculator endpoints need `calc`).
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// How long the token is valid, such as 90s, 15m, 1h or 7d.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    ttl: Duration,
    /// A file holding the key (trailing newlines are ignored); else FUSEBOX_HS256_KEY.
    #[arg(long)]
    key_file: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    // SAFETY: nothing has started a thread yet.
    unsafe { fusebox_host::quiet_library_backtraces() };
    match Cli::parse().command {
        Command::Serve(args) => serve(args),
        Command::Token(args) => {
            let key = read_key(args.key_file.as_deref())?
                .with_context(|| format!("no key: pass --key-file or set {KEY_ENV}"))?;
            let scopes: Vec<&str> = args.scopes.iter().map(String::as_str).collect();
            let claims = token::Claims::new(args.sub, &scopes, args.ttl);
            println!("{}", token::mint(&claims, key.as_bytes())?);
            Ok(())
        }
        Command::Keygen { prefix } => {
            let (private, public) = fusebox_registry::generate_key_pair(&prefix)?;
            eprintln!(
                "wrote {} (keep it secret) and {}",
                private.display(),
                public.display()
            );
            Ok(())
        }
        Command::Push {
            file,
            reference,
            target,
        } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("cannot read the component {}", file.display()))?;
            let size = bytes.len();
            let reference = fusebox_registry::parse_reference(&reference)?;
            let pinned = Registry::new()?.push(bytes, &reference, target)?;
            eprintln!(
                "pushed {} ({size} bytes) to {}",
                file.display(),
                reference.whole()
            );
            println!("{pinned}");
            Ok(())
        }
        Command::Pull {
            reference,
            out,
            key,
        } => {
            let pinned = Pinned::parse(&reference)?;
            let registry = Registry::new()?;
            if let Some(key) = &key {
                registry.verify(&pinned, &PublicKey::read(key)?)?;
            }
            let artifact = registry.pull(&pinned)?;
            write_atomically(&out, &artifact.component)?;
            eprintln!(
                "pulled {pinned} ({} bytes{}) to {}",
                artifact.component.len(),
                if key.is_some() {
                    ", signature verified"
                } else {
                    ""
                },
                out.display()
            );
            Ok(())
        }
        Command::Sign { reference, key } => {
            let pinned = Pinned::parse(&reference)?;
            let signature = Registry::new()?.sign(&pinned, &PrivateKey::read(&key)?)?;
            eprintln!("signed {pinned} with {}", key.display());
            println!("{signature}");
            Ok(())
        }
        Command::Verify { reference, key } => {
            let pinned = Pinned::parse(&reference)?;
            let public = PublicKey::read(&key)?;
            Registry::new()?.verify(&pinned, &public)?;
            println!(
                "verified {pinned}: signed with {} ({})",
                key.display(),
                public.fingerprint()
            );
            Ok(())
        }
    }
}

/// Write `bytes` to `path` whole or not at all: a temporary file beside it, renamed.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn serve(args: Serve) -> anyhow::Result<()> {
    // Later sources win: the env file, then the key, then --config.
    let mut config = std::collections::BTreeMap::new();
    if let Some(path) = &args.env_file {
        config.extend(read_env_file(path)?);
    }
    if let Some(key) = read_key(args.key_file.as_deref())? {
        config.insert(KEY_CONFIG.to_owned(), key);
    }
    config.extend(args.config);
    if !config.contains_key(KEY_CONFIG) {
        server::log_event(
            "warning",
            &format!(
                "no {KEY_CONFIG} configured (--key-file or {KEY_ENV}): every token will be refused"
            ),
        );
    }

    let artifact = std::fs::read(&args.artifact).with_context(|| {
        format!(
            "cannot read the artifact {} (run `make compose` first)",
            args.artifact.display()
        )
    })?;
    let runtime_config = RuntimeConfig {
        limits: Limits {
            max_instances: args.max_instances,
            deadline: args.deadline,
            memory_bytes: args.memory_limit_mib << 20,
            max_body_bytes: args.max_body_bytes,
        },
        config: config.clone().into_iter().collect(),
        allocator: match args.allocator {
            AllocatorArg::Pooling => Allocator::Pooling,
            AllocatorArg::OnDemand => Allocator::OnDemand,
        },
        cache_dir: args.cache_dir.clone(),
    };
    let runtime = Runtime::new(&artifact, runtime_config)
        .with_context(|| format!("cannot serve {}", args.artifact.display()))?;
    if let Some(warning) = map_count_warning(args.max_instances) {
        server::log_event("warning", &warning);
    }

    let threads = match args.threads {
        Some(threads) => threads,
        None => std::thread::available_parallelism()
            .context("cannot tell how many cores there are; pass --threads")?,
    };
    let listener = std::net::TcpListener::bind(args.addr)
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let keys: Vec<&str> = config.keys().map(String::as_str).collect();
    server::log_event(
        "listening",
        &format!(
            "serving {} on http://{} with {threads} thread(s) (config keys: {})",
            args.artifact.display(),
            listener.local_addr()?,
            if keys.is_empty() {
                "none".to_owned()
            } else {
                keys.join(", ")
            }
        ),
    );
    server::serve_per_core(listener, Arc::new(runtime), threads, shutdown_signal())?;
    Ok(())
}

/// Each live instance maps about this many memory regions (measured: 18 for fusebox's
/// artifact, one per memory, table and stack slot and image), with a margin.
const MAPPINGS_PER_INSTANCE: usize = 20;

/// A warning when Linux's `vm.max_map_count` is too low for `max_instances` live at once:
/// past it, mmap fails, instances cannot start, and the allocator itself can fail.
fn map_count_warning(max_instances: usize) -> Option<String> {
    let limit: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let needed = max_instances.saturating_mul(MAPPINGS_PER_INSTANCE) + 10_000;
    (needed > limit).then(|| {
        format!(
            "--max-instances {max_instances} can need about {needed} memory mappings, but \
             vm.max_map_count is {limit}: raise it (sysctl vm.max_map_count={needed}) or \
             lower --max-instances to {}",
            limit.saturating_sub(10_000) / MAPPINGS_PER_INSTANCE
        )
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("install a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// The key from `file`, else from FUSEBOX_HS256_KEY, else none.
fn read_key(file: Option<&Path>) -> anyhow::Result<Option<String>> {
    match file {
        Some(path) => {
            let key = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the key file {}", path.display()))?;
            Ok(Some(key.trim_end_matches(['\n', '\r']).to_owned()))
        }
        None => Ok(std::env::var(KEY_ENV).ok()),
    }
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got {text:?}"))?;
    if key.trim().is_empty() {
        return Err(format!("empty key in {text:?}"));
    }
    Ok((key.trim().to_owned(), value.to_owned()))
}

fn read_env_file(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut pairs = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let pair = parse_pair(line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), number + 1))?;
        pairs.push(pair);
    }
    Ok(pairs)
}
