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

    def _run(overrides=None, extra_env=None, wait=True):
        cfg = config.load({**job_cfg.as_env(), **(overrides or {})})
        submitted.append(cfg)
        return cfg, submit.submit(cfg, extra_env=extra_env, wait=wait)

    yield _run
    for cfg in submitted:
        for job in running_jobs(cfg, cfg.job_name):
            cancel(cfg, job["jid"])


# ---- property-based tests (Hypothesis)
# `make test`: seeded (derandomize) and bounded, the same examples on every run.
# `make fuzz`: FUZZ_EXAMPLES examples per property with fresh randomness; failures are kept in
# .hypothesis/ (not in git) and replayed first next time.
import os  # noqa: E402

from hypothesis import HealthCheck, Phase, settings  # noqa: E402

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.large_base_example]
# No shrinking in CI: each step of it is a Flink job; the assertions name the exact message.
settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=_SLOW_OK,
                          print_blob=True, phases=(Phase.explicit, Phase.reuse, Phase.generate))
settings.register_profile("fuzz", deadline=None, suppress_health_check=_SLOW_OK, print_blob=True)
settings.load_profile("fuzz" if os.environ.get("FUZZ_EXAMPLES") else "ci")


def generate(strategy, n: int) -> list:
    """n values drawn from a strategy, under the loaded profile (seeded in CI).

    For properties checked in bulk: a Flink job costs seconds, so the fuzz tests draw their
    messages first and run them through the pipeline together."""
    from hypothesis import given
    drawn: list = []

    @settings(max_examples=n, phases=(Phase.explicit, Phase.generate), database=None)
    @given(strategy)
    def draw(value):
        drawn.append(value)

    draw()
    return drawn


def fuzz_examples(ci_default: int) -> int:
    """Examples per property: the CI bound, or FUZZ_EXAMPLES for a long run."""
    return int(os.environ.get("FUZZ_EXAMPLES") or ci_default)


@pytest.fixture(scope="session")
def fuzz_cfg():
    """The job's settings for in-memory runs, with a small length limit for the fuzzer."""
    return config.load(env={"FLINK_DB_PASSWORD": "x", "POSTGRES_PASSWORD": "x", "MAX_EVENT_CHARS": "3000"})
