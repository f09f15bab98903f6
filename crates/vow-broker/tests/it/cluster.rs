//! A private PostgreSQL cluster for one test, which that test may stop and start again: the
//! shared server of scripts/with-postgres is used by other tests at the same time and must never
//! be restarted. Started like scripts/with-postgres starts its own (initdb into a temp dir,
//! loopback only, as the `postgres` user when running as root).

use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;
use tokio::process::Command;

/// A PostgreSQL cluster in a temp dir on a loopback port; stopped and removed when dropped.
pub struct Cluster {
    dir: TempDir,
    bin: PathBuf,
    port: u16,
    /// Runs the server's tools as the `postgres` user: PostgreSQL refuses to run as root.
    as_postgres: bool,
}

impl Cluster {
    /// Creates and starts a cluster. Without PostgreSQL's server binaries: `None` on a developer
    /// machine, a failure when `CI` is set.
    pub async fn start() -> Option<Cluster> {
        let Some(bin) = server_binaries() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but PostgreSQL's server binaries (initdb, pg_ctl) are not found: \
                 install them or set VOW_TEST_PG_BIN to their directory"
            );
            #[allow(clippy::print_stderr)] // a test telling the developer what it did not run
            {
                eprintln!("PostgreSQL server binaries not found: private-cluster test not run");
            }
            return None;
        };
        let as_postgres = running_as_root().await;
        let dir = tempfile::Builder::new()
            .prefix("vow-pg-")
            .tempdir()
            .expect("temp dir");
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(dir.path())).await;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let cluster = Cluster {
            dir,
            bin,
            port,
            as_postgres,
        };
        let data = cluster.data();
        cluster
            .tool("initdb")
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .run()
            .await;
        cluster.start_again().await;
        Some(cluster)
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast: clients are disconnected), keeping its data.
    pub async fn stop(&self) {
        self.tool("pg_ctl")
            .args(["-w", "-t", "60", "-m", "fast", "-D"])
            .arg(self.data())
            .arg("stop")
            .run()
            .await;
    }

    /// Starts the server on its port, waiting until it accepts connections.
    pub async fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.tool("pg_ctl")
            .args(["-w", "-t", "60", "-o", &options, "-l"])
            .arg(self.dir.path().join("server.log"))
            .arg("-D")
            .arg(self.data())
            .arg("start")
            .run()
            .await;
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// One of the server's tools, run as the right user.
    fn tool(&self, name: &str) -> Tool {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.kill_on_drop(true);
        Tool {
            command,
            log: self.dir.path().join("server.log"),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let program = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut command = std::process::Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            std::process::Command::new(program)
        };
        // Immediate: the cluster's data is thrown away with the dir.
        let _ = command
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .output();
    }
}

struct Tool {
    command: Command,
    log: PathBuf,
}

impl Tool {
    fn args<I, S>(mut self, args: I) -> Tool
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Tool {
        self.command.arg(arg);
        self
    }

    /// Runs the tool; a failure fails the test with its output and the server's log.
    async fn run(mut self) {
        let output = self.command.output().await.expect("run a PostgreSQL tool");
        if !output.status.success() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            panic!(
                "{:?} failed: {}\nserver log:\n{log}",
                self.command.as_std(),
                describe(&output)
            );
        }
    }
}

async fn run(command: &mut Command) {
    let output = command.output().await.expect("run a command");
    assert!(
        output.status.success(),
        "{:?} failed: {}",
        command.as_std(),
        describe(&output)
    );
}

fn describe(output: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn running_as_root() -> bool {
    let output = Command::new("id").arg("-u").output().await.expect("run id");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

/// The directory of `initdb` and `pg_ctl`: `VOW_TEST_PG_BIN`, the PATH, or where Debian and
/// Ubuntu put them (the newest version).
fn server_binaries() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("VOW_TEST_PG_BIN") {
        let dir = PathBuf::from(dir);
        assert!(
            has_tools(&dir),
            "VOW_TEST_PG_BIN={} holds no initdb and pg_ctl",
            dir.display()
        );
        return Some(dir);
    }
    if let Some(path) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&path).find(|dir| has_tools(dir))
    {
        return Some(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|dir| has_tools(dir))
        .collect();
    versions.sort_by_key(|dir| {
        dir.parent()
            .and_then(|version| version.file_name())
            .and_then(|name| name.to_str())
            .and_then(|name| name.parse::<u32>().ok())
    });
    versions.pop()
}
