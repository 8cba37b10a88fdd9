//! The real server binary as an operator runs it, on a database folder the
//! test owns, so it can be stopped, killed and started again on the same
//! file.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// The last lines a server process wrote (a load test's server may write
/// many).
#[derive(Clone, Default)]
struct Said(Arc<Mutex<VecDeque<String>>>);

impl Said {
    const KEEP: usize = 200;

    fn push(&self, line: String) {
        let mut lines = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if lines.len() == Self::KEEP {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    fn last(&self) -> String {
        let lines = self.0.lock().unwrap_or_else(|p| p.into_inner());
        lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// A server process, killed when dropped so a failing test leaks nothing.
pub struct ServerProcess {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The last lines it wrote, standard output and error, for a failure
    /// to show.
    said: Said,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `binary` on `dir/leads.db` with `LEADS_*` settings in `env`,
    /// and waits for the line that gives its address.
    pub fn start(binary: &str, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> ServerProcess {
        let mut child = Command::new(binary)
            .args(args)
            .env("LEADS_ADDR", "127.0.0.1:0")
            .env("LEADS_DB", dir.join("leads.db"))
            .env("LEADS_DIST", dir)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        // Owned from here on: a panic below still kills it.
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let said = Said::default();
        let mut server = ServerProcess {
            child,
            base: String::new(),
            said: said.clone(),
        };
        let (tx, rx) = mpsc::channel();
        let heard = said.clone();
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
                said.push(line);
            }
        });
        server.base = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("the server reports its address");
        server
    }

    /// Waits (15 s at most) for a line it wrote that `wanted` accepts, and
    /// returns every line it wrote so far.
    pub fn wait_for_line(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let lines: Vec<String> = self
                .said
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .cloned()
                .collect();
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

    /// Sends SIGTERM and waits for the process to end; on an unclean exit,
    /// how it ended and what it said last.
    pub fn terminate(&mut self) -> Result<(), String> {
        self.signal(libc::SIGTERM);
        let status = self.child.wait().map_err(|err| format!("wait: {err}"))?;
        if status.success() {
            return Ok(());
        }
        Err(format!("{status}; it said last:\n{}", self.said.last()))
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill_hard(&mut self) {
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid fits");
        // SAFETY: kill only sends a signal to our own child.
        unsafe { libc::kill(pid, signal) };
    }
}

/// `PRAGMA integrity_check` on the database in `dir`, with no server on it.
pub fn integrity_check(dir: &Path) -> String {
    let conn = rusqlite::Connection::open(dir.join("leads.db")).expect("open the database");
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("run the integrity check")
}
