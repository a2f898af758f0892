"""The suite's one extra stack, beside its own: two TaskManagers, three brokers that speak SASL_SSL
only (as a Strimzi TLS+SCRAM listener). The multinode tests (test_multinode_e2e.py) and the SASL_SSL
test (test_security_kafka_e2e.py) share it: one start instead of two. The `extra_stack` fixture
(tests/e2e/conftest.py) gives its environment and removes it at the end; the tests that use it run
one after another, the one that stops it (`down`) last."""
from __future__ import annotations

import os
import subprocess
import sys

from flinkfast import config
from flinkfast.paths import REPO_ROOT
from flinkfast.stack import Stack

SHAPE = {"FLINK_TASKMANAGERS": 2, "KAFKA_BROKERS": 3, "KAFKA_HEAP": "256m", "KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}
STOPS_IT = "test_down_leaves_no_process_and_no_port"   # the test that stops it: it runs last of them


def run_stack(*args, env):
    return subprocess.run([sys.executable, "-m", "flinkfast.stack", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, env=dict(os.environ, **env), timeout=300)


def up(env) -> tuple[config.Config, Stack]:
    """The extra stack up (nothing started when it is), its settings and the Stack."""
    started = run_stack("up", "--taskmanager-slots", "2", env=env)  # a setting of `up`, as its flag
    assert started.returncode == 0, started.stdout + started.stderr
    cfg = config.load({"TASKMANAGER_SLOTS": 2}, env=dict(os.environ, **env))
    return cfg, Stack(cfg)


def in_order(items: list) -> list:
    """The tests on the extra stack together, where the first of them is, the one that stops it last."""
    users = [i for i in items if "extra_stack" in getattr(i, "fixturenames", ())]
    if not users:
        return items
    ordered = [i for i in users if i.name != STOPS_IT] + [i for i in users if i.name == STOPS_IT]
    first = items.index(users[0])
    rest = [i for i in items if i not in users]
    return rest[:first] + ordered + rest[first:]
