"""`flinkfast up|down|clean|status|logs`: the local stack's commands. The only module here that prints.

    python -m flinkfast.stack up|down [--purge]|clean|status|logs [SERVICE]
"""
from __future__ import annotations

from flinkfast import config
from flinkfast.cli.command import Command
from flinkfast.config import Config
from flinkfast.errors import ConfigError, Unavailable
from flinkfast.stack.orchestrator import Progress, Stack


class ProgressPrinter:
    """The callback `up`/`down` report through: one line per service, as they happen. A start
    is one line (`kafka  starting ... ready in 7.6s`); services that start together (the brokers,
    the TaskManagers) get a line each for starting and for ready."""

    def __init__(self):
        self.open: str | None = None   # the service whose "starting ..." ends the current line

    def __call__(self, p: Progress) -> None:
        if p.event in ("starting", "stopping"):
            self._close()
            what = "starting ..." if p.event == "starting" else f"stopping (pid {p.pid}) ..."
            print(f"  {p.service:<14} {what}", end="", flush=True)
            self.open = p.service
            return
        done = {"ready": f"ready in {p.seconds or 0:.1f}s", "failed": "failed", "stopped": "stopped"}.get(p.event)
        if done and self.open == p.service:
            print(f" {done}")
        elif done:
            self._close()
            print(f"  {p.service:<14} {done}")
        elif p.event == "running":
            self._close()
            print(f"  {p.service:<14} already running (pid {p.pid})")
        elif p.event == "removed":
            self._close()
            print("  removed the state folder")
        self.open = None

    def _close(self) -> None:
        if self.open:
            print()
        self.open = None


def where(stack: Stack, svc) -> tuple[str, str]:
    """Where a service listens and what it is, for the summary `up` prints."""
    c: Config = stack.cfg
    if svc.kind == "kafka":
        first = (f"topic {c.kafka_topic} ({c.kafka_partitions} partitions, {c.kafka_replication_factor} replicas, "
                 f"min.insync.replicas {c.kafka_min_insync_replicas})")
        return f"127.0.0.1:{svc.port}", first if svc.number == 1 else f"broker {svc.number - 1}"
    if svc.kind == "taskmanager":
        return "", f"{c.taskmanager_slots} slots"
    return {
        "zookeeper": (f"127.0.0.1:{c.zookeeper_port}", "Kafka's metadata, Flink's HA"),
        "postgres": (f"127.0.0.1:{c.postgres_port}", f"database {c.postgres_db}, user {c.postgres_user}"),
        "jobmanager": (c.flink_rest_url, "Flink's REST API (TLS, client certificate)"),
        "webui": (c.flink_ui_url, "Flink Web UI (read-only; open this one)"),
    }.get(svc.name, ("", ""))


def summary(stack: Stack) -> str:
    lines = [f"local stack is up (state in {stack.state})"]
    for svc in stack.services:
        at, what = where(stack, svc)
        lines.append(f"  {svc.name:<14} {at:<24} pid {svc.pid() or '-':<8} {what}")
        lines.append(f"  {'':<14} log {svc.log}")
    return "\n".join(lines)


def print_status(stack: Stack) -> int:
    """The services' table, then the job's health, then every problem in one line each. The exit
    code: 0 all is well, 1 something is wrong (a service down, the job not delivering), 3 the
    stack is not running at all."""
    records = stack.status()
    if not any(r.pid for r in records):
        raise Unavailable(f"the local stack is not running (state in {stack.state}): start it with `make up`")
    print(f"{'service':<14} {'pid':<8} {'state':<9} {'rss MiB':>8} {'peak MiB':>9}  log")
    for r in records:
        print(f"{r.name:<14} {r.pid or '-':<8} {r.state:<9} {r.rss_kib / 1024:>8.0f} {r.peak_kib / 1024:>9.0f}  {r.log}")
    print(f"{'total':<14} {'':<8} {'':<9} {sum(r.rss_kib for r in records) / 1024:>8.0f} "
          f"{sum(r.peak_kib for r in records) / 1024:>9.0f}")
    down = [f"service {r.name} is {r.state}: `make up` starts it (`make logs SERVICE={r.name}` says why it stopped)"
            for r in records if r.state != "healthy"]
    brokers = {s.name for s in stack.of_kind("kafka")}
    if all(r.state == "healthy" for r in records if r.name in brokers):  # else that is the problem
        try:
            down.extend(stack.replication_problems())
        except Exception as e:  # noqa: BLE001 - any Kafka trouble is reported, not raised
            down.append(f"could not check the replication of topic {stack.cfg.kafka_topic}: {first_line(e)}")
    from flinkfast.accounting.health import job_health
    h = job_health(stack.cfg)
    uptime = f", up {h.uptime_s:.0f}s" if h.uptime_s is not None else ""
    lag = f", {h.lag:,} messages unread" if h.lag is not None else ""
    rate = f", reading {h.source_rate:,.0f}/s" if h.source_rate else ""
    print(f"job {h.name}: {h.state}{uptime}, {h.restarts} restarts{lag}{rate}"
          + (f"  ({stack.cfg.flink_ui_url}/#/job/running/{h.job_id}/overview)" if h.job_id else ""))
    if h.last_failure:
        print(f"  last failure {h.last_failure_age_s:.0f}s ago: {h.last_failure}")
    problems = down + h.problems
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("OK: the pipeline is delivering" if not problems else f"NOT OK: {len(problems)} problem(s)")
    return 1 if problems else 0


