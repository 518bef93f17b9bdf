//! Process control: the servers and clients the measurements start, in one place.

use anyhow::{Context as _, bail};
use fusebox_bench::root;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process that is killed when dropped.
pub struct Guard(Child);

impl Guard {
    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// The minor page faults the child has taken so far: field 10 of `/proc/PID/stat`.
    pub fn minor_faults(&self) -> anyhow::Result<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        // The command name, field 2, is in parentheses and may hold spaces.
        let after_name = stat.rsplit_once(')').context("/proc/PID/stat")?.1;
        let field = after_name.split_whitespace().nth(7).context("minflt")?;
        Ok(field.parse()?)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A binary of this workspace's release build.
pub fn release_bin(name: &str) -> PathBuf {
    root().join("target/release").join(name)
}

/// A command running `program`, pinned to `core` with taskset when a core is given and
/// there is more than one.
pub fn command(program: &Path, core: Option<usize>) -> Command {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match core {
        Some(core) if cores > 1 => {
            let mut command = Command::new("taskset");
            command.arg("-c").arg(core.to_string()).arg(program);
            command
        }
        _ => Command::new(program),
    }
}

/// Start the server `name` and wait until it accepts connections on `addr`. Every server
/// runs with `RUST_LIB_BACKTRACE=0` (`fusebox serve` would set it for itself), and its
/// output is discarded.
pub fn start(
    name: &str,
    mut command: Command,
    addr: &str,
    timeout: Duration,
) -> anyhow::Result<Guard> {
    // A server left from an interrupted run would answer in this one's place.
    if TcpStream::connect(addr).is_ok() {
        bail!("{name}: something already listens on {addr}; stop it first");
    }
    let child = command
        .env("RUST_LIB_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("start {name}"))?;
    let mut guard = Guard(child);
    let deadline = Instant::now() + timeout;
    while TcpStream::connect(addr).is_err() {
        if let Some(status) = guard.0.try_wait()? {
            bail!("{name} exited before it listened on {addr}: {status}");
        }
        if Instant::now() > deadline {
            bail!("{name}: nothing listens on {addr} after {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(guard)
}

/// Raise the open-file limit to its hard maximum: the density run holds a socket per
/// instance in this process, and as many again in the server it starts.
pub fn raise_fd_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max.min(65_536);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
