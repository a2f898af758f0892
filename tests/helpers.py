"""Helpers shared by the tests (one module: tests never import each other, nor conftest)."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time


def send_raw(cfg, messages, partition: int = 0) -> list:
    """Send (key, value, ...) tuples as they are (a None value is a tombstone) to one partition of
    the configured topic, acks=all; return each message's RecordMetadata (partition, offset,
    timestamp)."""
    from flinkfast.clients import kafka_producer
    raw = kafka_producer(cfg, max_request_size=2 * 1024 * 1024)
    try:
        futures = [raw.send(cfg.kafka_topic, key=key, value=value, partition=partition)
                   for key, value, *_ in messages]
        raw.flush(timeout=30)
        return [f.get(timeout=30) for f in futures]
    finally:
        raw.close()


def send_records(cfg, records, topic: str | None = None) -> list[tuple[int, int, int]]:
    """Send (value, partition, timestamp_ms or None) records, acks=all, each with a key (a None
    value is a tombstone); (partition, offset, timestamp) of each, as the broker acknowledged it."""
    from flinkfast.clients import kafka_producer
    kafka = kafka_producer(cfg, max_request_size=2 * 1024 * 1024, linger_ms=5)
    try:
        futures = [kafka.send(topic or cfg.kafka_topic, key=b"k%d" % i, value=value, partition=partition,
                              timestamp_ms=ts) for i, (value, partition, ts) in enumerate(records)]
        kafka.flush(timeout=60)
        return [(m.partition, m.offset, m.timestamp) for m in (f.get(timeout=10) for f in futures)]
    finally:
        kafka.close()


def delete_rows(cfg, topics: list[str]) -> None:
    """A test's rows out of the three tables (as the superuser: nobody else may delete)."""
    from flinkfast.clients import pg_connect
    admin = pg_connect(cfg, "admin")
    try:
        with admin, admin.cursor() as cur:
            for table in ("processed_events", "superseded_events", "dead_letter_events"):
                cur.execute(f"DELETE FROM {table} WHERE kafka_topic = ANY(%s)", (topics,))
    finally:
        admin.close()


def cut_sessions(cfg, user: str) -> int:
    """The toolkit's fault (flinkfast/ops/faults.py): every PostgreSQL session of a role terminated."""
    from flinkfast.ops.faults import cut_sessions as cut
    return cut(cfg, user)


def event(uuid: str, first_name: str = "Ada", **fields) -> bytes:
    """A valid event's bytes (the other fields fixed unless given)."""
    import json
    body = {"uuid": uuid, "first_name": first_name, "last_name": "Lovelace", "country": "United Kingdom",
            "age": 36, **fields}
    return json.dumps(body, ensure_ascii=False).encode()


def load_hypothesis_profile() -> None:
    """`make test`: seeded (derandomize) and bounded, the same examples on every run. `make fuzz`:
    FUZZ_EXAMPLES examples per property with fresh randomness; failures are kept in .hypothesis/
    (not in git) and replayed first next time."""
    from hypothesis import HealthCheck, Phase, settings
    slow_ok = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
               HealthCheck.large_base_example]
    # No shrinking in CI: each step of it is a Flink job; the assertions name the exact message.
    settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=slow_ok,
                              print_blob=True, phases=(Phase.explicit, Phase.reuse, Phase.generate))
    settings.register_profile("fuzz", deadline=None, suppress_health_check=slow_ok, print_blob=True)
    settings.load_profile("fuzz" if os.environ.get("FUZZ_EXAMPLES") else "ci")


def generate(strategy, n: int) -> list:
    """n values drawn from a strategy, under the loaded profile (seeded in CI).

    For properties checked in bulk: a Flink job costs seconds, so the fuzz tests draw their
    messages first and run them through the pipeline together."""
    from hypothesis import Phase, given, settings
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


@contextlib.contextmanager
def running_dashboard(env: dict, port: int):
    """`python -m flinkfast.dashboard` with `env` (os.environ under it), until it listens on `port`;
    stopped by its handle afterwards. One that does not stop within 30 s of SIGTERM fails the test
    with the stacks of its threads (faulthandler, on SIGABRT)."""
    import signal
    import tempfile
    from flinkfast.paths import REPO_ROOT
    from flinkfast.stack import process
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "flinkfast.dashboard"],
                                env={**os.environ, **env, "PYTHONFAULTHANDLER": "1"}, cwd=REPO_ROOT,
                                stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 60
            while not process.port_open(port):
                assert proc.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.5)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGABRT)
                proc.wait(timeout=30)
                err.seek(0)
                raise AssertionError("the dashboard did not stop within 30 s of SIGTERM; its threads:\n"
                                     + err.read().decode(errors="replace")[-6000:]) from None


def deliver_and_reconcile(cfg, n: int, seed: int) -> None:
    """Produce n generated events, wait until every one has landed and every record of the topic is
    placed, and check that reconcile up to the end of the log is OK and counts exactly n. (Up to the
    end, not the group's commit: the claim is where the messages are, and the commit lags the last
    row by Flink's 10 s poll on a quiet topic: reconcile.wait_placed.)"""
    from flinkfast.accounting import reconcile
    from flinkfast.events import producer
    from flinkfast.accounting.verify import Landing
    sent = producer.produce(cfg, producer.generate_events(n, seed=seed), progress=False)
    assert sent.sent == n and sent.failed == 0
    with Landing(cfg, sent.uuids) as landing:
        landing.wait(timeout=120, progress=False)
        assert landing.landed() == n
    reconcile.wait_placed(cfg, cfg.kafka_topic, timeout=60)
    result = reconcile.reconcile(cfg, to_end=True)
    assert result.ok and sum(p.processed for p in result.partitions) == n, result


# How a job whose source resets no offset stops at a re-created topic (docs/guarantees.md): past the
# new log's end (OffsetOutOfRange) or, on a restart, at a partition whose committed offset Kafka
# dropped with the old topic (NoOffsetForPartition). Which comes last depends on timing.
UNRESET = ("OffsetOutOfRange", "NoOffsetForPartition")


def stopped_unreset(line: str | None, placing: str) -> str | None:
    """The job's failure line if it is one of a re-created topic's: no reset, or the placing's `placing` line."""
    return line if line and (placing in line or any(u in line for u in UNRESET)) else None


CHROMIUM = "/usr/bin/chromium"  # Debian's (`make test` installs it); never a downloaded browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def chromium():
    """Debian's headless Chromium driven by Playwright (a requirement of the tests only)."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium for the browser tests "
                           "(python3 -m flinkfast.bootstrap --tests)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def environment(**variables: str):
    """os.environ with these variables set while inside, as it was afterwards: a service of the
    stack started inside inherits them (e.g. a TaskManager with TZ=Asia/Kolkata)."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
