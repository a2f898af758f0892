"""Shared fixtures. End-to-end tests run on the real local stack (never a mock).

The `stack` fixture starts the local stack when it is not already healthy and stops it at the
end of the session only if it started it, so a developer's running stack is left alone.
"""
from __future__ import annotations

import uuid

import pytest

from flinkfast import config
from flinkfast.stack import Stack
from flinkfast.submit import cancel, running_jobs


@pytest.fixture(scope="session")
def cfg():
    return config.load()


@pytest.fixture(scope="session")
def stack(cfg):
    s = Stack(cfg)
    started = not all(svc.pid() for svc in s.services)
    s.up()
    # The tests need the task slots: jobs left running (e.g. by `make demo`) are cancelled.
    for job in running_jobs(cfg):
        cancel(cfg, job["jid"])
    yield s
    if started:
        s.down()


@pytest.fixture
def topic(stack, cfg):
    """A fresh topic per test, so tests never read each other's events."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    name = f"test-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=cfg.kafka_bootstrap_servers)
    admin.create_topics([NewTopic(name, cfg.kafka_partitions, 1)])
    yield name
    try:
        admin.delete_topics([name])
    finally:
        admin.close()
