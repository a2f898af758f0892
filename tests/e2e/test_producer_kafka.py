"""The producer against the real broker of the local stack: what is counted as sent is in the
topic, keyed and encoded as the job expects, and Kafka trouble is a clear, bounded error."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from flinkfast.paths import REPO_ROOT

from flinkfast import config
from flinkfast.events import producer
from flinkfast.errors import Unavailable

ROOT = REPO_ROOT
pytestmark = pytest.mark.e2e


def consume(cfg, topic, expected, timeout_s=30):
    from flinkfast.clients import kafka_consumer
    consumer = kafka_consumer(cfg, topic, auto_offset_reset="earliest", group_id=None, consumer_timeout_ms=5000)
    records, deadline = [], time.monotonic() + timeout_s
    try:
        while len(records) < expected and time.monotonic() < deadline:
            records.extend(consumer)  # stops after consumer_timeout_ms without a record
    finally:
        consumer.close()
    return records


def topic_cfg(topic, **overrides):
    return config.load({"KAFKA_TOPIC": topic, **overrides})


def run_cli(*args, env=None, timeout=90):
    return subprocess.run([sys.executable, str(ROOT / "producer_api.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


@pytest.mark.timeout(120)
def test_generated_events_arrive_keyed_and_intact(topic):
    cfg = topic_cfg(topic)
    events = list(producer.generate_events(1000, seed=11))
    summary = producer.produce(cfg, events, progress=False, total=len(events))
    assert (summary.sent, summary.failed) == (1000, 0)
    assert sorted(summary.uuids) == sorted(e["uuid"] for e in events)
    assert summary.elapsed_s > 0 and summary.events_per_s > 0

    records = consume(cfg, topic, 1000)
    assert len(records) == 1000
    by_uuid = {e["uuid"]: e for e in events}
    for r in records:
        event = json.loads(r.value.decode("utf-8"))
        assert r.key == event["uuid"].encode()
        assert event == by_uuid[event["uuid"]]
    assert any(not r.value.isascii() for r in records)  # UTF-8, not \\u escapes
    assert all(b", " not in r.value and b'": ' not in r.value for r in records)  # compact
    assert len({r.partition for r in records}) == cfg.kafka_partitions  # spread over the partitions


@pytest.mark.timeout(60)
def test_the_broker_stamps_records_whatever_the_producer_sets(topic):
    """The project's topics are LogAppendTime: a stamp the producer sets is replaced by the broker's
    append time (docs/guarantees.md, "Which clock")."""
    cfg = topic_cfg(topic)
    before = int(time.time() * 1000)
    stamp = before - 60_000
    events = list(producer.generate_events(3, seed=5))
    summary = producer.produce(cfg, events, progress=False,
                               timestamp_ms=lambda e: stamp if e is events[0] else None)
    assert summary.sent == 3
    after = int(time.time() * 1000)
    records = {r.key.decode(): r for r in consume(cfg, topic, 3)}
    assert all(r.timestamp_type == 1 and before <= r.timestamp <= after for r in records.values()), records


@pytest.mark.timeout(60)
def test_duration_stops_an_unbounded_run(topic):
    cfg = topic_cfg(topic)
    started = time.monotonic()
    summary = producer.produce(cfg, producer.generate_events(None, seed=1), rate=200, duration=1.5, progress=False)
    assert time.monotonic() - started < 15
    assert 150 <= summary.sent <= 400 and summary.failed == 0


@pytest.mark.timeout(60)
def test_missing_topic_is_a_clear_error(stack):
    cfg = topic_cfg("flinkfast-no-such-topic")
    with pytest.raises(Unavailable, match="topic flinkfast-no-such-topic does not exist.*make up"):
        producer.produce(cfg, producer.generate_events(5, seed=1), progress=False)


@pytest.mark.timeout(60)
def test_cli_missing_topic(stack):
    started = time.monotonic()
    out = run_cli("--source", "generate", "--count", "5", "--kafka-topic", "flinkfast-no-such-topic", "--quiet")
    assert out.returncode == 3, out.stderr
    assert "Traceback" not in out.stderr
    assert [line for line in out.stderr.splitlines() if line.startswith("producer_api: error:")] == \
        [line for line in out.stderr.splitlines() if line.strip()]
    assert "topic flinkfast-no-such-topic does not exist" in out.stderr
    assert time.monotonic() - started < 30


@pytest.mark.timeout(60)
def test_cli_kafka_unreachable():
    started = time.monotonic()
    out = run_cli("--source", "generate", "--count", "5", "--quiet", env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})
    elapsed = time.monotonic() - started
    assert out.returncode == 3, out.stderr
    assert "Traceback" not in out.stderr
    assert len([line for line in out.stderr.splitlines() if line.startswith("producer_api: error:")]) == 1
    assert "Kafka at 127.0.0.1:1 is not reachable" in out.stderr and "10 s" in out.stderr
    assert elapsed < 30


@pytest.mark.timeout(90)
def test_cli_generate_prints_summary(topic):
    out = run_cli("--source", "generate", "--count", "300", "--seed", "1", "--kafka-topic", topic)
    assert out.returncode == 0, out.stderr
    assert "sent 300, failed 0" in out.stdout and "events/s" in out.stdout
    assert len(consume(topic_cfg(topic), topic, 300)) == 300


@pytest.mark.timeout(90)
def test_cli_ctrl_c_flushes_and_exits_130(topic):
    proc = subprocess.Popen([sys.executable, str(ROOT / "producer_api.py"), "--source", "generate", "--rate", "200",
                             "--count", "100000", "--kafka-topic", topic, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    line = [x for x in stdout.splitlines() if x.startswith("sent ")][0]
    sent = int(line.split()[1].rstrip(",").replace(",", ""))
    assert sent > 0 and "(interrupted)" in line
    assert len(consume(topic_cfg(topic), topic, sent)) == sent  # every counted event is in the topic
