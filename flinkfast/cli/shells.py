"""`flinkfast sql` and `flinkfast psql`: the two interactive shells, on the stack's own settings."""
from __future__ import annotations

import argparse
import os
import subprocess

from flinkfast import config
from flinkfast.cli.command import Command
from flinkfast.pipeline.job import JOB_SETTINGS


def _psql_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--admin", action="store_true",
                        help="as POSTGRES_USER, the superuser (for the schema; nothing else needs it)")


def _psql(args: argparse.Namespace) -> int:
    """Replace this process with psql on POSTGRES_DB as the read-only role (READER_DB_USER), or as
    the superuser with --admin; the password goes in the environment (PGPASSWORD), never on a
    command line."""
    from flinkfast.clients import ROLES
    from flinkfast.stack.postgres import pg_bin
    cfg = config.from_args(args)
    user_env, password_env = ROLES["admin" if args.admin else "reader"]
    binary = pg_bin("psql")
    env = dict(os.environ, PGPASSWORD=cfg.require(password_env))
    os.execvpe(binary, [binary, "-X", "-h", psql_host(cfg), "-p", str(cfg.postgres_port),
                        "-U", cfg.get(user_env), "-d", cfg.postgres_db, *args.extra], env)
    return 0  # not reached


def psql_host(cfg) -> str:
    """Where psql connects: the local stack's own socket folder (0700) when it has one, not its TCP
    port. The system's psql (libpq 15) has no require_auth and would answer a cleartext request
    with the password, to whatever holds the port while PostgreSQL is down; nobody else can stand
    in for the socket in that folder. Elsewhere (POSTGRES_HOST not loopback, no local stack) TCP,
    said on stderr."""
    import sys
    socket_dir = cfg.state_dir.resolve() / "postgres" / "run"
    if cfg.postgres_host in ("127.0.0.1", "localhost", "::1") and socket_dir.is_dir():
        return str(socket_dir)   # the socket itself, even while PostgreSQL is down: never the port
    print(f"psql: note: connecting over TCP to {cfg.postgres_host}:{cfg.postgres_port}; this psql (libpq < 16) "
          "cannot refuse to send the password in cleartext, so only use it with a server you trust", file=sys.stderr)
    return cfg.postgres_host


def _sql(args: argparse.Namespace) -> int:
    """Run Flink's SQL client, initialised with the job's source, view and sink statements
    (sql/flink/, rendered from the configuration). The init file holds the writer's password:
    it is written private (0600) into the stack's state folder and deleted when the client
    exits, however it exits; the client does not echo it."""
    from flinkfast.pipeline import flinkrest, job
    from flinkfast.errors import Unavailable
    from flinkfast.paths import SQLCLIENT_JARS
    from flinkfast.pipeline.sqlfiles import flink_statements
    from flinkfast.stack import FlinkHome, pyflink_home
    from flinkfast.stack.service import private_dir
    cfg = config.from_args(args)
    home = FlinkHome(cfg, cfg.state_dir.resolve())
    if not flinkrest.overview(cfg):
        raise Unavailable(f"no Flink cluster answers at {cfg.flink_rest_url}: run `make up` first")
    home.render()
    init = home.dir / "sql-client-init.sql"
    statements = flink_statements(cfg, (job.EDGE_SOURCE, job.TRANSFORM, *job.EDGE_SINKS))
    init.unlink(missing_ok=True)
    fd = os.open(init, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        # The copy sink's idle flush is a setting of the job, not of its tables: the same here.
        idle = "flinkfast.sink.flush-idle"
        f.write(f"SET '{idle}' = '{job.job_settings(cfg)[idle]}';\n")
        f.write("".join(f"{statement};\n" for _, statement in statements))
    # The wheel's opt/ lacks the gateway jar the client needs: an opt/ of our own with both.
    opt = private_dir(home.dir / "opt")
    for old in opt.glob("*.jar"):
        old.unlink()
    for jar in [*(pyflink_home() / "opt").glob("*.jar"), *SQLCLIENT_JARS.glob("*.jar")]:
        (opt / jar.name).symlink_to(jar)
    binary = home.bin("sql-client.sh")
    try:
        return subprocess.run([binary, "-i", str(init), *args.extra], env=dict(home.env(), FLINK_OPT_DIR=str(opt)),
                              umask=0o077).returncode
    finally:
        init.unlink(missing_ok=True)


SQL = Command("sql", "Flink's SQL client on the local cluster, the job's tables already declared",
              "flinkfast sql   (then: SELECT COUNT(*) FROM random_user_source;)   or: flinkfast sql -f q.sql",
              _sql, settings=(*JOB_SETTINGS, "FLINKFAST_STATE_DIR", "FLINK_REST_URL", "FLINK_REST_TLS_DIR"),
              description="Flink's SQL client (sql-client.sh) on the local cluster, with the job's source, views "
                          "and sinks declared from sql/flink; other arguments go to sql-client.sh (e.g. -f FILE).",
              passthrough=True)
PSQL = Command("psql", "psql on the results database as the read-only role (--admin: the superuser)",
               "flinkfast psql -c 'SELECT count(*) FROM processed_events'", _psql, _psql_arguments,
               settings=("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "READER_DB_USER", "POSTGRES_USER"),
               description="psql on POSTGRES_DB as READER_DB_USER (SELECT on the pipeline's tables), or as "
                           "POSTGRES_USER with --admin; other arguments go to psql (e.g. -c SQL, -f FILE).",
               passthrough=True)
