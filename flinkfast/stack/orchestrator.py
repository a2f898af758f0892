"""The local stack as a whole: its services in start order, brought up and down together.

ZooKeeper, KAFKA_BROKERS brokers (kafka, kafka-2, ...), PostgreSQL, the JobManager,
FLINK_TASKMANAGERS TaskManagers (taskmanager, taskmanager-2, ...) and the Web UI's gate. A broker
or TaskManager still running from a bigger stack is one of the services too (so `down` stops it
and `status` shows it), but `up` refuses to go on beside it.

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
from flinkfast.errors import ConfigError, Unavailable
from flinkfast.stack.lock import stack_lock
from flinkfast.stack import process, zktree
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
        brokers = [Kafka(cfg, self.state, number=n) for n in range(1, cfg.kafka_brokers + 1)]
        taskmanagers = [TaskManager(cfg, self.flink, n) for n in range(1, cfg.flink_taskmanagers + 1)]
        # Running ones beyond the counts (the stack was started with more): ours to stop and show.
        self.leftovers: list[Service] = [
            *self._running_beyond(lambda n: Kafka(cfg, self.state, number=n), "kafka-*/kafka-*.pid", cfg.kafka_brokers),
            *self._running_beyond(lambda n: TaskManager(cfg, self.flink, n), "flink/taskmanager-*/taskmanager-*.pid",
                                  cfg.flink_taskmanagers)]
        self.services: list[Service] = [
            ZooKeeper(cfg, self.state), *brokers, *[s for s in self.leftovers if s.kind == "kafka"],
            Postgres(cfg, self.state), JobManager(cfg, self.flink),
            *taskmanagers, *[s for s in self.leftovers if s.kind == "taskmanager"], WebUi(cfg, self.flink)]

    def _running_beyond(self, make: Callable[[int], Service], pid_files: str, count: int) -> list[Service]:
        found = []
        for pid_file in self.state.glob(pid_files):
            number = pid_file.parent.name.rsplit("-", 1)[-1]
            if number.isdigit() and int(number) > count:
                svc = make(int(number))
                if svc.pid():
                    found.append(svc)
        return sorted(found, key=lambda s: s.number)

    def in_groups(self) -> list[list[Service]]:
        """The services in start order, those of one kind together (the brokers, the TaskManagers):
        `up` launches a group at once and then waits for each, each group healthy before the next."""
        groups: list[list[Service]] = []
        for svc in self.services:
            if groups and groups[-1][0].kind == svc.kind:
                groups[-1].append(svc)
            else:
                groups.append([svc])
        return groups

    def of_kind(self, kind: str) -> list[Service]:
        """Every broker ("kafka") or TaskManager ("taskmanager"), in order."""
        return [s for s in self.services if s.kind == kind]

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
            self.check_shape()
            self.prepare_state()
            self.check_ports()
            for group in self.in_groups():
                starting = []
                for svc in group:
                    if svc.pid():
                        report(Progress(svc.name, "running", svc.pid()))
                    else:
                        report(Progress(svc.name, "starting"))
                        svc.begin()
                        starting.append(svc)
                for svc in starting:
                    try:
                        seconds = svc.finish()
                    except BaseException:
                        report(Progress(svc.name, "failed"))
                        raise
                    report(Progress(svc.name, "ready", svc.pid(), seconds))
                if group[0].kind == "zookeeper":   # before Kafka or Flink starts: /kafka, /flink theirs, / closed
                    zktree.lay_out(self.cfg, group[0].dir)
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

    def check_shape(self) -> None:
        """The counts fit what runs and what is on disk: no broker or TaskManager left running from
        a bigger stack, and no broker's data beyond KAFKA_BROKERS (the topics have replicas there:
        fewer brokers would leave partitions without their leaders and writes without their
        in-sync replicas)."""
        for svc in self.leftovers:
            setting = "KAFKA_BROKERS" if svc.kind == "kafka" else "FLINK_TASKMANAGERS"
            raise ConfigError(f"{svc.name} is running, but {setting} is {self.cfg.get(setting)}: stop the stack first "
                              f"(`make down`), or set {setting}={svc.number}")
        with_data = [int(d.parent.name[len("kafka-"):]) for d in self.state.glob("kafka-*/data")
                     if d.parent.name[len("kafka-"):].isdigit() and any(d.iterdir())]
        most = max(with_data, default=1)
        if most > self.cfg.kafka_brokers:
            raise ConfigError(f"{self.state / f'kafka-{most}'} holds a broker's data, but KAFKA_BROKERS is "
                              f"{self.cfg.kafka_brokers}: the topics have replicas on it; set KAFKA_BROKERS={most}, "
                              "or `make clean` (deletes every service's data) to start over with fewer")

    def check_ports(self) -> None:
        for svc in self.services:
            if svc.pid():
                continue
            for port, env in svc.ports():
                offset = port - int(self.cfg.get(env))
                which = f" ({svc.name} listens on {env}+{offset})" if offset else ""
                if not process.port_free(port):
                    raise Unavailable(f"port {port} ({svc.name}) is already in use by another process: "
                                      f"stop that process or set {env} to a free port{which}")

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
        """Current and peak RSS per kind of service in MiB, every broker under kafka and every
        TaskManager under taskmanager (for benchmarks and the README figures)."""
        kib: dict[str, list[int]] = {}
        for svc in self.services:
            pid = svc.pid()
            rss, peak = process.memory_kib(pid) if pid else (0, 0)
            total = kib.setdefault(svc.kind, [0, 0])
            total[0], total[1] = total[0] + rss, total[1] + peak
        return {kind: {"rss_mib": round(rss / 1024, 1), "peak_rss_mib": round(peak / 1024, 1)}
                for kind, (rss, peak) in kib.items()}

    # ---- topic and schema
    @property
    def kafka_cfg(self) -> Config:
        """The settings with this stack's own brokers as the bootstrap servers (whatever .env says)."""
        return self.cfg.replace(kafka_bootstrap_servers=",".join(f"127.0.0.1:{s.port}" for s in self.of_kind("kafka")))

    def create_topic(self) -> None:
        """The clients' credentials and ACLs, and the topic, once every broker is
        in the cluster's metadata (a topic with more replicas than the brokers the controller knows
        is refused)."""
        from flinkfast.clients import brokers, create_topic, secure_kafka, wait_until
        cfg, wanted = self.kafka_cfg, list(range(self.cfg.kafka_brokers))
        wait_until(lambda: brokers(cfg) == wanted, 60, f"brokers {wanted} registered in the cluster")
        secure_kafka(cfg)
        create_topic(cfg)

    def replication_problems(self) -> list[str]:
        """The topic replicated less than the settings say (it was made by a stack with fewer
        brokers: Kafka keeps a topic's replication), or with fewer replicas in sync than it needs
        for a write (acks=all): one line each."""
        from flinkfast.clients import topic_replication
        c = self.cfg
        replicas, in_sync, min_isr = topic_replication(self.kafka_cfg)
        out = []
        if replicas < c.kafka_replication_factor:
            out.append(f"topic {c.kafka_topic} has {replicas} replica(s) per partition, KAFKA_REPLICATION_FACTOR is "
                       f"{c.kafka_replication_factor}: it was created by a stack with fewer brokers (`make clean` "
                       "starts over; or reassign its partitions with kafka-reassign-partitions)")
        if in_sync < min_isr:
            out.append(f"topic {c.kafka_topic} has a partition with {in_sync} replica(s) in sync, fewer than its "
                       f"min.insync.replicas ({min_isr}): Kafka refuses writes to it until a broker is back (`make up`)")
        return out

    def psql(self, *args: str, database: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        return self.service("postgres").psql(*args, database=database, check=check)

    def init_database(self, files: list[Path] | None = None) -> None:
        self.service("postgres").init_database(files)
