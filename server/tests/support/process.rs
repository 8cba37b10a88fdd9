//! The real server binary as an operator runs it, on a database folder the
//! test owns, so it can be stopped, killed and started again on the same
//! file. The one way both the server's tests and the browser tests
//! (`tests/browser/harness/process.rs` includes this file) start it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// What server processes wrote, standard output and error: the last
/// [`ServerLog::KEEP`] lines (a load test's server may write many), or,
/// for a test that checks the whole log (no key in it, say), every line,
/// across restarts when the same log is given again.
#[derive(Clone)]
pub struct ServerLog {
    lines: Arc<Mutex<VecDeque<String>>>,
    keep: Option<usize>,
}

impl ServerLog {
    const KEEP: usize = 200;

    /// Keeps every line.
    pub fn everything() -> Self {
        Self {
            lines: Arc::default(),
            keep: None,
        }
    }

    fn recent() -> Self {
        Self {
            lines: Arc::default(),
            keep: Some(Self::KEEP),
        }
    }

    fn push(&self, line: String) {
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if Some(lines.len()) == self.keep {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// The lines kept, in order.
    pub fn lines(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.iter().cloned().collect()
    }

    /// The lines kept, one per line.
    pub fn text(&self) -> String {
        self.lines().join("\n")
    }
}

/// A server process, killed when dropped so a failing test leaks nothing.
pub struct ServerProcess {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What it wrote, for a failure to show.
    log: ServerLog,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `binary` on `dir/leads.db` (or `LEADS_DATABASE_URL` if `env`
    /// has it) with `LEADS_*` settings in `env`,
    /// and waits for the line that gives its address.
    pub fn start(binary: &str, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> ServerProcess {
        Self::start_logging(binary, dir, env, args, ServerLog::recent())
    }

    /// [`ServerProcess::start`], writing what it says to `log`. It runs in
    /// a process group of its own, so a watchdog can end it (and anything
    /// it started) at once.
    pub fn start_logging(
        binary: &str,
        dir: &Path,
        env: &[(&str, &str)],
        args: &[&str],
        log: ServerLog,
    ) -> ServerProcess {
        let mut command = Command::new(binary);
        // A PostgreSQL URL instead of the file, when the test gives one.
        if !env.iter().any(|(name, _)| *name == "LEADS_DATABASE_URL") {
            command.env("LEADS_DB", dir.join("leads.db"));
        }
        let mut child = command
            .args(args)
            .env_remove("LEADS_API_KEY")
            .env("LEADS_ADDR", "127.0.0.1:0")
            .env("LEADS_DIST", dir)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("start the server");
        // Owned from here on: a panic below still kills it.
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let mut server = ServerProcess {
            child,
            base: String::new(),
            log: log.clone(),
        };
        let (tx, rx) = mpsc::channel();
        let heard = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout.expect("piped stdout"))
                .lines()
                .map_while(Result::ok)
            {
                if let Some(at) = line.find("http://127.0.0.1:") {
                    let addr: String = line[at..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '"')
                        .collect();
                    let _ = tx.send(addr);
                }
                heard.push(line);
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr.expect("piped stderr"))
                .lines()
                .map_while(Result::ok)
            {
                log.push(line);
            }
        });
        server.base = rx
            .recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| {
                panic!(
                    "the server reports its address; it said:\n{}",
                    server.log.text()
                )
            });
        server
    }

    /// Its process group, which is its pid.
    pub fn group(&self) -> libc::pid_t {
        libc::pid_t::try_from(self.child.id()).expect("a pid fits")
    }

    /// Waits (15 s at most) for a line it wrote that `wanted` accepts, and
    /// returns every line it wrote so far.
    pub fn wait_for_line(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let lines = self.log.lines();
            if lines.iter().any(|line| wanted(line)) {
                return lines;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no such line; it said:\n{}",
                lines.join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether it wrote a line holding `text` so far.
    pub fn said(&self, text: &str) -> bool {
        self.log.lines().iter().any(|line| line.contains(text))
    }

    /// Sends SIGTERM and waits for the process to end; on an unclean exit,
    /// how it ended and what it said last.
    pub fn terminate(&mut self) -> Result<(), String> {
        self.signal(libc::SIGTERM);
        let status = self.child.wait().map_err(|err| format!("wait: {err}"))?;
        if status.success() {
            return Ok(());
        }
        Err(format!("{status}; it said last:\n{}", self.log.text()))
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill_hard(&mut self) {
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill only sends a signal to our own child.
        unsafe { libc::kill(self.group(), signal) };
    }
}
