"""`flinkfast`: one console command for everything the project does.

    flinkfast COMMAND [ARGS ...]        flinkfast COMMAND --help

Each command is a thin entry to one module's main(argv); the table below is the one list of
commands (the Makefile's targets call them, tests/test_cli.py checks each is documented).
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from importlib import import_module
from typing import Callable

from flinkfast.errors import run


@dataclass(frozen=True)
class Command:
    name: str
    target: str              # "module:function"
    help: str
    example: str
    prefix: tuple[str, ...] = ()  # arguments put before the user's (e.g. stack's "up")

    def call(self, argv: list[str]) -> int | None:
        module, function = self.target.split(":")
        main: Callable = getattr(import_module(module), function)
        # A prefix that is a subcommand of the module's own parser names itself in the usage line.
        subcommand = self.prefix and not self.prefix[0].startswith("-")
        return main([*self.prefix, *argv], prog="flinkfast" if subcommand else f"flinkfast {self.name}")


COMMANDS: tuple[Command, ...] = (
    Command("setup", "flinkfast.bootstrap:main", "install what is missing: apt packages, .venv, jars, the job's "
            "function, .env (idempotent)", "flinkfast setup"),
    Command("up", "flinkfast.stack:main", "start the local stack and wait until every service is healthy",
            "flinkfast up", ("up",)),
    Command("down", "flinkfast.stack:main", "stop what `up` started, by pid", "flinkfast down", ("down",)),
    Command("status", "flinkfast.stack:main", "services, memory, and the job's state, restarts and lag; "
            "exit 1 on trouble", "flinkfast status", ("status",)),
    Command("logs", "flinkfast.stack:main", "the end of the services' logs", "flinkfast logs taskmanager -n 100",
            ("logs",)),
    Command("clean", "flinkfast.stack:main", "stop the stack and delete its data (.state)", "flinkfast clean",
            ("down", "--purge")),
    Command("demo", "flinkfast.demo:main", "the whole pipeline end to end, then the latency report",
            "flinkfast demo --events 50000"),
    Command("submit", "flinkfast.submit:main", "submit the job to the local Flink cluster (flink run -py)",
            "flinkfast submit --flink-parallelism 2"),
    Command("produce", "flinkfast.producer_cli:main", "send events to Kafka, from the RandomUser API or generated",
            "flinkfast produce --source generate --count 10000 --seed 1"),
    Command("report", "flinkfast.report_cli:main", "the latency report from PostgreSQL",
            "flinkfast report --since 2026-11-25T10:00:00+00:00 --json"),
    Command("reconcile", "flinkfast.report_cli:main", "every consumed Kafka message in exactly one table? "
            "(exit 1 on a gap)", "flinkfast reconcile --wait 120", ("--reconcile",)),
    Command("skip", "flinkfast.skip:main", "record a message the job cannot process as a dead letter, unread, "
            "and resubmit the job", "flinkfast skip 0:42"),
    Command("bench", "flinkfast.bench:main", "the benchmark: drain and latency, side by side with the "
            "alternatives", "flinkfast bench --events 100000 --duration 20"),
    Command("dashboard", "flinkfast.dashboard.__main__:main", "the live latency dashboard on "
            "http://127.0.0.1:8050", "flinkfast dashboard --dashboard-port 8050"),
    Command("sql", "flinkfast.cli:sql", "Flink's SQL client on the local cluster, the job's tables already "
            "declared", "flinkfast sql   (then: SELECT COUNT(*) FROM random_user_source;)"),
    Command("psql", "flinkfast.cli:psql", "psql on the results database as the read-only role (--admin: the superuser)",
            "flinkfast psql -c 'SELECT count(*) FROM processed_events'"),
)
BY_NAME = {c.name: c for c in COMMANDS}


def psql(argv: list[str], prog: str = "flinkfast psql") -> int:
    """Replace this process with psql on POSTGRES_DB as the read-only role (READER_DB_USER), or as
    the superuser with --admin (for the schema, nothing else); the password goes in the
    environment (PGPASSWORD), never on a command line."""
    if argv[:1] in (["-h"], ["--help"]):
        print(f"usage: {prog} [--admin] [PSQL ARGS ...]\n\n{BY_NAME['psql'].help}; as the read-only role "
              "READER_DB_USER, or as POSTGRES_USER with --admin; any other arguments go to psql.\n\n"
              f"example: {BY_NAME['psql'].example}")
        return 0
    from flinkfast import config
    from flinkfast.clients import ROLES
    from flinkfast.stack.postgres import pg_bin
    role = "admin" if argv[:1] == ["--admin"] else "reader"
    argv = argv[1:] if role == "admin" else argv
    cfg = config.load()
    user_env, password_env = ROLES[role]
    binary = pg_bin("psql")
    env = dict(os.environ, PGPASSWORD=cfg.require(password_env))
    os.execvpe(binary, [binary, "-X", "-h", cfg.postgres_host, "-p", str(cfg.postgres_port),
                        "-U", cfg.get(user_env), "-d", cfg.postgres_db, *argv], env)
    return 0  # not reached


def sql(argv: list[str], prog: str = "flinkfast sql") -> int:
    """Run Flink's SQL client, initialised with the job's source, view and sink statements
    (sql/flink/, rendered from the configuration). The init file holds the writer's password:
    it is written private (0600) into the stack's state folder and deleted when the client
    exits, however it exits; the client does not echo it."""
    if argv[:1] in (["-h"], ["--help"]):
        print(f"usage: {prog} [SQL CLIENT ARGS ...]\n\n{BY_NAME['sql'].help}; other arguments go to "
              f"sql-client.sh (e.g. -f FILE).\n\nexample: {BY_NAME['sql'].example}")
        return 0
    from flinkfast import config, job
    from flinkfast.errors import Unavailable
    from flinkfast.sqlfiles import flink_statements
    from flinkfast.stack import FlinkHome, pyflink_home
    cfg = config.load()
    home = FlinkHome(cfg, cfg.state_dir.resolve())
    if not home.overview():
        raise Unavailable(f"no Flink cluster answers at {cfg.flink_rest_url}: run `make up` first")
    home.render()
    init = home.dir / "sql-client-init.sql"
    statements = flink_statements(cfg, (job.EDGE_SOURCE, job.TRANSFORM, *job.EDGE_SINKS))
    init.unlink(missing_ok=True)
    fd = os.open(init, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(f"{statement};\n" for _, statement in statements))
    # The wheel's opt/ lacks the gateway jar the client needs: an opt/ of our own with both.
    from flinkfast.paths import SQLCLIENT_JARS
    from flinkfast.stack.service import private_dir
    opt = private_dir(home.dir / "opt")
    for old in opt.glob("*.jar"):
        old.unlink()
    for jar in [*(pyflink_home() / "opt").glob("*.jar"), *SQLCLIENT_JARS.glob("*.jar")]:
        (opt / jar.name).symlink_to(jar)
    binary = home.bin("sql-client.sh")
    try:
        return subprocess.run([binary, "-i", str(init), *argv], env=dict(home.env(), FLINK_OPT_DIR=str(opt)),
                              umask=0o077).returncode
    finally:
        init.unlink(missing_ok=True)


def usage() -> str:
    width = max(len(c.name) for c in COMMANDS)
    lines = ["usage: flinkfast COMMAND [ARGS ...]   (flinkfast COMMAND --help for its options)", "",
             "The flinkfast pipeline: RandomUser -> Kafka -> Flink -> PostgreSQL, on the local stack.", "",
             "commands:"]
    for c in COMMANDS:
        lines.append(f"  {c.name:<{width}}  {c.help}")
        lines.append(f"  {'':<{width}}    e.g. {c.example}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    command = BY_NAME.get(argv[0])
    if command is None:
        print(f"flinkfast: error: unknown command {argv[0]!r}; one of: {', '.join(BY_NAME)}", file=sys.stderr)
        return 2
    return command.call(argv[1:]) or 0


def entry() -> None:
    """The console script: one-line errors and exit codes, as every command of the project."""
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    run(main, f"flinkfast {command}".strip())


if __name__ == "__main__":
    entry()
