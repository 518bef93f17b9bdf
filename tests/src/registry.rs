//! A real OCI registry for tests: CNCF distribution (Debian's `docker-registry`, which
//! `scripts/ensure-registry.sh` installs) on an ephemeral loopback port, with its own
//! storage directory, stopped when dropped. Run as root (CI), it runs as `nobody`.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The registry binary Debian's `docker-registry` package installs.
pub const REGISTRY_BIN: &str = "docker-registry";

/// A running registry.
pub struct TestRegistry {
    /// `127.0.0.1:<port>`: the registry part of a reference.
    pub addr: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl TestRegistry {
    /// Start a registry with empty storage and wait until it answers `GET /v2/`.
    pub fn start() -> TestRegistry {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let storage = dir.path().join("storage");
        std::fs::create_dir(&storage).unwrap();
        // `nobody` must reach the config and write the storage.
        set_mode(dir.path(), 0o755);
        set_mode(&storage, 0o777);
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  \
                 delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
                storage.display()
            ),
        )
        .unwrap();
        set_mode(&config, 0o644);
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let mut command = if is_root() {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
                .arg(REGISTRY_BIN);
            c
        } else {
            Command::new(REGISTRY_BIN)
        };
        let child = command
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {REGISTRY_BIN} ({e}); install it with \
                     scripts/ensure-registry.sh (Debian's docker-registry package)"
                )
            });
        let registry = TestRegistry { addr, child, dir };
        registry.wait_until_up();
        registry
    }

    fn wait_until_up(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(mut stream) = TcpStream::connect(&self.addr) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let request = format!("GET /v2/ HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr);
                let mut reply = String::new();
                if stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_to_string(&mut reply).is_ok()
                    && reply.lines().next().is_some_and(|l| l.contains(" 200 "))
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the registry did not answer on {} within 30 s; its log:\n{}",
            self.addr,
            self.log()
        );
    }

    /// What the registry logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// The file the registry keeps the blob `digest` in: how a test plays the part of a
    /// compromised registry.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
