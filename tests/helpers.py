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
