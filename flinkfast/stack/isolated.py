"""A stack of its own: a state folder and free ports, for whatever must never touch the user's
pipeline (the test suite, `make chaos`), the way kafka-python's fixtures give each test run its
own broker.

The ports are picked once and recorded in the state folder (ports.env), so a stack left running
is found again by the next run with the same folder; KAFKA_PORT starts a block of free ports, one
per broker a stack may have. The result is a set of environment variables: the environment
outranks .env, so every config.load() and every child process (`flink run`, the CLI) of that run
talks to this stack and nothing else. Its shape is pinned too (one broker, one TaskManager, Flink's
default scheduler, unless asked: isolated_env(state, KAFKA_BROKERS=3)), whatever .env says.
"""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from flinkfast import config
from flinkfast.config import MAX_BROKERS
from flinkfast.stack.postgres import system_user
from flinkfast.stack.process import private_open
from flinkfast.stack.service import private_dir

# Every port a local stack listens on (the settings' names).
PORT_SETTINGS = ("ZOOKEEPER_PORT", "KAFKA_PORT", "POSTGRES_PORT", "FLINK_UI_PORT", "FLINK_REST_PORT",
                 "FLINK_RPC_PORT", "DASHBOARD_PORT")


# Its shape, unless the caller asks for another; and what is derived from its ports and shape.
SHAPE = {"KAFKA_BROKERS": "1", "FLINK_TASKMANAGERS": "1", "FLINK_SCHEDULER": "default"}
DERIVED = ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS", "FLINK_REST_URL",
           "FLINK_UI_URL", "FLINK_REST_TLS_DIR", "KAFKA_SSL_CA_FILE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_block(size: int) -> int:
    """The first of `size` consecutive free ports (the brokers': KAFKA_PORT, KAFKA_PORT+1, ...)."""
    from flinkfast.stack.process import port_free
    for _ in range(100):
        first = free_port()
        if first + size <= 65536 and all(port_free(first + i) for i in range(1, size)):
            return first
    raise OSError(f"found no {size} consecutive free ports for the brokers")


def pick_ports() -> dict[str, int]:
    """A free port for each setting, KAFKA_PORT the first of a free block; no two the same."""
    kafka = free_block(MAX_BROKERS)
    taken = set(range(kafka, kafka + MAX_BROKERS))
    ports = {"KAFKA_PORT": kafka}
    for name in PORT_SETTINGS:
        while name not in ports:
            port = free_port()
            if port not in taken:
                ports[name] = port
                taken.add(port)
    return {name: ports[name] for name in PORT_SETTINGS}


def isolated_env(state: Path, **settings: object) -> dict[str, str]:
    """The environment of the stack kept in `state`: its folder, its ports (picked now, or the
    ones recorded by an earlier run), its shape (SHAPE, or `settings`, e.g. KAFKA_BROKERS=3) and
    the client addresses and replication derived from them."""
    state = state.resolve()
    passable(state.parent)
    if not state.exists():  # an existing one keeps its mode (0710 for PostgreSQL's group: `up` sets it)
        private_dir(state)
    record = state / "ports.env"
    ports: dict[str, str] = {}
    if record.exists():
        ports = dict(line.split("=", 1) for line in record.read_text().split() if "=" in line)
    if set(ports) != set(PORT_SETTINGS):
        ports = {name: str(port) for name, port in pick_ports().items()}
        with private_open(record) as f:
            f.write("".join(f"{k}={v}\n" for k, v in ports.items()))
    env = {"FLINKFAST_STATE_DIR": str(state), **ports, "POSTGRES_HOST": "127.0.0.1", **SHAPE,
           **{k: str(v) for k, v in settings.items()}}
    derived = config.load(env=env, dotenv_path=Path(os.devnull))  # from these alone, not .env
    return {**env, **{k: str(derived.get(k)) for k in DERIVED}}


def enter_fresh(state: Path, say, **settings: object) -> None:
    """Make this process (and every child) talk to an empty stack of its own in `state`: a stack
    an earlier run left there is removed first (stopped, its data purged), so nothing of it comes
    back, e.g. a job through HA. For a command that starts and stops such a stack itself
    (`make drill`, `make bench-scaling`)."""
    from flinkfast.stack import Stack
    if state.exists():
        say(f"removing the previous run's stack in {state}")
        Stack(config.load(env=dict(os.environ, **isolated_env(state, **settings)))).down(purge=True)
    os.environ.update(isolated_env(state, **settings))


def passable(folder: Path) -> None:
    """The folder that holds the state folder: private, but passable for PostgreSQL's system user
    (0710, its group) when it runs as one, as `up` leaves the user's .state."""
    if not folder.exists():
        private_dir(folder)
    group = system_user()
    if group:
        shutil.chown(folder, group=group)
        folder.chmod(0o710)
