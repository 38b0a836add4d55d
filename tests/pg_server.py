"""A throwaway PostgreSQL server for the tests.

``start_pg_server()`` initialises a fresh cluster in a temporary directory,
starts it on a free port on 127.0.0.1 (trust auth, fsync off, its unix socket
inside the temporary directory), creates the database ``jielong_test`` and
returns a :class:`PgServer` whose ``url`` is a SQLAlchemy URL such as
``postgresql+psycopg://postgres@127.0.0.1:54321/jielong_test``.
``PgServer.stop()`` shuts the cluster down and deletes its directory.

The server binaries are looked up under ``/usr/lib/postgresql/*/bin`` (Debian's
``postgresql`` package; ``make test`` installs it), then on ``PATH``. initdb
refuses to run as root, so when the tests run as root the cluster is owned and
run by the ``postgres`` OS user that the Debian package creates.

If ``JIELONG_TEST_PG_URL`` is set, no cluster is started: that server is used
as it is and ``stop()`` leaves it alone.

Run this file directly to get a server for poking at by hand:
``.venv/bin/python tests/pg_server.py`` (Ctrl-C stops it).
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ENV_URL = "JIELONG_TEST_PG_URL"
DEFAULT_DB = "jielong_test"
RUN_AS = "postgres"  # OS user that owns the cluster when we are root


class PostgresNotInstalled(RuntimeError):
    """initdb / pg_ctl were not found."""


def find_pg_bindir() -> Path:
    """The directory holding initdb and pg_ctl, newest Debian version first."""

    def version(path: str) -> tuple[int, ...]:
        m = re.search(r"/postgresql/([\d.]+)/bin", path)
        return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for d in candidates:
        if os.access(Path(d) / "initdb", os.X_OK) and os.access(Path(d) / "pg_ctl", os.X_OK):
            return Path(d)
    raise PostgresNotInstalled(
        "no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect(url: str, dbname: str | None = None) -> psycopg.Connection:
    u = make_url(url)
    return psycopg.connect(
        host=u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        dbname=dbname or u.database,
        autocommit=True,
        connect_timeout=10,
    )


class PgServer:
    """A running PostgreSQL server (ours or the one in JIELONG_TEST_PG_URL)."""

    def __init__(self, url: str, *, bindir: Path | None = None, tmpdir: Path | None = None,
                 run_as: str | None = None):
        self.url = url
        self.bindir = bindir
        self.tmpdir = tmpdir  # None for an external server: nothing to stop
        self.run_as = run_as
        self._owner_pid = os.getpid()

    def __repr__(self) -> str:
        return f"PgServer({self.url!r})"

    @property
    def external(self) -> bool:
        return self.tmpdir is None

    def url_for(self, dbname: str) -> str:
        """The same server's URL, for another database."""
        return make_url(self.url).set(database=dbname).render_as_string(hide_password=False)

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its URL.

        On an external server whose user may not create databases, fall back to
        emptying the configured database's ``public`` schema and returning its URL.
        """
        name = name or f"jielong_t_{uuid.uuid4().hex[:12]}"
        try:
            with _connect(self.url, "postgres") as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            return self.url_for(name)
        except psycopg.errors.InsufficientPrivilege:
            if not self.external:
                raise
        with _connect(self.url) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return self.url

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database (kicking out its connections)."""
        name = make_url(url).database
        if url == self.url or name in (None, "postgres", DEFAULT_DB):
            return
        with _connect(self.url, "postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the cluster and delete its directory (no-op for an external server)."""
        if self.tmpdir is None or os.getpid() != self._owner_pid:
            return
        tmpdir, self.tmpdir = self.tmpdir, None
        try:
            if (tmpdir / "data" / "postmaster.pid").exists():
                _run([str(self.bindir / "pg_ctl"), "-D", str(tmpdir / "data"),
                      "-m", "immediate", "-w", "stop"], self.run_as, tmpdir, check=False)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _run(cmd: list[str], run_as: str | None, cwd: Path, check: bool = True):
    if run_as:
        if shutil.which("runuser"):
            cmd = ["runuser", "-u", run_as, "--", *cmd]
        else:
            import shlex
            cmd = ["su", "-s", "/bin/sh", run_as, "-c", shlex.join(cmd)]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    return proc


def start_pg_server(dbname: str = DEFAULT_DB) -> PgServer:
    """Start a throwaway cluster (or wrap JIELONG_TEST_PG_URL) with `dbname` in it."""
    if os.environ.get(ENV_URL):
        return PgServer(os.environ[ENV_URL])

    bindir = find_pg_bindir()
    run_as = None
    if os.geteuid() == 0:
        import pwd
        try:
            pw = pwd.getpwnam(RUN_AS)
        except KeyError:
            raise RuntimeError(
                f"running as root but there is no {RUN_AS!r} OS user to run initdb as "
                "(Debian's postgresql package creates it)"
            ) from None
        run_as = RUN_AS
    # Under /tmp when root: the postgres user must be able to reach the directory,
    # and the unix socket path must stay short.
    tmpdir = Path(tempfile.mkdtemp(prefix="jielong-pg-", dir="/tmp" if run_as else None))
    server = None
    try:
        data, sock = tmpdir / "data", tmpdir / "sock"
        sock.mkdir()
        if run_as:
            for p in (tmpdir, sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
              "--encoding=UTF8", "--locale=C", "--no-sync"], run_as, tmpdir)
        server = PgServer("", bindir=bindir, tmpdir=tmpdir, run_as=run_as)
        atexit.register(server.stop)

        conf = data / "postgresql.conf"
        base_conf = conf.read_text()
        for attempt in range(5):  # another process may grab the free port first
            port = _free_port()
            conf.write_text(base_conf + (
                "\n# jielong tests\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {port}\n"
                f"unix_socket_directories = '{sock}'\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
            ))
            proc = _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmpdir / "server.log"),
                         "-w", "-t", "60", "start"], run_as, tmpdir, check=False)
            if proc.returncode == 0:
                break
            log = (tmpdir / "server.log").read_text(errors="replace")
            if "could not bind" not in log or attempt == 4:
                raise RuntimeError(f"pg_ctl start failed:\n{proc.stdout}{proc.stderr}\n{log[-3000:]}")

        server.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{dbname}"
        with _connect(server.url, "postgres") as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        return server
    except BaseException:
        if server is not None:
            server.stop()
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
        raise


if __name__ == "__main__":
    import signal

    def _exit(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    srv = start_pg_server()
    print(srv.url, flush=True)
    try:
        while True:
            signal.pause()
    finally:
        srv.stop()
