"""The Flink cluster: a JobManager and a TaskManager, both supervised (restarted when they exit),
and the gate the browser opens the Web UI through (flinkfast.webgate)."""
from __future__ import annotations

import sys
import urllib.request

from flinkfast.config import Config
from flinkfast.stack.flinkhome import FlinkHome
from flinkfast.stack.service import Service


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
    name = "taskmanager"
    port_env = ""    # ephemeral ports: nothing fixed to check before start
    timeout_s = 90
    restart = True   # the job can only recover once a TaskManager is back

    def __init__(self, cfg: Config, home: FlinkHome):
        super().__init__(cfg, home.dir.parent, "flink")
        self.home = home

    def launch(self) -> None:
        self.spawn([self.home.bin("taskmanager.sh"), "start-foreground"], env=self.home.env(cluster=True))

    def ready(self) -> bool:
        overview = self.home.overview()
        return bool(overview and overview.get("taskmanagers", 0) >= 1)


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
        self.spawn([sys.executable, "-m", "flinkfast.webgate"], env=self.home.env(cluster=True))

    def ready(self) -> bool:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/config", headers={"Host": "127.0.0.1"})
        try:
            with urllib.request.urlopen(req, timeout=2) as r:
                return r.status == 200
        except OSError:
            return False
