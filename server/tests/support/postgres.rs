//! The tests' own PostgreSQL: a cluster made with `initdb` in a temporary
//! folder the first time a test asks for it, run as the `postgres` user
//! when the tests run as root (PostgreSQL refuses root), listening on a
//! Unix socket in that folder only, and stopped (the folder removed) when
//! the test process exits. Each test gets a database of its own.
//!
//! `LEADS_TEST_DATABASE=postgres` runs the in-process tests on it instead
//! of SQLite; `make test` runs the contract, search, property and OpenAPI
//! tests both ways.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use leads_server::store::Location;

/// The cluster's folder: its data in `data/`, its socket beside it.
struct Cluster {
    root: PathBuf,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
/// The postmaster's pid, for the stop at exit.
static POSTMASTER: AtomicI32 = AtomicI32::new(0);
/// The port number only names the socket file; nothing listens on TCP.
const PORT: &str = "5432";

/// Whether the tests run on PostgreSQL (`LEADS_TEST_DATABASE=postgres`).
pub fn chosen() -> bool {
    std::env::var("LEADS_TEST_DATABASE").is_ok_and(|engine| engine == "postgres")
}

/// The database a test app in `dir` uses: SQLite's `dir/leads.db`, or on
/// PostgreSQL a new database, whose URL is kept in `dir` so the app can be
/// started again on it ([`location_in`]).
pub async fn location_for(dir: &Path) -> Location {
    if !chosen() {
        return Location::Sqlite(dir.join("leads.db"));
    }
    let url = new_database().await;
    std::fs::write(dir.join("database-url"), &url).expect("keep the database's URL");
    Location::parse(&url).expect("a PostgreSQL URL")
}

/// The settings that put a server process on the engine under test: none
/// for SQLite (it gets `LEADS_DB`), a new database for PostgreSQL.
pub fn process_env() -> Option<(&'static str, String)> {
    if !chosen() {
        return None;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    Some(("LEADS_DATABASE_URL", runtime.block_on(new_database())))
}

/// The database an app in `dir` used before.
pub fn location_in(dir: &Path) -> Location {
    match std::fs::read_to_string(dir.join("database-url")) {
        Ok(url) => Location::parse(&url).expect("a PostgreSQL URL"),
        Err(_) => Location::Sqlite(dir.join("leads.db")),
    }
}

/// Drops the leads table of the app in `dir`, behind its back; returns the
/// words its engine's log uses for the missing table.
pub async fn drop_leads(dir: &Path) -> &'static str {
    match location_in(dir) {
        Location::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).expect("open the file");
            conn.execute_batch("DROP TABLE leads").expect("drop");
            "no such table: leads"
        }
        Location::Postgres(_) => {
            let url = std::fs::read_to_string(dir.join("database-url")).expect("its URL");
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(connection);
            client
                .batch_execute("DROP TABLE leads CASCADE")
                .await
                .expect("drop");
            "relation \"leads\" does not exist"
        }
    }
}

/// Drops the database at `url` (made by [`new_database`]), cutting off
/// whoever is connected to it.
pub async fn drop_database(url: &str) {
    let name = url.rsplit('/').next().expect("a database name");
    let cluster = CLUSTER.get().expect("the cluster that made it");
    cluster
        .connect("postgres")
        .await
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .expect("drop the database");
}

/// A new, empty database in the tests' cluster (started on first use).
pub async fn new_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let cluster = CLUSTER.get_or_init(Cluster::start);
    let name = format!("t{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let admin = cluster.connect("postgres").await;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    cluster.url(&name)
}

impl Cluster {
    fn start() -> Cluster {
        let bin = binaries();
        let root = tempfile::Builder::new()
            .prefix("leads-pg-")
            .tempdir()
            .expect("a folder for PostgreSQL")
            .keep();
        let owner = owner();
        if let Some((uid, gid)) = owner {
            chown(&root, uid, gid);
        }
        let data = root.join("data");
        let initdb = as_owner(Command::new(bin.join("initdb")), owner)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "-N",
            ])
            .arg("-D")
            .arg(&data)
            .stdout(Stdio::null())
            .output()
            .expect("run initdb (Debian's postgresql package)");
        assert!(
            initdb.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        // Started from a thread that lives as long as the tests: the
        // postmaster is told to quit when its parent thread ends.
        let (started, pid) = mpsc::channel();
        let postgres = bin.join("postgres");
        let socket = root.clone();
        std::thread::spawn(move || {
            let mut command = as_owner(Command::new(postgres), owner);
            command
                .arg("-D")
                .arg(&data)
                .arg("-k")
                .arg(&socket)
                .args(["-p", PORT, "-c", "listen_addresses="])
                // Durability is the tests' least concern; speed is not.
                .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
                .args(["-c", "full_page_writes=off", "-c", "max_connections=400"])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            // SAFETY: prctl is async-signal-safe, as pre_exec requires.
            unsafe {
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT);
                    Ok(())
                });
            }
            let child = command.spawn().expect("start postgres");
            started.send(child.id()).expect("tell the pid");
            std::thread::park();
            drop(child);
        });
        let pid = pid.recv().expect("the postmaster's pid");
        POSTMASTER.store(i32::try_from(pid).unwrap_or(0), Ordering::SeqCst);
        // SAFETY: registers a plain function to run at exit.
        unsafe { libc::atexit(stop) };
        let socket = root.join(format!(".s.PGSQL.{PORT}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start in 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Cluster { root }
    }

    /// `postgresql://postgres@<socket folder>:5432/NAME`.
    fn url(&self, name: &str) -> String {
        let folder = self.root.display().to_string().replace('/', "%2F");
        format!("postgresql://postgres@{folder}:{PORT}/{name}")
    }

    /// A connection to `name`, once the server takes them.
    async fn connect(&self, name: &str) -> tokio_postgres::Client {
        let url = self.url(name);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                Ok((client, connection)) => {
                    tokio::spawn(connection);
                    return client;
                }
                Err(err) if Instant::now() < deadline => {
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(err) => panic!("cannot connect to the tests' PostgreSQL: {err}"),
            }
        }
    }
}

/// At exit: the postmaster stopped at once, waited for, its folder removed.
extern "C" fn stop() {
    let pid = POSTMASTER.load(Ordering::SeqCst);
    if pid <= 0 {
        return;
    }
    // SAFETY: signals and waits for our own child.
    unsafe {
        libc::kill(pid, libc::SIGQUIT);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    if let Some(cluster) = CLUSTER.get() {
        let _ = std::fs::remove_dir_all(&cluster.root);
    }
}

/// The newest installed PostgreSQL's programs (`LEADS_PG_BIN` overrides).
fn binaries() -> PathBuf {
    if let Some(bin) = std::env::var_os("LEADS_PG_BIN") {
        return PathBuf::from(bin);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL in /usr/lib/postgresql (make setup-test installs it)")
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions.pop().expect("an installed PostgreSQL").1
}

/// The `postgres` user's uid and gid when the tests run as root.
fn owner() -> Option<(u32, u32)> {
    // SAFETY: geteuid cannot fail; getpwnam's result is read at once.
    unsafe {
        if libc::geteuid() != 0 {
            return None;
        }
        let user = libc::getpwnam(c"postgres".as_ptr());
        assert!(
            !user.is_null(),
            "no postgres user: install Debian's postgresql"
        );
        Some(((*user).pw_uid, (*user).pw_gid))
    }
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("give the folder to postgres");
}

/// `command`, run as the cluster's owner.
fn as_owner(mut command: Command, owner: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command
}
