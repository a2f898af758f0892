"""The Flink cluster: a JobManager and FLINK_TASKMANAGERS TaskManagers, all supervised (restarted
when they exit), and the gate the browser opens the Web UI through (flinkfast.security.webgate)."""
from __future__ import annotations

import sys
import urllib.request

from flinkfast.pipeline import flinkrest
from flinkfast.config import Config
from flinkfast.stack import process
from flinkfast.stack.flinkhome import FlinkHome
from flinkfast.stack.service import Service, numbered, private_dir


class JobManager(Service):
    name = "jobmanager"
    port_env = "FLINK_REST_PORT"
    extra_port_envs = ("FLINK_RPC_PORT",)
    timeout_s = 90
    restart = True  # with HA on ZooKeeper, a restarted JobManager recovers the running jobs

    def __init__(self, cfg: Config, home: FlinkHome):
        super().__init__(cfg, home.dir.parent, "flink")
        self.home = home

    def launch(self) -> None:
        self.home.render()
        self.spawn([self.home.bin("jobmanager.sh"), "start-foreground"], env=self.home.env(cluster=True))

    def ready(self) -> bool:
        return self.home.overview() is not None


class TaskManager(Service):
    """One of FLINK_TASKMANAGERS, all on the cluster's one configuration (conf/config.yaml: the
    same slots, memory and internal TLS). The first keeps the cluster's folders; taskmanager-2 and
    the others have their own under flink/ (their stdout log, Flink's log/, pid dir and tmp/),
    given as the scripts' environment and a dynamic property."""
    name = "taskmanager"
    port_env = ""    # ephemeral ports on 127.0.0.1 (taskmanager.bind-host): nothing fixed to check before start
    timeout_s = 90
    restart = True   # the job can only recover once a TaskManager is back

    def __init__(self, cfg: Config, home: FlinkHome, number: int = 1):
        super().__init__(cfg, home.dir.parent, "flink" if number == 1 else f"flink/{numbered(self.name, number)}", number)
        self.home = home

    def launch(self) -> None:
        env, args = self.home.env(cluster=True), []
        if self.number > 1:
            for sub in ("log", "run", "tmp"):
                private_dir(self.dir / sub)
            env.update(FLINK_LOG_DIR=str(self.dir / "log"), FLINK_PID_DIR=str(self.dir / "run"))
            args = ["-D", f"io.tmp.dirs={self.dir / 'tmp'}"]
        self.spawn([self.home.bin("taskmanager.sh"), "start-foreground", *args], env=env)

    def ready(self) -> bool:
        """Registered with the JobManager: a TaskManager there whose RPC or data port is one this
        process listens on (each one's ports are ephemeral, so they tell them apart)."""
        pid = self.pid()
        if not pid:
            return False
        try:
            registered = flinkrest.rest(self.cfg, "/taskmanagers", timeout=2).get("taskmanagers", [])
        except (OSError, ValueError):
            return False
        mine = process.listening([pid])
        return any(tm.get("dataPort") in mine or rpc_port(tm.get("path", "")) in mine for tm in registered)


def rpc_port(path: str) -> int | None:
    """The port of a TaskManager's RPC address, pekko.ssl.tcp://flink@127.0.0.1:PORT/user/rpc/..."""
    try:
        return int(path.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


class WebUi(Service):
    """The read-only, Host-checking gate in front of Flink's REST API (FLINK_UI_PORT)."""
    name = "webui"
    port_env = "FLINK_UI_PORT"
    timeout_s = 30
    restart = True

    def __init__(self, cfg: Config, home: FlinkHome):
        super().__init__(cfg, home.dir.parent, "flink")
        self.home = home

    def launch(self) -> None:
        self.spawn([sys.executable, "-m", "flinkfast.security.webgate"], env=self.home.env(cluster=True))

    def ready(self) -> bool:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/config", headers={"Host": "127.0.0.1"})
        try:
            with urllib.request.urlopen(req, timeout=2) as r:
                return r.status == 200
        except OSError:
            return False
