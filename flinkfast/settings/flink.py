"""The Flink cluster: its ports and addresses, its processes' memory and count, its TLS and HA logins."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flinkfast.settings.option import option

FLINK_SCHEDULERS = ("default", "adaptive")


@dataclass(frozen=True)
class Flink:
    # The local stack's JobManager and TaskManagers (ports on 127.0.0.1 only).
    flink_ui_port: int = option(8081, "the Flink Web UI for the browser: a read-only, Host-checking gate "
                                      "(flinkfast.security.webgate)")
    flink_rest_port: int = option(8082, "Flink's REST API: TLS, served only to holders of the stack's client "
                                        "certificate")
    flink_rpc_port: int = option(6123, "Flink JobManager RPC port")
    jobmanager_memory: str = option("1024m", "Flink JobManager total process memory")
    taskmanager_memory: str = option("1728m", "Flink TaskManager total process memory")
    taskmanager_slots: int = option(2, "task slots of each TaskManager")
    flink_taskmanagers: int = option(1, "TaskManagers of the local stack (taskmanager, taskmanager-2, ...), each "
                                        "with TASKMANAGER_SLOTS slots and TASKMANAGER_MEMORY")
    flink_scheduler: str = option("default", "Flink's job scheduler on the local stack: default, or adaptive (a "
                                             "running job rescaled in place through the REST API's resource "
                                             "requirements; `make drill` runs it)")
    zookeeper_flink_password: str | None = option(None, "ZooKeeper (SASL/digest) password of Flink's HA, user flink",
                                                  secret=True)
    # Where clients (flink run, status, the dashboard, the browser) find it.
    flink_rest_url: str = option(None, "Flink's REST API (flink run, status, dashboard)",
                                 derive=lambda v: f"https://127.0.0.1:{v['FLINK_REST_PORT']}")
    flink_ui_url: str = option(None, "where the browser opens the Flink Web UI (links)",
                               derive=lambda v: f"http://127.0.0.1:{v['FLINK_UI_PORT']}")
    flink_gate_url: str = option(None, "where the dashboard reads Flink: the Web UI gate's read-only routes, "
                                       "plain HTTP, no certificate (default: FLINK_UI_URL)",
                                 derive=lambda v: v["FLINK_UI_URL"])
    flink_rest_tls_dir: str = option(None, "folder of the REST API's certificate and key (flinkfast.security.tls)",
                                     derive=lambda v: str(Path(v["FLINKFAST_STATE_DIR"]) / "flink" / "tls"))
    flink_tls_password: str | None = option(None, "password of the REST certificate's PKCS12 stores (Flink's "
                                                  "configuration carries it)", secret=True)
    flink_prometheus_ports: str = option("", "ports of Flink's Prometheus reporter on the local stack, e.g. "
                                             "9249-9250 (one per JVM); empty: off (it binds every interface)")
