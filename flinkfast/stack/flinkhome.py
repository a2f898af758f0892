"""The Flink distribution inside the apache-flink wheel, pointed at the stack's own conf/ and lib/.

One object that renders config.yaml (from the project's configuration), lays out lib/ (the
wheel's jars plus the connectors and the job's function), and gives the environment and the
bin/ scripts. The cluster (JobManager, TaskManager) and every client (`flink run`, the SQL
client) use it, so they always read the same configuration.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from flinkfast.pipeline import flinkrest
from flinkfast.security import tls
from flinkfast.config import SETTINGS, Config
from flinkfast.paths import REPO_ROOT
from flinkfast.paths import job_jars
from flinkfast.stack.process import private_open
from flinkfast.stack.service import jars, private_dir
from flinkfast.stack.zookeeper import client_jaas
from flinkfast.stack.zktree import FLINK_ROOT

# Flink's ZooKeeper client is shaded, and so is the login module it logs in with.
SHADED_DIGEST = "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.server.auth.DigestLoginModule"
_PYFLINK_HOME: Path | None = None  # resolved lazily: importing pyflink is slow
SUBDIRS = ("conf", "conf-client", "lib", "log", "run", "tmp", "checkpoints", "savepoints", "ha")


def pyflink_home() -> Path:
    global _PYFLINK_HOME
    if _PYFLINK_HOME is None:
        import pyflink
        _PYFLINK_HOME = Path(pyflink.__file__).resolve().parent
    return _PYFLINK_HOME


class FlinkHome:
    def __init__(self, cfg: Config, state: Path):
        self.cfg = cfg
        self.dir = state / "flink"

    def settings(self) -> dict[str, object]:
        cfg, f, home = self.cfg, self.dir, pyflink_home()
        python = str(REPO_ROOT / ".venv" / "bin" / "python") if (REPO_ROOT / ".venv").exists() else sys.executable
        settings = {
            "jobmanager.rpc.address": "127.0.0.1",
            "jobmanager.rpc.port": cfg.flink_rpc_port,
            "jobmanager.bind-host": "127.0.0.1",
            "jobmanager.memory.process.size": cfg.jobmanager_memory,
            "taskmanager.bind-host": "127.0.0.1",
            "taskmanager.host": "127.0.0.1",
            "taskmanager.numberOfTaskSlots": cfg.taskmanager_slots,
            "taskmanager.memory.process.size": cfg.taskmanager_memory,
            "parallelism.default": 1,
            "rest.address": "127.0.0.1",
            "rest.bind-address": "127.0.0.1",
            "rest.port": cfg.flink_rest_port,
            # Jobs come from `flink run` only: no jar upload/run from the Web UI, no cancel
            # button. The REST API serves only holders of the stack's certificate (TLS with
            # client authentication, below); the browser opens the read-only gate instead.
            "web.submit.enable": False,
            "web.cancel.enable": False,
            **tls.flink_settings(Path(cfg.flink_rest_tls_dir), cfg.require("FLINK_TLS_PASSWORD")),
            # The Web UI's flame graphs of a running job's operators (sampled only while viewed).
            "rest.flamegraph.enabled": True,
            "io.tmp.dirs": str(f / "tmp"),
            # One machine: a TaskManager that vanished (kill -9) is noticed in seconds, not the
            # default 50 s, so the job restarts on its replacement sooner.
            "heartbeat.interval": 5000,
            "heartbeat.timeout": 20000,
            "execution.checkpointing.dir": f"file://{f / 'checkpoints'}",
            # Where `flink stop` (stop-with-savepoint: a rescale, an upgrade) writes by default.
            "execution.checkpointing.savepoint-dir": f"file://{f / 'savepoints'}",
            # High availability on the stack's ZooKeeper: a JobManager that dies (its supervisor
            # restarts it) finds the running jobs and their last checkpoint there and in ha/.
            "high-availability.type": "zookeeper",
            "high-availability.zookeeper.quorum": f"127.0.0.1:{cfg.zookeeper_port}",
            "high-availability.zookeeper.path.root": FLINK_ROOT,
            "high-availability.cluster-id": "/flinkfast",
            "high-availability.storageDir": f"file://{f / 'ha'}",
            # In HA mode the JobManager's RPC port comes from this option, not jobmanager.rpc.port.
            "high-availability.jobmanager.port": str(cfg.flink_rpc_port),
            # Flink's HA tree is its own: it logs in to ZooKeeper as user flink (SASL/digest, the
            # Client section of conf/jaas.conf, ZOOKEEPER_FLINK_PASSWORD) and creates every znode
            # with a creator-only ACL: no other client may read, change or delete /flink, which the
            # launcher made user flink's only before any Flink process started (flinkfast.stack.zktree).
            "high-availability.zookeeper.client.acl": "creator",
            "zookeeper.sasl.disable": False,
            "zookeeper.sasl.login-context-name": "Client",
            # The old leader's ZooKeeper session must expire before a new one is elected: 15 s,
            # not the default 60 s (the same bound as the heartbeat timeout above).
            "high-availability.zookeeper.client.session-timeout": 15000,
            "python.client.executable": python,
            "python.executable": python,
            # The wheel's own JVM options (module opens that Flink needs on Java 17).
            "env.java.opts.all": f"{wheel_java_opts(home)} -Djava.security.auth.login.config={f / 'conf' / 'jaas.conf'}",
        }
        settings.update(prometheus_reporter(cfg))
        settings.update(scheduler(cfg))
        return settings

    def render(self) -> None:
        """Write conf/ and lay out lib/ (idempotent; the client calls it before `flink run` too)."""
        f, home = self.dir, pyflink_home()
        private_dir(f)
        for sub in SUBDIRS:
            private_dir(f / sub)
        jars("flink")
        tls.ensure(Path(self.cfg.flink_rest_tls_dir), self.cfg.require("FLINK_TLS_PASSWORD"))
        for old in (f / "lib").glob("*.jar"):
            old.unlink()
        for jar in [*(home / "lib").glob("*.jar"), *job_jars()]:
            (f / "lib" / jar.name).symlink_to(jar)
        for sub in ("conf", "conf-client"):
            for name in ("log4j-console.properties", "log4j-cli.properties", "log4j.properties", "logback-console.xml"):
                with private_open(f / sub / name) as out:
                    out.write((home / "conf" / name).read_text())
        with private_open(f / "conf" / "jaas.conf") as out:
            out.write(client_jaas("flink", self.cfg.require("ZOOKEEPER_FLINK_PASSWORD"), SHADED_DIGEST))
        settings = self.settings()
        write_config(f / "conf" / "config.yaml", settings)
        # conf-client/: the same without high availability, for `flink run` in its private network
        # namespace (flinkfast/security/privatenet.py): it finds the cluster at rest.address:rest.port, its
        # one way out, instead of asking ZooKeeper for the leader.
        write_config(f / "conf-client" / "config.yaml",
                     {k: v for k, v in settings.items() if not k.startswith("high-availability")})

    def env(self, cluster: bool = False) -> dict[str, str]:
        """Environment for the wheel's bin/ scripts. The cluster's processes (cluster=True) get no
        secret at all: the writer's credentials reach the sink inside the submitted job, and the
        superuser's never leave the client (/proc/<pid>/environ is readable by submitted code)."""
        env = dict(os.environ, **self.cfg.as_env())
        if cluster:
            for s in SETTINGS:
                if s.secret:
                    env.pop(s.env, None)
            env.pop("PGPASSWORD", None)
        else:
            env.pop("POSTGRES_PASSWORD", None)  # `flink run` needs only the writer's
        f = self.dir
        return dict(env, FLINK_CONF_DIR=str(f / "conf"), FLINK_LIB_DIR=str(f / "lib"),
                    FLINK_LOG_DIR=str(f / "log"), FLINK_PID_DIR=str(f / "run"))

    def client_env(self) -> dict[str, str]:
        """For a client run in a private network namespace (`flink run`, the SQL client): conf-client/,
        and temporary files in a private folder: `flink run -py` lays the job's Python files out
        under ${java.io.tmpdir}/pyflink, which in a shared /tmp another user could make first and
        fill with code the client would run (a sitecustomize.py)."""
        tmp = self.dir / "tmp" / "client"
        private_dir(tmp)
        return dict(self.env(), FLINK_CONF_DIR=str(self.dir / "conf-client"), TMPDIR=str(tmp),
                    JVM_ARGS=f"-Djava.io.tmpdir={tmp}")

    def bin(self, tool: str) -> str:
        return str(pyflink_home() / "bin" / tool)

    def overview(self) -> dict | None:
        """The cluster's /overview from the REST API, or None when nothing answers."""
        return flinkrest.overview(self.cfg)


