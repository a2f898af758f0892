"""PostgreSQL from the system's packages: initdb once, then pg_ctl, listening on 127.0.0.1 only."""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

from flinkfast import versions
from flinkfast.paths import SQL_DIR
from flinkfast.errors import ConfigError, Unavailable
from flinkfast.stack import process
from flinkfast.stack.service import Service


def pg_bin(tool: str) -> str:
    """A PostgreSQL program of the major version in the manifest (else the newest installed)."""
    major = versions.get("postgres.major")
    for candidate in [Path(f"/usr/lib/postgresql/{major}/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]:
        if (candidate / tool).exists():
            return str(candidate / tool)
    found = shutil.which(tool)
    if not found:
        raise Unavailable(f"PostgreSQL's {tool} is not installed: run `make setup` (installs postgresql)")
    return found


def system_user() -> str | None:
    """Postgres refuses to run as root: when we are root, it runs as the 'postgres' user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root but there is no 'postgres' system user: install postgresql (make setup)") from None
    return "postgres"


SCHEMA_LOCK_TIMEOUT = "10s"   # how long re-applying the schema waits for a lock (init_database)


class Postgres(Service):
    name = "postgres"
    port_env = "POSTGRES_PORT"
    timeout_s = 60
    stop_signal = signal.SIGINT   # "fast" shutdown: roll back open transactions, then stop
    group = False                 # pg_ctl daemonizes the postmaster; signal it alone
    wrapped = False               # it writes and owns its log itself (pg_ctl -l)

    @property
    def data(self) -> Path:
        return self.dir / "data"

    def launch(self) -> None:
        d, user = self.dir, system_user()
        for folder in (d, d / "run"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.chmod(0o700)
            if user:
                shutil.chown(folder, user, user)
        if not (self.data / "PG_VERSION").exists():
            self._initdb(user)
        # authentication_timeout: a connection still authenticating holds a slot before any role's
        # limit applies (another local user can open many and stall there); 10 s, not 60, each.
        # The socket 0700 (PostgreSQL's default is 0777), as private as the folder that holds it.
        # max_wal_size 8GB, not 1GB: at 35,000 events/s a 1 GB budget forced a checkpoint every
        # 10-20 s, and after each one the first change to every page of the random-uuid index was
        # written whole to the WAL: full-page images rose with the table (13 -> 520 per 1,000 events
        # from 1M to 10M rows) and so did PostgreSQL's cost (41 -> 59 µs an event); with 8 GB they
        # stay near 0 and the cost flat (make bench-growth, docs/benchmark.md). Durability is the same
        # (fsync, full_page_writes on); a crash replays more WAL, and up to 8 GB of it is kept on disk.
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={d / 'run'} "
                "-c unix_socket_permissions=0700 "
                "-c shared_buffers=256MB -c max_wal_size=8GB -c max_connections=100 -c authentication_timeout=10s")
        # pg_ctl daemonizes the postmaster; its pid is the first line of postmaster.pid.
        r = subprocess.run([pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts,
                            "-w", "-t", str(int(self.timeout_s)), "start"], user=user, group=user,
                           extra_groups=[] if user else None, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, umask=0o077)
        if r.returncode != 0:
            why = (r.stderr.strip() or r.stdout.strip()).splitlines()
            raise Unavailable(f"PostgreSQL did not start ({why[-1] if why else r.returncode}); see {self.log}")
        process.write_pid(self.pid_file, int((self.data / "postmaster.pid").read_text().splitlines()[0]))

    def _initdb(self, user: str | None) -> None:
        pwfile = self.dir / ".pwfile"
        self.write(pwfile, self.cfg.require("POSTGRES_PASSWORD") + "\n")  # 0600 before the secret is in it
        if user:
            shutil.chown(pwfile, user, user)
        try:
            r = subprocess.run([pg_bin("initdb"), "-D", str(self.data), "-U", self.cfg.postgres_user,
                                f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                               user=user, group=user, extra_groups=[] if user else None, capture_output=True,
                               text=True, umask=0o077)
        finally:
            pwfile.unlink(missing_ok=True)
        if r.returncode != 0:
            raise Unavailable(f"initdb failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")

    def ready(self) -> bool:
        import psycopg2
        from flinkfast.clients import pg_auth_settings
        cfg = self.cfg
        try:
            with psycopg2.connect(host="127.0.0.1", port=self.port, user=cfg.postgres_user,
                                  password=cfg.require("POSTGRES_PASSWORD"), dbname="postgres",
                                  connect_timeout=2, **pg_auth_settings()) as conn, conn.cursor() as cur:
                cur.execute("SELECT 1")
                return True
        except psycopg2.OperationalError as e:
            if "password authentication failed" in str(e):
                raise ConfigError(f"PostgreSQL rejected the password of {cfg.postgres_user}: the data in {self.data} "
                                  "was created with another POSTGRES_PASSWORD (use that one, or `make clean`)") from None
            return False

    # ---- the database: what `up` applies, and psql for it
    def psql(self, *args: str, database: str | None = None, check: bool = True,
             options: str | None = None) -> subprocess.CompletedProcess:
        """Run psql as the admin user with the project's settings in its environment (for \\getenv).
        Over the server's own socket, in a folder only its user may enter: the system's psql (libpq 15)
        cannot refuse a cleartext password request, and no other process can stand in for that socket
        while the server is down, as one could on the TCP port."""
        env = dict(os.environ, **self.cfg.as_env(), PGPASSWORD=self.cfg.require("POSTGRES_PASSWORD"),
                   **({"PGOPTIONS": options} if options else {}))
        cmd = [pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir / "run"),
               "-p", str(self.port), "-U", self.cfg.postgres_user,
               "-d", database or self.cfg.postgres_db, *args]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise Unavailable(f"psql {' '.join(args)} failed: {self.cfg.mask(r.stderr.strip())}")
        return r

    def init_database(self, files: list[Path] | None = None) -> None:
        """Create the database and apply sql/postgres/*.sql (idempotent), as compose's init does.
        All files in one transaction (psql -1): on a live stack the pipeline never sees a
        half-applied schema (a moment without the superseded-row trigger, say), and a failing
        file leaves everything as it was."""
        for secret in ("FLINK_DB_PASSWORD", "READER_DB_PASSWORD"):  # 002_roles.sql sets them from here
            self.cfg.require(secret)
        db = self.cfg.postgres_db
        exists = self.psql("-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'", database="postgres").stdout.strip()
        if not exists:
            # CONNECTION LIMIT 0 until the schema is in: a new database gives PUBLIC CONNECT and
            # TEMP, and 002_roles.sql takes them back only when its transaction commits; in between
            # any role could connect and create temporary objects that outlive the revoke (an attack
            # did). Only the superuser, exempt from a database's limit, gets in meanwhile.
            self.psql("-c", f'CREATE DATABASE "{db}" CONNECTION LIMIT 0', database="postgres")
        files = files if files is not None else sorted((SQL_DIR / "postgres").glob("*.sql"))
        # A lock_timeout of its own: re-applied on a live stack, the schema's ALTER and DROP TRIGGER
        # wait for ACCESS EXCLUSIVE behind whoever holds a lock (a reader's open transaction), and
        # the sink's flushes would queue behind them; this gives up instead, and says so.
        try:
            self.psql("-1", *[arg for sql in files for arg in ("-f", str(sql))], options=f"-c lock_timeout={SCHEMA_LOCK_TIMEOUT}")
            self.psql("-c", f'ALTER DATABASE "{db}" CONNECTION LIMIT -1', database="postgres")
        except Unavailable as e:
            if "lock timeout" not in str(e):
                raise
            raise Unavailable(f"the schema was not re-applied: a session holds a lock on the pipeline's tables for "
                              f"more than {SCHEMA_LOCK_TIMEOUT} (see pg_stat_activity with `flinkfast psql --admin`); "
                              "nothing changed and the sink was not kept waiting: end that session and run `make up` again") from None
