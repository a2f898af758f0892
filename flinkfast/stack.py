"""The local stack: ZooKeeper, Kafka, PostgreSQL and a Flink cluster as plain processes.

Like kafka-python's own test fixtures: each service's configuration is rendered from a template
into the state folder, the process is started in its own session with its pid recorded, and
`up` waits for a real readiness signal (ZooKeeper answers `ruok`, the broker answers metadata,
Postgres runs a query, Flink's REST API lists a TaskManager) with a deadline. `down` stops only
the processes whose pid files it wrote, and waits for them to exit.

    python -m flinkfast.stack up|down [--purge]|status|logs [SERVICE]
"""
from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flinkfast import config, paths, versions
from flinkfast.config import REPO_ROOT, SQL_DIR, Config
from flinkfast.lock import stack_lock
from flinkfast.paths import job_jars
from flinkfast.errors import ConfigError, TimedOut, Unavailable, run

JARS = paths.JARS
PYFLINK_HOME = None  # resolved lazily: importing pyflink is slow


def pyflink_home() -> Path:
    global PYFLINK_HOME
    if PYFLINK_HOME is None:
        import pyflink
        PYFLINK_HOME = Path(pyflink.__file__).resolve().parent
    return PYFLINK_HOME


# ----------------------------------------------------------------------------- processes

def _start_time(pid: int) -> str:
    """Start time of a process in clock ticks since boot: with the pid, it names one process
    (a pid alone can be reused after the process exits)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def write_pid(path: Path, pid: int) -> None:
    path.write_text(f"{pid} {_start_time(pid)}\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def memory_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process and its children, in KiB, from /proc."""
    rss = peak = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        except OSError:
            pass
    return rss, peak


# ----------------------------------------------------------------------------- services

