//! `fusebox serve`: any `wasi:http/proxy` component over HTTP/1.1, one fresh instance per
//! request (`fusebox_runtime`).
//!
//! The runtime knows no component. What a component needs from its operator, such as a
//! key, is a `wasi:config/store` value: `--config KEY=VALUE`, `--config KEY=@FILE`, or a
//! `--config-file` of such lines.

use anyhow::Context as _;
use clap::ValueEnum;
use clap::builder::TypedValueParser as _;
use fusebox_runtime::runtime::{Allocator, Limits, Runtime, RuntimeConfig};
use fusebox_runtime::{log, server};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Serve a wasi:http/proxy component over HTTP/1.1.
///
/// Every request runs in a fresh instance under a deadline and a memory limit, and the
/// component gets only wasi:http/proxy and wasi:config/store. One JSON access-log line per
/// request goes to stdout; the component's stderr goes to stderr, tagged with the request
/// id. SIGINT or SIGTERM stops accepting and drains in-flight requests.
#[derive(clap::Args)]
pub struct Serve {
    /// The component to serve.
    #[arg(default_value = "target/fusebox/service.wasm")]
    artifact: PathBuf,
    /// The address to listen on.
    #[arg(long, env = "FUSEBOX_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// A wasi:config/store value: KEY=VALUE, or KEY=@FILE to read the value from a file
    /// (trailing newlines are dropped). Spaces around KEY and VALUE are dropped. Repeat
    /// for several; values are never logged.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = ConfigValue::parse)]
    config: Vec<ConfigValue>,
    /// A file of KEY=VALUE (or KEY=@FILE, relative to it) lines for wasi:config/store;
    /// `#` starts a comment. Values given with --config win.
    #[arg(long, value_name = "PATH")]
    config_file: Option<PathBuf>,
    /// How many instances may run at once; further requests get 503 instead of waiting.
    #[arg(long, default_value_t = Limits::default().max_instances)]
    max_instances: usize,
    /// How long one request may take (such as 500ms or 5s); past it, 504.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    deadline: Duration,
    /// The linear memory one instance may use, in MiB (1 to 65535); growing past it traps
    /// (500).
    #[arg(long, default_value_t = Limits::default().memory_bytes >> 20,
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
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

/// One `KEY=VALUE` or `KEY=@FILE`, as written; files are read when the server starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigValue {
    key: String,
    value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Literal(String),
    File(PathBuf),
}

impl ConfigValue {
    /// Parse `KEY=VALUE` or `KEY=@FILE`; the key may not be empty.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| format!("expected KEY=VALUE or KEY=@FILE, got {text:?}"))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(format!("empty key in {text:?}"));
        }
        let value = match value.strip_prefix('@') {
            Some(file) if !file.is_empty() => Value::File(file.into()),
            Some(_) => return Err(format!("no file after '@' in {text:?}")),
            None => Value::Literal(value.to_owned()),
        };
        Ok(ConfigValue {
            key: key.to_owned(),
            value,
        })
    }

    /// The value, reading a `@FILE` (relative to `base`) whole, less trailing newlines.
    fn resolve(self, base: &Path) -> anyhow::Result<(String, String)> {
        let value = match self.value {
            Value::Literal(value) => value,
            Value::File(file) => {
                let path = base.join(file);
                let text = std::fs::read_to_string(&path).with_context(|| {
                    format!("cannot read {} for config key {}", path.display(), self.key)
                })?;
                text.trim_end_matches(['\n', '\r']).to_owned()
            }
        };
        Ok((self.key, value))
    }
}

/// The `KEY=VALUE` lines of a config file; `#` starts a comment line.
fn read_config_file(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut values = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let value = ConfigValue::parse(line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), number + 1))?;
        values.push(value.resolve(base)?);
    }
    Ok(values)
}

impl Serve {
    /// Compile the artifact, then serve until SIGINT or SIGTERM.
    pub fn run(self) -> anyhow::Result<()> {
        // Later sources win: the config file, then --config.
        let mut config = BTreeMap::new();
        if let Some(path) = &self.config_file {
            config.extend(read_config_file(path)?);
        }
        for value in self.config {
            let (key, value) = value.resolve(Path::new("."))?;
            config.insert(key, value);
        }

        let artifact = std::fs::read(&self.artifact).with_context(|| {
            format!(
                "cannot read the artifact {} (run `fusebox compose` first)",
                self.artifact.display()
            )
        })?;
        let keys: Vec<String> = config.keys().cloned().collect();
        let runtime_config = RuntimeConfig {
            limits: Limits {
                max_instances: self.max_instances,
                deadline: self.deadline,
                memory_bytes: self.memory_limit_mib << 20,
                max_body_bytes: self.max_body_bytes,
            },
            config: config.into_iter().collect(),
            allocator: match self.allocator {
                AllocatorArg::Pooling => Allocator::Pooling,
                AllocatorArg::OnDemand => Allocator::OnDemand,
            },
            cache_dir: self.cache_dir,
            ..RuntimeConfig::default()
        };
        let runtime = Runtime::new(&artifact, runtime_config)
            .with_context(|| format!("cannot serve {}", self.artifact.display()))?;
        if let Some(warning) = fusebox_runtime::map_count_warning(self.max_instances) {
            log::event("warning", &warning);
        }

        let threads = match self.threads {
            Some(threads) => threads,
            None => std::thread::available_parallelism()
                .context("cannot tell how many cores there are; pass --threads")?,
        };
        let listener = std::net::TcpListener::bind(self.addr)
            .with_context(|| format!("cannot listen on {}", self.addr))?;
        log::event(
            "listening",
            &format!(
                "serving {} on http://{} with {threads} thread(s) (config keys: {})",
                self.artifact.display(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_values_are_literals_or_files() {
        let literal = ConfigValue::parse("greeting=a=b").unwrap();
        assert_eq!(literal.value, Value::Literal("a=b".into()));
        let spaced = ConfigValue::parse("greeting = hello there ").unwrap();
        assert_eq!(spaced.value, Value::Literal("hello there".into()));
        let file = ConfigValue::parse(" key = @dir/key.txt").unwrap();
        assert_eq!(file.key, "key");
        assert_eq!(file.value, Value::File("dir/key.txt".into()));
        assert!(
            ConfigValue::parse("novalue")
                .unwrap_err()
                .contains("KEY=VALUE")
        );
        assert!(ConfigValue::parse("=x").unwrap_err().contains("empty key"));
        assert!(ConfigValue::parse("k=@").unwrap_err().contains("no file"));
    }

    #[test]
    fn files_are_read_relative_to_their_base_and_named_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key.txt"), "secret\n").unwrap();
        std::fs::write(
            dir.path().join("app.conf"),
            "# comment\na=1\nkey=@key.txt\n",
        )
        .unwrap();
        let values = read_config_file(&dir.path().join("app.conf")).unwrap();
        assert_eq!(
            values,
            [("a".into(), "1".into()), ("key".into(), "secret".into())]
        );
        std::fs::write(dir.path().join("bad.conf"), "a=1\nnope\n").unwrap();
        let error = read_config_file(&dir.path().join("bad.conf")).unwrap_err();
        assert!(
            format!("{error:#}").contains("bad.conf:2: expected KEY=VALUE"),
            "{error:#}"
        );
        let missing = ConfigValue::parse("k=@missing")
            .unwrap()
            .resolve(dir.path());
        assert!(format!("{:#}", missing.unwrap_err()).contains("for config key k"));
    }
}