def first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def print_logs(stack: Stack, name: str | None, lines: int) -> None:
    chosen = [s for s in stack.services if name in (None, s.name)]
    if not chosen:
        raise ConfigError(f"unknown service {name!r}: one of {', '.join(s.name for s in stack.services)}")
    for svc in chosen:
        print(f"==> {svc.log} <==")
        if svc.log.exists():
            print("\n".join(svc.log.read_text(errors="replace").splitlines()[-lines:]))


def up(cfg: Config) -> Stack:
    """Start the stack, printing progress and the summary (used by demo and bench too)."""
    stack = Stack(cfg)
    stack.up(ProgressPrinter())
    print(summary(stack))
    return stack


# The settings each command uses, each one a flag of it.
STACK = ("FLINKFAST_STATE_DIR", "ZOOKEEPER_PORT", "KAFKA_PORT", "POSTGRES_PORT", "FLINK_UI_PORT", "FLINK_REST_PORT",
         "FLINK_RPC_PORT", "ZOOKEEPER_HEAP", "KAFKA_HEAP", "JOBMANAGER_MEMORY", "TASKMANAGER_MEMORY",
         "TASKMANAGER_SLOTS", "FLINK_TASKMANAGERS", "KAFKA_BROKERS", "KAFKA_REPLICATION_FACTOR",
         "KAFKA_MIN_INSYNC_REPLICAS", "KAFKA_RETENTION_BYTES", "LOG_MAX_BYTES", "LOG_BACKUPS", "LOCK_WAIT_S", "KAFKA_TOPIC",
         "KAFKA_PARTITIONS", "POSTGRES_DB", "HTTP_ALLOWED_HOSTS", "FLINK_PROMETHEUS_PORTS")
JOB = ("JOB_NAME", "KAFKA_GROUP_ID")


def _up(args) -> int:
    up(config.from_args(args))
    return 0


def _down(args, purge: bool = False) -> int:
    stack = Stack(config.from_args(args))
    stack.down(purge=purge or getattr(args, "purge", False), report=ProgressPrinter())
    if purge or getattr(args, "purge", False):
        print(f"  removed {stack.state}")
    return 0


def _down_arguments(parser) -> None:
    parser.add_argument("--purge", action="store_true", help="also delete data, logs and checkpoints (make clean)")


def _logs_arguments(parser) -> None:
    parser.add_argument("service", nargs="?", help="zookeeper|kafka|kafka-2...|postgres|jobmanager|taskmanager|"
                                                   "taskmanager-2...|webui (default: all)")
    parser.add_argument("-n", "--lines", type=int, default=40, help="lines of each log (default 40)")


UP = Command("up", "start the local stack and wait until every service is healthy (idempotent)", "flinkfast up "
             "--flink-taskmanagers 2 --kafka-brokers 3   (make up FLINK_TASKMANAGERS=2 KAFKA_BROKERS=3)", _up,
             settings=STACK,
             description="Start ZooKeeper, KAFKA_BROKERS Kafka brokers, PostgreSQL, a Flink JobManager, "
                         "FLINK_TASKMANAGERS TaskManagers and the Web UI's gate as plain processes (no Docker), each "
                         "healthy before the next; then the topic and the schema. Idempotent; one stack-changing "
                         "command at a time.")
DOWN = Command("down", "stop what `up` started, by pid", "flinkfast down   (make down)", _down, _down_arguments,
               settings=("FLINKFAST_STATE_DIR", "LOCK_WAIT_S"))
CLEAN = Command("clean", "stop the stack and delete its data (the state folder)", "flinkfast clean   (make clean)",
                lambda args: _down(args, purge=True), settings=("FLINKFAST_STATE_DIR", "LOCK_WAIT_S"))
STATUS = Command("status", "services, memory, and whether the pipeline delivers (exit 0 yes, 1 no, 3 stack down)",
                 "flinkfast status   (make status)", lambda args: print_status(Stack(config.from_args(args))),
                 settings=(*STACK, *JOB, "FLINK_REST_URL", "FLINK_REST_TLS_DIR", "FLINK_UI_URL", "KAFKA_BOOTSTRAP_SERVERS",
                           "POSTGRES_HOST", "READER_DB_USER"),
                 description="Pid, health and memory (current and peak RSS) of each service; the job's state, "
                             "restarts, lag and progress; every problem in one line. Exit 0 only when the pipeline "
                             "is delivering, 1 on any problem, 3 when the stack is not running.")
LOGS = Command("logs", "the end of the services' logs", "flinkfast logs taskmanager -n 100   (make logs SERVICE=kafka)",
               lambda args: print_logs(Stack(config.from_args(args)), args.service, args.lines), _logs_arguments,
               settings=("FLINKFAST_STATE_DIR",))
COMMANDS = {c.name: c for c in (UP, DOWN, CLEAN, STATUS, LOGS)}


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """python -m flinkfast.stack up|down|status|logs|clean [...]: the same commands as flinkfast's."""
    import argparse
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.stack",
                                     description="Start, check and stop the local stack without Docker.",
                                     epilog="example: python -m flinkfast.stack up && python -m flinkfast.stack status")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for c in COMMANDS.values():
        c.fill(sub.add_parser(c.name, help=c.help))
    args, extra = parser.parse_known_args(argv)
    return args._command.call(parser, args, extra)
