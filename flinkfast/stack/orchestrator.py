"""The local stack as a whole: its six services in start order, brought up and down together.

Library code: it returns records (what started, what runs, how much memory) and reports
progress through an optional callback; the CLI (flinkfast.stack.cli) prints.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flinkfast.config import Config
from flinkfast.errors import Unavailable
from flinkfast.lock import stack_lock
from flinkfast.stack import process
from flinkfast.stack.flink import JobManager, TaskManager, WebUi
from flinkfast.stack.flinkhome import FlinkHome
from flinkfast.stack.kafka import Kafka
from flinkfast.stack.postgres import Postgres, system_user
from flinkfast.stack.service import Service, private_tree
from flinkfast.stack.zookeeper import ZooKeeper


@dataclass(frozen=True)
class Progress:
    service: str
    event: str            # "running" (already), "starting", "ready", "failed", "stopping", "stopped", "removed"
    pid: int | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    pid: int | None
    state: str            # healthy | starting | stopped
    rss_kib: int
    peak_kib: int
    log: Path


Report = Callable[[Progress], None]


def _quiet(_: Progress) -> None:
    pass


class Stack:
    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.state = cfg.state_dir.resolve()
        self.flink = FlinkHome(cfg, self.state)
        self.services: list[Service] = [ZooKeeper(cfg, self.state), Kafka(cfg, self.state), Postgres(cfg, self.state),
                                        JobManager(cfg, self.flink), TaskManager(cfg, self.flink), WebUi(cfg, self.flink)]

    def service(self, name: str) -> Service:
        for svc in self.services:
            if svc.name == name:
                return svc
        raise KeyError(f"no service {name!r}; one of {', '.join(s.name for s in self.services)}")

    # ---- lifecycle
    def up(self, report: Report = _quiet) -> None:
        """Start what is not running, in order, each healthy before the next; then the topic and
        the schema. Idempotent; one stack-changing command at a time (the lock)."""
        with stack_lock(self.state, "up", self.cfg.lock_wait_s):
            self.prepare_state()
            self.check_ports()
            for svc in self.services:
                if svc.pid():
                    report(Progress(svc.name, "running", svc.pid()))
                    continue
                report(Progress(svc.name, "starting"))
                try:
                    seconds = svc.start()
                except BaseException:
                    report(Progress(svc.name, "failed"))
                    raise
                report(Progress(svc.name, "ready", svc.pid(), seconds))
            self.create_topic()
            self.init_database()

    def down(self, purge: bool = False, report: Report = _quiet) -> None:
        with stack_lock(self.state, "down", self.cfg.lock_wait_s):
            for svc in reversed(self.services):
                pid = svc.pid()
                if pid:
                    report(Progress(svc.name, "stopping", pid))
                svc.stop()
                if pid:
                    report(Progress(svc.name, "stopped", pid))
            if purge and self.state.exists():
                shutil.rmtree(self.state)
                report(Progress("state", "removed"))

    def start(self, name: str) -> None:
        svc = self.service(name)
        if not svc.pid():
            svc.start()

    def stop(self, name: str, sig: int | None = None) -> None:
        """Stop one service (by its recorded pid); sig=SIGKILL simulates a crash."""
        self.service(name).stop(sig)

    def prepare_state(self) -> None:
        """The state folder private: 0700, or 0710 with group postgres when PostgreSQL runs as
        that user (it may pass through to its own folder, and read nothing else)."""
        private_tree(self.state, group=system_user())

    def check_ports(self) -> None:
        for svc in self.services:
            if svc.pid():
                continue
            for port, env in svc.ports():
                if not process.port_free(port):
                    raise Unavailable(f"port {port} ({svc.name}) is already in use by another process: "
                                      f"stop that process or set {env} to a free port")

    # ---- what runs
    def status(self) -> list[ServiceStatus]:
        out = []
        for svc in self.services:
            pid = svc.pid()
            healthy = bool(pid) and svc.ready()
            rss, peak = process.memory_kib(pid) if pid else (0, 0)
            out.append(ServiceStatus(svc.name, pid, "healthy" if healthy else ("starting" if pid else "stopped"),
                                     rss, peak, svc.log))
        return out

    def stack_memory(self) -> dict[str, dict[str, float]]:
        """Current and peak RSS per service in MiB (for benchmarks and the README figures)."""
        out = {}
        for svc in self.services:
            pid = svc.pid()
            rss, peak = process.memory_kib(pid) if pid else (0, 0)
            out[svc.name] = {"rss_mib": round(rss / 1024, 1), "peak_rss_mib": round(peak / 1024, 1)}
        return out

    def taskmanager_java_pid(self) -> int | None:
        """The TaskManager JVM under its supervisor (for fault tests that kill it)."""
        return self.service("taskmanager").main_pid()

    def jobmanager_java_pid(self) -> int | None:
        return self.service("jobmanager").main_pid()

    @property
    def taskmanager_env(self) -> dict[str, str]:
        """Extra environment of the TaskManager, e.g. TZ for the time-zone test."""
        return self.service("taskmanager").extra_env

    @taskmanager_env.setter
    def taskmanager_env(self, env: dict[str, str]) -> None:
        self.service("taskmanager").extra_env = dict(env)

    # ---- topic and schema
    def create_topic(self) -> None:
        from flinkfast.clients import create_topic
        create_topic(self.cfg.replace(kafka_bootstrap_servers=f"127.0.0.1:{self.cfg.kafka_port}"))

    def psql(self, *args: str, database: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        return self.service("postgres").psql(*args, database=database, check=check)

    def init_database(self, files: list[Path] | None = None) -> None:
        self.service("postgres").init_database(files)
