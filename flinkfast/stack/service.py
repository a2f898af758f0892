"""The shared base of the local stack's services: one small class per service on top of it.

A service says what is special about it as data (its port and the variable that sets it,
extra ports, how long it may take to start, which signal stops it, whether its whole process
group is stopped, whether it is restarted when it exits, a log line after which a failed start
is retried) and two methods: `launch()` renders its configuration and starts it, `ready()` is
its readiness probe. Starting, waiting with a deadline, retrying and stopping are written once,
here.
"""
from __future__ import annotations

import grp
import os
import shutil
import signal
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from flinkfast import paths
from flinkfast.config import Config
from flinkfast.paths import REPO_ROOT
from flinkfast.errors import TimedOut, Unavailable
from flinkfast.stack import process


@dataclass(frozen=True)
class RetryRule:
    """Retry a start that failed when the service's log says `log_contains` (a known transient)."""
    log_contains: str
    why: str
    pause_s: float = 10
    attempts: int = 3


def numbered(kind: str, number: int) -> str:
    """The name of the n-th service of a kind: kafka, kafka-2, kafka-3 (the first keeps the kind's name)."""
    return kind if number == 1 else f"{kind}-{number}"


class Service:
    name: str = ""                             # the kind's name; the n-th of a kind is name-n (numbered)
    port_env: str = ""                         # the setting of its main port ("" = none of its own)
    extra_port_envs: tuple[str, ...] = ()      # other ports it binds
    timeout_s: float = 60
    stop_signal: int = signal.SIGTERM
    group: bool = True                         # stop the whole process group, not just the pid
    restart: bool = False                      # restarted when it exits, like compose's restart policy
    wrapped: bool = True                       # started under flinkfast.stack.supervise (log rotation, restart)
    retry: RetryRule | None = None

    def __init__(self, cfg: Config, state: Path, folder: str | None = None, number: int = 1):
        self.cfg = cfg
        self.number = number                   # several brokers and TaskManagers: kafka-2 is number 2
        self.name = numbered(type(self).name, number)
        self.dir = state / (folder or self.name)
        self._t0, self._attempt, self._log_offset = 0.0, 0, 0   # the start under way (begin, finish)

    # ---- what a service provides
    def launch(self) -> None:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    # ---- data
    @property
    def kind(self) -> str:
        """What it is, whichever of its kind: kafka-2 is a kafka (CPU and memory are counted by kind)."""
        return type(self).name

    @property
    def port(self) -> int:
        return int(self.cfg.get(self.port_env)) if self.port_env else 0

    def ports(self) -> list[tuple[int, str]]:
        """(port, the setting that moves it) of each port it binds."""
        return [(int(self.cfg.get(env)), env) for env in (self.port_env, *self.extra_port_envs) if env]

    @property
    def pid_file(self) -> Path:
        return self.dir / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        return self.dir / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid we recorded, if that process still runs and is ours (not a reused pid)."""
        return process.read_pid(self.pid_file)

    def main_pid(self) -> int | None:
        """The service's own process: the child of its wrapper (e.g. the JVM, for kill -9 tests)."""
        pid = self.pid()
        if pid and self.wrapped:
            kids = process.children(pid)
            return kids[0] if kids else None
        return pid

    # ---- lifecycle
    def start(self) -> float:
        """Start and wait until ready, retrying on the known transient; return the seconds taken."""
        self.begin()
        return self.finish()

    def begin(self) -> None:
        """Launch it without waiting (the brokers, and the TaskManagers, start together: Stack.up)."""
        self._t0, self._attempt = time.monotonic(), 0
        self.pid_file.unlink(missing_ok=True)
        self._launch()

    def finish(self) -> float:
        """Wait until it is ready, launching it again on the known transient; the seconds since begin()."""
        rule = self.retry
        while True:
            try:
                self.wait(self._t0)
                return time.monotonic() - self._t0
            except Unavailable:
                self._attempt += 1
                if not rule or self._attempt == rule.attempts or \
                        rule.log_contains not in process.read_from(self.log, self._log_offset):
                    raise
                time.sleep(rule.pause_s)
                self._launch()

    def _launch(self) -> None:
        self._log_offset = self.log.stat().st_size if self.log.exists() else 0   # where this attempt's lines begin
        self.launch()

    def wait(self, t0: float) -> None:
        deadline = t0 + self.timeout_s
        while time.monotonic() < deadline:
            if self.ready():
                return
            if not self.pid():
                raise Unavailable(f"{self.name} exited during start-up; see {self.log} (`make logs SERVICE={self.name}`)")
            time.sleep(0.5)
        raise TimedOut(f"{self.name} was not healthy within {self.timeout_s:.0f}s; see {self.log}")

    def stop(self, sig: int | None = None) -> bool:
        """Stop it by its recorded pid (sig=SIGKILL simulates a crash); False if it was not running."""
        pid = self.pid()
        if pid:
            process.terminate(pid, sig or self.stop_signal, group=self.group)
        self.pid_file.unlink(missing_ok=True)
        return bool(pid)

    # ---- helpers for launch()
    def spawn(self, cmd: list[str], env: dict | None = None, user: str | None = None) -> None:
        """Start cmd; wrapped services run under flinkfast.stack.supervise, which rotates the log and,
        for restart=True, restarts the command when it exits."""
        private_dir(self.dir)
        env = dict(os.environ if env is None else env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        if self.wrapped:
            cmd = [sys.executable, "-m", "flinkfast.stack.supervise", "--log", str(self.log),
                   "--max-bytes", str(self.cfg.log_max_bytes), "--backups", str(self.cfg.log_backups),
                   *([] if self.restart else ["--once"]), "--", *cmd]
        process.spawn(cmd, self.log, self.pid_file, self.dir, env, user)

    def write(self, path: Path, text: str) -> None:
        """A configuration file, private from its first byte."""
        with process.private_open(path) as f:
            f.write(text)


def private_dir(path: Path) -> Path:
    """Create a folder that only its owner can enter (0700), mode set before anything is written."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def private_tree(path: Path, group: str | None = None) -> Path:
    """A private folder, and nothing under it readable by others (what an older version left).
    With a group: 0710, so that group's services may pass through to their own folders."""
    private_dir(path)
    gid = grp.getgrnam(group).gr_gid if group else None
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            child = os.path.join(root, name)
            st = os.lstat(child)
            # A folder of that group may stay passable (0710): another stack's state folder in
            # this one (the tests', .state/test), whose PostgreSQL must reach its own data.
            passable = 0o010 if stat.S_ISDIR(st.st_mode) and st.st_gid == gid else 0
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077 & ~passable:
                os.chmod(child, stat.S_IMODE(st.st_mode) & (0o700 | passable))
    if group:
        shutil.chown(path, group=group)
        path.chmod(0o710)
    return path


def java() -> str:
    found = shutil.which("java")
    if not found:
        raise Unavailable("Java is not installed: run `make setup` (installs openjdk-17-jre-headless)")
    return found


def jars(kind: str) -> Path:
    d = paths.JARS / kind
    if not any(d.glob("*.jar")):
        raise Unavailable(f"the {kind} jars are missing in {d}: run `make setup` (fetches them from Maven Central)")
    return d


LOG4J_STDOUT = (
    "log4j.rootLogger=INFO, stdout\n"
    "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
    "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
    "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
    "log4j.logger.kafka.request.logger=WARN\n"
    "log4j.logger.state.change.logger=WARN\n")
