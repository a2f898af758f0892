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


@pytest.fixture
def job_cfg(stack, topic):
    """Settings for a job of its own: this test's topic, consumer group and job name."""
    return config.load({"KAFKA_TOPIC": topic, "KAFKA_GROUP_ID": topic, "JOB_NAME": f"e2e-{topic}"})


@pytest.fixture
def run_job(job_cfg):
    """Submit the job (optionally with other settings or environment); cancel whatever was submitted."""
    from flinkfast import submit
    submitted = []

    def _run(overrides=None, extra_env=None):
        cfg = config.load({**job_cfg.as_env(), **(overrides or {})})
        submitted.append(cfg)
        return cfg, submit.submit(cfg, extra_env=extra_env)

    yield _run
    for cfg in submitted:
        for job in running_jobs(cfg, cfg.job_name):
            cancel(cfg, job["jid"])
