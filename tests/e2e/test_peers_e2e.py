"""The benchmark's peers (flinkfast/bench/peers): each drains a topic of its own into the
benchmark's table on the real stack, through the code the benchmark runs (drain.drain_peer), and
every event lands exactly once with the values the naive consumer computes. No timing is asserted.
The first run installs each peer's venv (.cache/peers; pathway brings about 1.6 GB)."""
import datetime as dt
import json
import time

import pytest

from flinkfast.bench import peers

pytestmark = [pytest.mark.e2e, pytest.mark.long]

EVENTS = 2000
DB = "flink_peers_ci"


@pytest.fixture(scope="module")
def peers_cfg(stack, cfg):
    """The benchmark's schema in a database of its own, dropped afterwards: the roles' grants on
    it must not outlive the test (tests/e2e/test_security_db_e2e.py counts them)."""
    from psycopg2 import sql

    from flinkfast.bench.drain import bench_cfg
    from flinkfast.clients import pg_connect
    from flinkfast.stack import Stack
    db_cfg = bench_cfg(cfg, DB)
    Stack(db_cfg).init_database()
    yield db_cfg
    conn = pg_connect(cfg, "admin")
    try:
        conn.autocommit = True
        conn.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB)))
    finally:
        conn.close()


def rows_of(cfg, topic: str) -> list[tuple]:
    from flinkfast.clients import pg_connect
    conn = pg_connect(cfg, "admin")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT uuid, first_name, last_name, country, age, birth_year, kafka_topic, kafka_partition, "
                        "kafka_offset, kafka_ts_ms, flink_ts_ms FROM processed_events WHERE kafka_topic = %s", (topic,))
            return cur.fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("name", list(peers.PEERS))
def test_a_peer_lands_every_event_once_with_the_naive_consumers_values(stack, cfg, peers_cfg, topic, name):
    from flinkfast.events import producer
    from flinkfast.bench.drain import drain_peer
    from tests.helpers import send_records

    peer = peers.PEERS[name]
    python = peers.ensure_venv(peer, print)  # the first time only: a venv of its own
    events = list(producer.generate_events(EVENTS, seed=7))
    acked = send_records(cfg, [(json.dumps(e).encode(), i % cfg.kafka_partitions, None) for i, e in enumerate(events)],
                         topic=topic)
    where = {e["uuid"]: position for e, position in zip(events, acked)}  # (partition, offset, timestamp) by Kafka
    before_ms = int(time.time() * 1000)
    figure = drain_peer(peers_cfg, stack, peer, python, topic, EVENTS, timeout=120)
    after_ms = int(time.time() * 1000)

    rows = rows_of(peers_cfg, topic)
    assert len(rows) == EVENTS and {r[0] for r in rows} == set(where), "every event, each exactly once"
    year = dt.date.today().year
    by_uuid = {e["uuid"]: e for e in events}
    for uuid, first, last, country, age, birth_year, r_topic, partition, offset, kafka_ts, processed_ts in rows:
        e = by_uuid[uuid]
        assert (first, last, country, age, birth_year) == (e["first_name"], e["last_name"], e["country"], e["age"],
                                                           year - e["age"]), uuid
        assert (r_topic, partition, offset, kafka_ts) == (topic, *where[uuid]), uuid
        assert kafka_ts <= processed_ts and before_ms <= processed_ts <= after_ms, (uuid, "the time it was processed")

    # The figure, as the benchmark records it: the peer's own CPU and memory, its settings.
    assert figure["events"] == EVENTS and figure["events_per_s"] > 0 and figure["start_to_ready_s"] > 0
    cpu = figure["cpu_us_per_event"]
    assert cpu["peer"] > 0 and cpu["postgres"] > 0 and cpu["total"] >= cpu["peer"] + cpu["postgres"] - 0.2, cpu
    assert figure["peak_rss_mib"] > 10
    assert figure["processes"] == peer.processes(cfg), "its instances, one a core up to the partitions, all running"
    assert figure["settings"].startswith(peer.pins()) and "placing" in figure["settings"]
    assert "password" not in figure["settings"].lower() and cfg.postgres_password not in peer.log.read_text()
