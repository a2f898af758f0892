"""Helpers shared by the tests (one module: tests never import each other)."""
from __future__ import annotations


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


def event(uuid: str, first_name: str = "Ada", **fields) -> bytes:
    """A valid event's bytes (the other fields fixed unless given)."""
    import json
    body = {"uuid": uuid, "first_name": first_name, "last_name": "Lovelace", "country": "United Kingdom",
            "age": 36, **fields}
    return json.dumps(body, ensure_ascii=False).encode()