@dataclass
class Service:
    name: str
    port: int
    port_env: str
    dir: Path
    timeout: float
    start: Callable[[], None]
    ready: Callable[[], bool]
    stop_signal: int = signal.SIGTERM

    @property
    def pid_file(self) -> Path:
        return self.dir / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        return self.dir / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid we recorded, if that process still runs and is ours (not a reused pid)."""
        try:
            pid, started = self.pid_file.read_text().split()
            pid = int(pid)
        except (OSError, ValueError):
            return None
        if _alive(pid) and _start_time(pid) == started:
            return pid
        return None


class Stack:
    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.state = cfg.state_dir.resolve()
        self.taskmanager_env: dict[str, str] = {}  # extra environment, e.g. TZ for the time-zone test
        self.services = [self._zookeeper(), self._kafka(), self._postgres(), self._jobmanager(), self._taskmanager()]

    # ---- helpers
    def _popen(self, svc: Service, cmd: list[str], env: dict | None = None, user: str | None = None) -> None:
        svc.dir.mkdir(parents=True, exist_ok=True)
        env = dict(env if env is not None else os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        with open(svc.log, "ab") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, env=env, cwd=svc.dir, user=user)
        write_pid(svc.pid_file, proc.pid)

    def _java(self) -> str:
        java = shutil.which("java")
        if not java:
            raise Unavailable("Java is not installed: run `make setup` (installs openjdk-17-jre-headless)")
        return java

    def _jars(self, kind: str) -> Path:
        d = JARS / kind
        if not any(d.glob("*.jar")):
            raise Unavailable(f"the {kind} jars are missing in {d}: run `make setup` (fetches them from Maven Central)")
        return d

    # ---- ZooKeeper
    def _zookeeper(self) -> Service:
        d = self.state / "zookeeper"
        port = self.cfg.zookeeper_port

        def start():
            (d / "data").mkdir(parents=True, exist_ok=True)
            (d / "zookeeper.properties").write_text(
                f"dataDir={d / 'data'}\nclientPort={port}\nclientPortAddress=127.0.0.1\n"
                "maxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=ruok,srvr\n")
            _write_log4j(d / "log4j.properties")
            self._popen(svc, [self._java(), f"-Xmx{self.cfg.zookeeper_heap}", f"-Xms{self.cfg.zookeeper_heap}",
                              f"-Dlog4j.configuration=file:{d / 'log4j.properties'}",
                              "-cp", f"{self._jars('kafka')}/*",
                              "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(d / "zookeeper.properties")])

        def ready():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"ruok")
                    return s.recv(4) == b"imok"
            except OSError:
                return False

        svc = Service("zookeeper", port, "ZOOKEEPER_PORT", d, 60, start, ready)
        return svc

    # ---- Kafka
    def _kafka(self) -> Service:
        d = self.state / "kafka"
        cfg = self.cfg

        def start():
            (d / "data").mkdir(parents=True, exist_ok=True)
            props = {
                "broker.id": 0,
                "listeners": f"PLAINTEXT://127.0.0.1:{cfg.kafka_port}",
                "advertised.listeners": f"PLAINTEXT://127.0.0.1:{cfg.kafka_port}",
                "zookeeper.connect": f"127.0.0.1:{cfg.zookeeper_port}",
                "log.dirs": d / "data",
                "num.partitions": cfg.kafka_partitions,
                # A single broker: internal topics cannot be replicated.
                "offsets.topic.replication.factor": 1,
                "transaction.state.log.replication.factor": 1,
                "transaction.state.log.min.isr": 1,
                "group.initial.rebalance.delay.ms": 0,
                # Topics are created explicitly with a stated partition count, never by accident.
                "auto.create.topics.enable": "false",
                # A bounded disk: the oldest segments go first past this size per partition.
                "log.retention.bytes": cfg.kafka_retention_bytes,
            }
            (d / "server.properties").write_text("".join(f"{k}={v}\n" for k, v in props.items()))
            _write_log4j(d / "log4j.properties")
            self._popen(svc, [self._java(), f"-Xmx{cfg.kafka_heap}", f"-Xms{cfg.kafka_heap}", "-XX:+UseG1GC",
                              "-Djava.awt.headless=true", f"-Dlog4j.configuration=file:{d / 'log4j.properties'}",
                              f"-Dkafka.logs.dir={d}", "-cp", f"{self._jars('kafka')}/*",
                              "kafka.Kafka", str(d / "server.properties")])

        def ready():
            from kafka import KafkaAdminClient
            from kafka.errors import KafkaError
            try:
                admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{cfg.kafka_port}",
                                         request_timeout_ms=3000)
            except (KafkaError, OSError, ValueError):
                return False
            try:
                admin.list_topics()
                return True
            except (KafkaError, OSError):
                return False
            finally:
                admin.close()

        svc = Service("kafka", cfg.kafka_port, "KAFKA_PORT", d, 120, start, ready)
        return svc

    # ---- PostgreSQL
    def pg_bin(self, tool: str) -> str:
        major = versions.get("postgres.major")
        for candidate in [Path(f"/usr/lib/postgresql/{major}/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]:
            if (candidate / tool).exists():
                return str(candidate / tool)
        found = shutil.which(tool)
        if not found:
            raise Unavailable(f"PostgreSQL's {tool} is not installed: run `make setup` (installs postgresql)")
        return found

    def _pg_user(self) -> str | None:
        """Postgres refuses to run as root: when we are root, run it as the 'postgres' user."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root but there is no 'postgres' system user: install postgresql (make setup)") from None
        return "postgres"

    def _postgres(self) -> Service:
        d = self.state / "postgres"
        data = d / "data"
        cfg = self.cfg

        def start():
            user = self._pg_user()
            password = cfg.require("POSTGRES_PASSWORD")
            d.mkdir(parents=True, exist_ok=True)
            (d / "run").mkdir(exist_ok=True)
            if user:
                for p in (d, d / "run"):
                    shutil.chown(p, user, user)
            if not (data / "PG_VERSION").exists():
                pwfile = d / ".pwfile"
                pwfile.write_text(password + "\n")
                pwfile.chmod(0o600)
                if user:
                    shutil.chown(pwfile, user, user)
                try:
                    r = subprocess.run([self.pg_bin("initdb"), "-D", str(data), "-U", cfg.postgres_user,
                                        f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8",
                                        "--locale=C.UTF-8"], user=user, capture_output=True, text=True)
                finally:
                    pwfile.unlink(missing_ok=True)
                if r.returncode != 0:
                    raise Unavailable(f"initdb failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
            opts = (f"-c listen_addresses=127.0.0.1 -p {cfg.postgres_port} -c unix_socket_directories={d / 'run'} "
                    "-c shared_buffers=256MB -c max_connections=100")
            # pg_ctl daemonizes the postmaster; its pid is the first line of postmaster.pid.
            r = subprocess.run([self.pg_bin("pg_ctl"), "-D", str(data), "-l", str(svc.log), "-o", opts,
                                "-w", "-t", str(int(svc.timeout)), "start"], user=user, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
            if r.returncode != 0:
                raise Unavailable(f"PostgreSQL did not start; see {svc.log}")
            write_pid(svc.pid_file, int((data / "postmaster.pid").read_text().splitlines()[0]))

        def ready():
            import psycopg2
            try:
                with psycopg2.connect(host="127.0.0.1", port=cfg.postgres_port, user=cfg.postgres_user,
                                      password=cfg.require("POSTGRES_PASSWORD"), dbname="postgres",
                                      connect_timeout=2) as conn, conn.cursor() as cur:
                    cur.execute("SELECT 1")
                    return True
            except psycopg2.OperationalError as e:
                if "password authentication failed" in str(e):
                    raise ConfigError(f"PostgreSQL rejected the password of {cfg.postgres_user}: the data in {data} "
                                      "was created with another POSTGRES_PASSWORD (use that one, or `make clean`)") from None
                return False

        svc = Service("postgres", cfg.postgres_port, "POSTGRES_PORT", d, 60, start, ready, signal.SIGINT)
        return svc

    # ---- Flink
    def flink_env(self) -> dict[str, str]:
        """Environment that points the wheel's bin/ scripts at our conf/ and lib/ (cluster and `flink run`)."""
        f = self.state / "flink"
        return dict(os.environ, **self.cfg.as_env(), FLINK_CONF_DIR=str(f / "conf"), FLINK_LIB_DIR=str(f / "lib"),
                    FLINK_LOG_DIR=str(f / "log"), FLINK_PID_DIR=str(f / "run"))

    def render_flink(self) -> None:
        f = self.state / "flink"
        home = pyflink_home()
        for sub in ("conf", "lib", "log", "run", "tmp", "checkpoints"):
            (f / sub).mkdir(parents=True, exist_ok=True)
        for old in (f / "lib").glob("*.jar"):
            old.unlink()
        self._jars("flink")
        for jar in [*(home / "lib").glob("*.jar"), *job_jars()]:
            (f / "lib" / jar.name).symlink_to(jar)
        for name in ("log4j-console.properties", "log4j-cli.properties", "log4j.properties", "logback-console.xml"):
            shutil.copyfile(home / "conf" / name, f / "conf" / name)
        python = str(REPO_ROOT / ".venv" / "bin" / "python") if (REPO_ROOT / ".venv").exists() else sys.executable
        settings = {
            "jobmanager.rpc.address": "127.0.0.1",
            "jobmanager.rpc.port": self.cfg.flink_rpc_port,
            "jobmanager.bind-host": "127.0.0.1",
            "jobmanager.memory.process.size": self.cfg.jobmanager_memory,
            "taskmanager.bind-host": "127.0.0.1",
            "taskmanager.host": "127.0.0.1",
            "taskmanager.numberOfTaskSlots": self.cfg.taskmanager_slots,
            "taskmanager.memory.process.size": self.cfg.taskmanager_memory,
            "parallelism.default": 1,
            "rest.address": "127.0.0.1",
            "rest.bind-address": "127.0.0.1",
            "rest.port": self.cfg.flink_rest_port,
            "io.tmp.dirs": str(f / "tmp"),
            # One machine: a TaskManager that vanished (kill -9) is noticed in seconds, not the
            # default 50 s, so the job restarts on its replacement sooner.
            "heartbeat.interval": 5000,
            "heartbeat.timeout": 20000,
            "execution.checkpointing.dir": f"file://{f / 'checkpoints'}",
            "python.client.executable": python,
            "python.executable": python,
            # The wheel's own JVM options (module opens that Flink needs on Java 17).
            "env.java.opts.all": _wheel_java_opts(home),
        }
        settings.update(prometheus_reporter(self.cfg))
        (f / "conf" / "config.yaml").write_text(
            "# Rendered by flinkfast.stack from the project's configuration; edits are overwritten.\n"
            + "".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items()))

    def flink_bin(self, tool: str) -> str:
        return str(pyflink_home() / "bin" / tool)

    def _jobmanager(self) -> Service:
        d = self.state / "flink"

        def start():
            self.render_flink()
            self._popen(svc, [self.flink_bin("jobmanager.sh"), "start-foreground"], env=self.flink_env())

        def ready():
            return self.flink_overview() is not None

        svc = Service("jobmanager", self.cfg.flink_rest_port, "FLINK_REST_PORT", d, 90, start, ready)
        return svc

    def _taskmanager(self) -> Service:
        d = self.state / "flink"

        def start():
            env = dict(self.flink_env(), **self.taskmanager_env)
            # Supervised: restarted when it exits, as compose's restart policy does.
            self._popen(svc, [sys.executable, "-m", "flinkfast.supervise", "--",
                              self.flink_bin("taskmanager.sh"), "start-foreground"], env=env)

        def ready():
            overview = self.flink_overview()
            return bool(overview and overview.get("taskmanagers", 0) >= 1)

        # The TaskManager listens on ephemeral ports; it has no fixed port of its own to check.
        svc = Service("taskmanager", 0, "", d, 90, start, ready)
        return svc

    def flink_overview(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.cfg.flink_rest_port}/overview", timeout=2) as r:
                return json.load(r)
        except (OSError, ValueError):
            return None

    # ---- lifecycle
    def up(self) -> None:
        with stack_lock(self.state, "up", self.cfg.lock_wait_s):
            self._up()

    def _up(self) -> None:
        self._check_ports()
        for svc in self.services:
            if svc.pid():
                print(f"  {svc.name:<12} already running (pid {svc.pid()})")
                continue
            svc.pid_file.unlink(missing_ok=True)
            print(f"  {svc.name:<12} starting ...", end="", flush=True)
            t0 = time.monotonic()
            try:
                self._start_and_wait(svc, t0)
            except BaseException:
                print(" failed")
                raise
            print(f" ready in {time.monotonic() - t0:.1f}s")
        self.create_topic()
        self.init_database()
        self.print_summary()

    def _check_ports(self) -> None:
        ports = [(s, s.port, s.port_env) for s in self.services if s.port and not s.pid()]
        if not self.services[3].pid():  # the JobManager's RPC port
            ports.append((self.services[3], self.cfg.flink_rpc_port, "FLINK_RPC_PORT"))
        for svc, port, env in ports:
            if not port_free(port):
                raise Unavailable(f"port {port} ({svc.name}) is already in use by another process: "
                                  f"stop that process or set {env} to a free port")

    def _start_and_wait(self, svc: Service, t0: float) -> None:
        offset = svc.log.stat().st_size if svc.log.exists() else 0
        for attempt in range(3):
            svc.start()
            try:
                return self._wait(svc, t0)
            except Unavailable:
                # After an unclean stop ZooKeeper keeps the old broker's registration until its
                # session expires (about 18 s); the broker exits with NodeExists meanwhile.
                stale = svc.name == "kafka" and "NodeExists" in _read_from(svc.log, offset)
                if not stale or attempt == 2:
                    raise
                print(" stale broker registration in ZooKeeper (unclean stop); retrying in 10s ...", end="", flush=True)
                time.sleep(10)

    def _wait(self, svc: Service, t0: float) -> None:
        deadline = t0 + svc.timeout
        while time.monotonic() < deadline:
            if svc.ready():
                return
            if not svc.pid():
                raise Unavailable(f"{svc.name} exited during start-up; see {svc.log} (`make logs SERVICE={svc.name}`)")
            time.sleep(0.5)
        raise TimedOut(f"{svc.name} was not healthy within {svc.timeout:.0f}s; see {svc.log}")

    def create_topic(self) -> None:
        from flinkfast.clients import create_topic
        create_topic(config.load({**self.cfg.as_env(), "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{self.cfg.kafka_port}"}))

    def psql(self, *args: str, database: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """Run psql as the admin user with the project's settings in its environment (for \\getenv)."""
        env = dict(os.environ, **self.cfg.as_env(), PGPASSWORD=self.cfg.require("POSTGRES_PASSWORD"))
        cmd = [self.pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
               "-p", str(self.cfg.postgres_port), "-U", self.cfg.postgres_user,
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
        db = self.cfg.postgres_db
        exists = self.psql("-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'", database="postgres").stdout.strip()
        if not exists:
            self.psql("-c", f'CREATE DATABASE "{db}"', database="postgres")
        files = files if files is not None else sorted((SQL_DIR / "postgres").glob("*.sql"))
        self.psql("-1", *[arg for sql in files for arg in ("-f", str(sql))])

    def print_summary(self) -> None:
        c = self.cfg
        rows = [
            ("zookeeper", f"127.0.0.1:{c.zookeeper_port}", ""),
            ("kafka", f"127.0.0.1:{c.kafka_port}", f"topic {c.kafka_topic} ({c.kafka_partitions} partitions)"),
            ("postgres", f"127.0.0.1:{c.postgres_port}", f"database {c.postgres_db}, user {c.postgres_user}"),
            ("jobmanager", f"http://127.0.0.1:{c.flink_rest_port}", "Flink Web UI"),
            ("taskmanager", "", f"{c.taskmanager_slots} slots"),
        ]
        print(f"local stack is up (state in {self.state})")
        for (name, where, what), svc in zip(rows, self.services):
            print(f"  {name:<12} {where:<24} pid {svc.pid() or '-':<8} {what}")
            print(f"  {'':<12} log {svc.log}")

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def taskmanager_java_pid(self) -> int | None:
        """The TaskManager JVM under its supervisor (for fault tests that kill it)."""
        pid = self.service("taskmanager").pid()
        kids = _children(pid) if pid else []
        return kids[0] if kids else None

    def stop(self, name: str, sig: int | None = None) -> None:
        """Stop one service (by its recorded pid); sig=SIGKILL simulates a crash."""
        svc = self.service(name)
        pid = svc.pid()
        if pid:
            _terminate(pid, sig or svc.stop_signal, group=svc.name != "postgres")
        svc.pid_file.unlink(missing_ok=True)

    def start(self, name: str) -> None:
        svc = self.service(name)
        if not svc.pid():
            self._start_and_wait(svc, time.monotonic())

    def down(self, purge: bool = False) -> None:
        with stack_lock(self.state, "down", self.cfg.lock_wait_s):
            self._down(purge)

    def _down(self, purge: bool) -> None:
        for svc in reversed(self.services):
            pid = svc.pid()
            if pid:
                print(f"  {svc.name:<12} stopping (pid {pid}) ...", end="", flush=True)
                _terminate(pid, svc.stop_signal, group=svc.name != "postgres")
                print(" stopped")
            svc.pid_file.unlink(missing_ok=True)
        if purge and self.state.exists():
            shutil.rmtree(self.state)
            print(f"  removed {self.state}")

    def status(self) -> bool:
        all_up = True
        total_rss = total_peak = 0
        print(f"{'service':<12} {'pid':<8} {'state':<9} {'rss MiB':>8} {'peak MiB':>9}  log")
        for svc in self.services:
            pid = svc.pid()
            healthy = bool(pid) and svc.ready()
            all_up &= healthy
            rss, peak = memory_kib(pid) if pid else (0, 0)
            total_rss += rss
            total_peak += peak
            state = "healthy" if healthy else ("starting" if pid else "stopped")
            print(f"{svc.name:<12} {pid or '-':<8} {state:<9} {rss / 1024:>8.0f} {peak / 1024:>9.0f}  {svc.log}")
        print(f"{'total':<12} {'':<8} {'':<9} {total_rss / 1024:>8.0f} {total_peak / 1024:>9.0f}")
        if not all_up:
            return False
        from flinkfast.health import format_problems, job_health
        h = job_health(self.cfg)
        uptime = f", up {h.uptime_s:.0f}s" if h.uptime_s is not None else ""
        lag = f", {h.lag:,} messages unread" if h.lag is not None else ""
        print(f"job {h.name}: {h.state}{uptime}, {h.restarts} restarts{lag}"
              + (f"  ({self.cfg.flink_rest_url}/#/job/running/{h.job_id}/overview)" if h.job_id else ""))
        if h.last_failure:
            print(f"  last failure {h.last_failure_age_s:.0f}s ago: {h.last_failure}")
        for error in h.errors:
            print(f"  could not check: {error}")
        if h.problems:
            print(format_problems(h))
        return h.ok

    def stack_memory(self) -> dict[str, dict[str, float]]:
        """Current and peak RSS per service in MiB (for benchmarks and the README figures)."""
        out = {}
        for svc in self.services:
            pid = svc.pid()
            rss, peak = memory_kib(pid) if pid else (0, 0)
            out[svc.name] = {"rss_mib": round(rss / 1024, 1), "peak_rss_mib": round(peak / 1024, 1)}
        return out


def _terminate(pid: int, sig: int, group: bool, timeout: float = 60) -> None:
    try:
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL) if group else os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while _alive(pid):
            time.sleep(0.1)


def _read_from(path: Path, offset: int) -> str:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def _write_log4j(path: Path) -> None:
    path.write_text(
        "log4j.rootLogger=INFO, stdout\n"
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.logger.kafka.request.logger=WARN\n"
        "log4j.logger.state.change.logger=WARN\n")


def prometheus_reporter(cfg: Config) -> dict:
    """Flink's own Prometheus reporter (issue 13, docs/monitoring.md); its plugin ships in the
    wheel's plugins/metrics-prometheus, which Flink loads by itself. Opt-in: the reporter has no
    bind-address option and listens on every interface, unlike the rest of the local stack."""
    if not cfg.flink_prometheus_ports:
        return {}
    return {"metrics.reporter.prom.factory.class": "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
            "metrics.reporter.prom.port": str(cfg.flink_prometheus_ports)}  # a range: one port per JVM


def _wheel_java_opts(home: Path) -> str:
    for line in (home / "conf" / "config.yaml").read_text().splitlines():
        if line.strip().startswith("all:"):
            return line.split(":", 1)[1].strip()
    return ""


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.stack",
        description="Start, check and stop the local stack (ZooKeeper, Kafka, PostgreSQL, Flink) without Docker.",
        epilog="example: python -m flinkfast.stack up && python -m flinkfast.stack status",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start every service and wait until it is healthy (idempotent)",
                   epilog="example: flinkfast up   (make up)")
    down = sub.add_parser("down", help="stop the services this stack started, by pid",
                          epilog="example: flinkfast down   (make down; make clean = down --purge)")
    down.add_argument("--purge", action="store_true", help="also delete data, logs and checkpoints")
    sub.add_parser("status", help="show pid, health and memory of each service and the job's state, restarts "
                                  "and lag; exit 1 unless all are healthy and the job is not failing or stalled",
                   epilog="example: flinkfast status   (make status)")
    logs = sub.add_parser("logs", help="print the end of the logs", epilog="example: flinkfast logs taskmanager -n 100")
    logs.add_argument("service", nargs="?", help="zookeeper|kafka|postgres|jobmanager|taskmanager (default: all)")
    logs.add_argument("-n", "--lines", type=int, default=40)
    config.add_flags(parser, "FLINKFAST_STATE_DIR", "KAFKA_PARTITIONS", "TASKMANAGER_SLOTS", "JOB_NAME")
    args = parser.parse_args(argv)
    stack = Stack(config.from_args(args))
    if args.command == "up":
        stack.up()
    elif args.command == "down":
        stack.down(purge=args.purge)
    elif args.command == "status":
        return 0 if stack.status() else 1
    elif args.command == "logs":
        chosen = [s for s in stack.services if args.service in (None, s.name)]
        if not chosen:
            raise ConfigError(f"unknown service {args.service!r}")
        for svc in chosen:
            print(f"==> {svc.log} <==")
            if svc.log.exists():
                print("\n".join(svc.log.read_text(errors="replace").splitlines()[-args.lines:]))
    return 0


if __name__ == "__main__":
    run(main, "stack")
