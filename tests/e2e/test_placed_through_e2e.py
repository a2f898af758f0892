"""Where a group that forgot its offsets starts (flinkfast/topics/placed.py::starts_of_forgotten,
sql/reconcile/placed_through.sql): at the first offset the database has not seen, counted from the
first one it has, but never past the log's start when that first one is above it. The database
alone (the `database` fixture); Kafka's log starts are given as kafka_offsets() returns them.
"""
from __future__ import annotations

import time

import pytest

from flinkfast.clients import pg_connect
from flinkfast.topics import placed
from tests.helpers import delete_rows

pytestmark = pytest.mark.e2e

DEAD = "INSERT INTO dead_letter_events_in VALUES (%s, %s, %s, 'not JSON', NULL, 0, 0, %s)"


@pytest.fixture
def topic_cfg(database, cfg):
    topic = f"through-{time.time_ns()}"
    yield cfg.replace(kafka_topic=topic)
    delete_rows(cfg, [topic])


def dead_letters(cfg, partition: int, offsets) -> None:
    """Dead letters at these offsets, with the writer's password (what the sink, or whoever holds it, can do)."""
    writer = pg_connect(cfg, "writer")
    try:
        with writer, writer.cursor() as cur:
            for offset in offsets:
                cur.execute(DEAD, (cfg.kafka_topic, partition, offset, offset + 1))
    finally:
        writer.close()


def test_a_row_placed_far_ahead_never_moves_a_start_past_the_messages_kafka_holds(topic_cfg):
    """Found by an attack: one dead letter the writer's password placed at offset 10^12 of a partition
    the database held nothing of made the first start there min(10^12 + 1, the log's end): every
    message Kafka held on it skipped, never read, with a line saying the database held them."""
    dead_letters(topic_cfg, 0, [10 ** 12])
    assert placed.starts_of_forgotten(topic_cfg, {0: 0, 1: 0}, {}) == {0: 0}
    assert placed.starts_of_forgotten(topic_cfg, {0: 7, 1: 0}, {}) == {0: 7}     # a log that starts later


@pytest.mark.parametrize("log_start, expected", [
    (0, 5),    # placed 0..4: start after them
    (3, 5),    # retention cut below the placed run: the same
    (5, 5),
    (8, 5),    # 5..7 deleted before the job read them: start at the gap, which stops the job (a loss)
])
def test_a_run_placed_from_or_below_the_log_start_starts_at_its_first_hole(topic_cfg, log_start, expected):
    dead_letters(topic_cfg, 0, range(5))
    assert placed.starts_of_forgotten(topic_cfg, {0: log_start}, {}) == {0: expected}


def test_a_partition_the_database_holds_nothing_of_is_not_its_to_say(topic_cfg):
    dead_letters(topic_cfg, 1, [3])
    assert placed.starts_of_forgotten(topic_cfg, {0: 0, 1: 0}, {}) == {1: 0}
    assert placed.starts_of_forgotten(topic_cfg, {0: 0, 1: 3}, {}) == {1: 4}
    assert placed.starts_of_forgotten(topic_cfg, {0: 0, 1: 3}, {1: 0}) == {}   # a committed offset: not forgotten
