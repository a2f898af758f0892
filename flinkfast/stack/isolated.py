"""A stack of its own: a state folder and free ports, for whatever must never touch the user's
pipeline (the test suite, `make chaos`), the way kafka-python's fixtures give each test run its
own broker.

The ports are picked once and recorded in the state folder (ports.env), so a stack left running
is found again by the next run with the same folder. The result is a set of environment
variables: the environment outranks .env, so every config.load() and every child process
(`flink run`, the CLI) of that run talks to this stack and nothing else.
"""
from __future__ import annotations

import shutil
import socket
from pathlib import Path

from flinkfast.stack.postgres import system_user
from flinkfast.stack.process import private_open
from flinkfast.stack.service import private_dir

# Every port a local stack listens on (the settings' names).
PORT_SETTINGS = ("ZOOKEEPER_PORT", "KAFKA_PORT", "POSTGRES_PORT", "FLINK_UI_PORT", "FLINK_REST_PORT",
                 "FLINK_RPC_PORT", "DASHBOARD_PORT")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(state: Path) -> dict[str, str]:
    """The environment of the stack kept in `state`: its folder, its ports (picked now, or the
    ones recorded by an earlier run) and the client addresses derived from them."""
    state = state.resolve()
    passable(state.parent)
    if not state.exists():  # an existing one keeps its mode (0710 for PostgreSQL's group: `up` sets it)
        private_dir(state)
    record = state / "ports.env"
    ports: dict[str, str] = {}
    if record.exists():
        ports = dict(line.split("=", 1) for line in record.read_text().split() if "=" in line)
    if set(ports) != set(PORT_SETTINGS):
        ports = {name: str(free_port()) for name in PORT_SETTINGS}
        with private_open(record) as f:
            f.write("".join(f"{k}={v}\n" for k, v in ports.items()))
    return {"FLINKFAST_STATE_DIR": str(state), **ports, "POSTGRES_HOST": "127.0.0.1",
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{ports['KAFKA_PORT']}",
            "FLINK_REST_URL": f"https://127.0.0.1:{ports['FLINK_REST_PORT']}",
            "FLINK_UI_URL": f"http://127.0.0.1:{ports['FLINK_UI_PORT']}",
            "FLINK_REST_TLS_DIR": str(state / "flink" / "tls")}


def passable(folder: Path) -> None:
    """The folder that holds the state folder: private, but passable for PostgreSQL's system user
    (0710, its group) when it runs as one, as `up` leaves the user's .state."""
    if not folder.exists():
        private_dir(folder)
    group = system_user()
    if group:
        shutil.chown(folder, group=group)
        folder.chmod(0o710)
