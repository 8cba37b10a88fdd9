"""A PostgreSQL cluster of the bench's own, as the tests make theirs:
`initdb` in a temporary folder (owned by the `postgres` user when the bench
runs as root, which PostgreSQL refuses), listening on a Unix socket in it
only, with PostgreSQL's default durability (unlike the tests', these figures
are meant to stand for production), stopped and removed afterwards."""

import contextlib
import os
import pathlib
import pwd
import shutil
import subprocess
import tempfile

PORT = "5432"


def binaries():
    """The newest installed PostgreSQL's programs."""
    versions = sorted(pathlib.Path("/usr/lib/postgresql").iterdir(),
                      key=lambda path: int(path.name) if path.name.isdigit() else 0)
    return versions[-1] / "bin"


@contextlib.contextmanager
def cluster():
    """Yields a function that makes a new database and returns its URL."""
    bin_dir = binaries()
    root = pathlib.Path(tempfile.mkdtemp(prefix="leads-bench-pg-"))
    run_as = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    subprocess.run(run_as + [str(bin_dir / "initdb"), "-A", "trust", "-U", "postgres",
                             "-E", "UTF8", "--no-locale", "-D", str(data)],
                   check=True, capture_output=True)
    options = f"-k {root} -p {PORT} -c listen_addresses='' -c max_connections=200"
    subprocess.run(run_as + [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                             "-l", str(root / "postgres.log"), "-w", "start"],
                   check=True, capture_output=True)
    host = str(root).replace("/", "%2F")

    def database(name):
        subprocess.run([str(bin_dir / "createdb"), "-h", str(root), "-p", PORT,
                        "-U", "postgres", name], check=True)
        return f"postgresql://postgres@{host}:{PORT}/{name}"

    try:
        yield database
    finally:
        subprocess.run(run_as + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                 "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