def scheduler(cfg: Config) -> dict:
    """FLINK_SCHEDULER=adaptive (`make drill`'s stack): Flink's adaptive scheduler, which rescales a
    running job in place when its resource requirements change (PUT /jobs/:id/resource-requirements),
    from its last checkpoint, with no savepoint and no new submission. It rescales at the next
    completed checkpoint (rescale-trigger.max-delay: checkpoint interval x 3 at the most); its cooldown
    after a rescale (default 30 s: executing.cooldown-after-rescaling) guards against an autoscaler
    flapping, and a local stack has none: only a person or the drill asks, so it is off. Default:
    Flink's default scheduler, which refuses that request (a rescale is a savepoint and a resubmission)."""
    if cfg.flink_scheduler != "adaptive":
        return {}
    return {"jobmanager.scheduler": "adaptive",
            "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling": "0 s"}


def prometheus_reporter(cfg: Config) -> dict:
    """Flink's own Prometheus reporter (issue 13, docs/monitoring.md); its plugin ships in the
    wheel's plugins/metrics-prometheus, which Flink loads by itself. Opt-in: the reporter has no
    bind-address option and listens on every interface, unlike the rest of the local stack."""
    if not cfg.flink_prometheus_ports:
        return {}
    return {"metrics.reporter.prom.factory.class": "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
            "metrics.reporter.prom.port": str(cfg.flink_prometheus_ports)}  # a range: one port per JVM


def write_config(path: Path, settings: dict) -> None:
    with private_open(path) as out:
        out.write("# Rendered by flinkfast.stack from the project's configuration; edits are overwritten.\n"
                  + "".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items()))


def wheel_java_opts(home: Path) -> str:
    for line in (home / "conf" / "config.yaml").read_text().splitlines():
        if line.strip().startswith("all:"):
            return line.split(":", 1)[1].strip()
    return ""
