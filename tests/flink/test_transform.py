"""The transformation (sql/flink/002_transform.sql) on in-memory rows: no Kafka, no Postgres.

Runs on PyFlink's embedded mini-cluster. The Kafka table is replaced by a view of literal rows
with the same columns (raw payload bytes and the Kafka metadata), as in apache/flink-playgrounds'
table walkthrough.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from flinkfast import config
from flinkfast.pipeline import job
from flinkfast.events.fingerprint import fingerprint

# Instants chosen to catch zone bugs: a whole second, sub-second millis, the night of a DST
# change in Europe, and a date past 2038 (an INT of seconds would overflow there).
INSTANTS_MS = [1_700_000_000_000, 1_700_000_045_123, 1_729_990_799_999, 2_500_000_000_007]
ZONES = ["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Berlin"]


@pytest.fixture(scope="module")
def cfg():
    return config.load(env={"FLINK_DB_PASSWORD": "x", "POSTGRES_PASSWORD": "x", "MAX_EVENT_CHARS": "1000"})


def event(uuid="u-1", first="Zoë", last="Ødegård", country="Norway", age=30, **extra) -> bytes:
    body = {"uuid": uuid, "first_name": first, "last_name": last, "country": country, "age": age, **extra}
    return json.dumps(body, ensure_ascii=False).encode()


def classify(cfg, payloads: list[bytes | None], zone="UTC", instants=None):
    """Run the views over the payloads; return (processed rows, dead-letter rows, before_ms, after_ms)."""
    return classify_batch(cfg, payloads, zone, instants)


def classify_batch(cfg, payloads: list[bytes | None], zone="UTC", instants=None, ts_types=None):
    """classify() for any test: message i has kafka_offset i, the Kafka timestamp instants[i] and
    the timestamp type ts_types[i] (the broker's, LogAppendTime, unless given).

    The rows come in through from_elements: a VALUES literal of thousands of rows takes the
    planner minutes, this takes a second."""
    from pyflink.table import DataTypes
    t_env = job.create_table_env(cfg, streaming=False)
    t_env.get_config().set("table.local-time-zone", zone)
    instants = instants or [1_700_000_000_000] * len(payloads)
    ts_types = ts_types or ["LogAppendTime"] * len(payloads)
    schema = DataTypes.ROW([DataTypes.FIELD("payload", DataTypes.BYTES()),
                            DataTypes.FIELD("kafka_ts_ms", DataTypes.BIGINT()),
                            DataTypes.FIELD("kafka_ts_type", DataTypes.STRING()),
                            DataTypes.FIELD("kafka_topic", DataTypes.STRING()),
                            DataTypes.FIELD("kafka_partition", DataTypes.INT()),
                            DataTypes.FIELD("kafka_offset", DataTypes.BIGINT())])
    rows = [(None if p is None else bytearray(p), ms, ts_type, "topic-a", i % 3, i)
            for i, (p, ms, ts_type) in enumerate(zip(payloads, instants, ts_types))]
    t_env.create_temporary_view("messages", t_env.from_elements(rows, schema))
    t_env.execute_sql("""
        CREATE TEMPORARY VIEW random_user_source AS
        SELECT payload, TO_TIMESTAMP_LTZ(kafka_ts_ms, 3) AS kafka_ts, kafka_ts_type, kafka_topic, kafka_partition,
               kafka_offset
          FROM messages""")
    job.register_transform(t_env, cfg)
    before = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    # Both views in one job (a mini-cluster job costs seconds), told apart by `reason`.
    both = [tuple(r) for r in t_env.execute_sql("""
        SELECT CAST(NULL AS STRING) AS reason, CAST(NULL AS BYTES) AS payload, p.*
          FROM processed AS p
        UNION ALL
        SELECT d.reason, d.payload, CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING),
               CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS INT), d.kafka_topic, d.kafka_partition,
               d.kafka_offset, d.kafka_ts_ms, d.flink_ts_ms, d.fingerprint
          FROM dead_letters AS d""").collect()]
    # Every message, row or dead letter, carries its fingerprint: the same as flinkfast/events/fingerprint.py's.
    wrong = [r[10] for r in both if r[13] != fingerprint(payloads[r[10]], r[11])]
    assert not wrong, f"messages at offsets {wrong[:10]} carry another fingerprint"
    good = [r[2:13] for r in both if r[0] is None]
    bad = [(r[8], r[9], r[10], r[0], r[1], r[11], r[12]) for r in both if r[0] is not None]
    after = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    return good, bad, before, after


@pytest.mark.parametrize("zone", ZONES)
def test_good_events_become_rows_whatever_the_zone(cfg, zone):
    payloads = [event(uuid=f"u{i}", age=18 + i) for i in range(len(INSTANTS_MS))]
    good, bad, before, after = classify(cfg, payloads, zone, INSTANTS_MS)
    assert bad == [] and len(good) == len(payloads)
    this_year = dt.date.today().year
    for row in good:
        uuid, first, last, country, age, birth_year, topic, partition, offset, kafka_ms, flink_ms = row
        i = int(uuid[1:])
        assert (first, last, country, age) == ("Zoë", "Ødegård", "Norway", 18 + i)
        assert birth_year == this_year - age
        assert (topic, partition, offset) == ("topic-a", i % 3, i)
        assert kafka_ms == INSTANTS_MS[i], f"kafka_ts_ms must be the instant itself under {zone}"
        assert before - 1000 <= flink_ms <= after + 1000  # processing time


BAD = [
    (None, "empty message"),
    (b"", "empty message"),
    (b"\xc3\x28 not utf-8", "not UTF-8"),
    (b"{not json", "not JSON"),
    (b'"just a string"', "JSON is not an object"),
    (b"[1, 2, 3]", "JSON is not an object"),
    (b"42", "JSON is not an object"),
    (event(uuid=None), "uuid missing or null"),
    (json.dumps({"first_name": "A", "last_name": "B", "country": "C", "age": 3}).encode(), "uuid missing or null"),
    (event(uuid=" "), "uuid empty"),
    (event(uuid="x" * 65), "uuid longer than 64 characters"),
    (event(first=None), "first_name missing or null"),
    (event(country=None), "country missing or null"),
    (event(last="L" * 257), "a name longer than 256 characters"),
    (event(first="a\u0000b"), "NUL character in a text field"),
    (event(age=None), "age missing or null"),
    (json.dumps({"uuid": "u", "first_name": "A", "last_name": "B", "country": "C"}).encode(), "age missing or null"),
    (event(age="forty"), "age not an integer"),
    (event(age=42.5), "age not an integer"),
    (event(age=True), "age not an integer"),
    (event(age=-1), "age out of range 0-150"),
    (event(age=151), "age out of range 0-150"),
    (event(padding="p" * 2000), "longer than 1000 characters"),
]


def test_every_bad_message_is_a_dead_letter_with_its_reason(cfg):
    payloads = [p for p, _ in BAD]
    good, bad, _, _ = classify(cfg, payloads)
    assert good == []
    reasons = {offset: reason for _, _, offset, reason, *_ in bad}
    assert reasons == {i: reason for i, (_, reason) in enumerate(BAD)}
    payload_by_offset = {offset: payload for _, _, offset, _, payload, *_ in bad}
    for i, (payload, _) in enumerate(BAD):
        assert (bytes(payload_by_offset[i]) if payload_by_offset[i] is not None else None) == payload


# Found by thinking about what the fuzzer (tests/flink/test_fuzz_transform.py) draws rarely: each is a
# place where a Python or Java library function would give another answer than the rules.
EDGE_BAD = [
    (b'{"uuid":"u","first_name":"A","last_name":"B","country":"C","age":"36\\n"}', "age not an integer"),
    (b'{"uuid":"u","first_name":"A","last_name":"B","country":"C","age":"\xef\xbc\x93\xef\xbc\x96"}',
     "age not an integer"),                                      # fullwidth digits
    (b'{"uuid":"u","first_name":"A","last_name":"B","country":"C","age":3.6e1}', "age not an integer"),
    (b'{"uuid":"u","first_name":"A","last_name":"B","country":"C","age":36} x', "not JSON"),
    (b'\xef\xbb\xbf{"uuid":"u","first_name":"A","last_name":"B","country":"C","age":36}', "not JSON"),  # BOM
    (b'{"uuid":"u","first_name":"A","last_name":"B","country":"C","age":NaN}', "not JSON"),
    (b'{"uuid":"\\ud800","first_name":"A","last_name":"B","country":"C","age":36}',
     "invalid Unicode (lone surrogate) in a text field"),
    (b'{"uuid":"u","uuid":"v","first_name":"A","last_name":"B","country":"C","age":36}', "duplicate field uuid"),
    (b'{"\\u0075uid":"u","uuid":"v","first_name":"A","last_name":"B","country":"C","age":36}',
     "duplicate field uuid"),
    (b'{"uuid":7,"first_name":"A","last_name":"B","country":"C","age":36}', "uuid not a string"),
    (b"[" * 5000 + b"]" * 5000, "JSON is not an object"),  # deeper than a recursive parser's stack
    (b"\xed\xa0\x80", "not UTF-8"),                        # an encoded surrogate (CESU-8)
]


def test_edge_cases_the_fuzzer_meets_rarely(cfg):
    cfg = config.load(env={"FLINK_DB_PASSWORD": "x", "POSTGRES_PASSWORD": "x", "MAX_EVENT_CHARS": "20000"})
    good, bad, _, _ = classify(cfg, [p for p, _ in EDGE_BAD])
    assert good == []
    assert {offset: reason for _, _, offset, reason, *_ in bad} == {i: r for i, (_, r) in enumerate(EDGE_BAD)}


def test_edge_values_that_are_valid(cfg):
    payloads = [event(uuid="a", age=0), event(uuid="b", age=150), event(uuid="c", age="42"),
                event(uuid="d", first="Сергій", last="Çelik", country="Türkiye", extra={"postcode": 1234}),
                event(uuid="\u3000", age=-0), event(uuid="\u00a0e\u0301😀"), event(uuid="f", age="007")]
    good, bad, _, _ = classify(cfg, payloads)
    assert bad == []
    assert {r[0]: r[4] for r in good} == {"a": 0, "b": 150, "c": 42, "d": 30, "\u3000": 0,
                                         "\u00a0e\u0301😀": 30, "f": 7}
    assert [r[1:4] for r in good if r[0] == "d"] == [("Сергій", "Çelik", "Türkiye")]


def test_each_message_is_classified_once(cfg):
    """The job's optimized plan: one call of classify_row for both branches, no JSON function.

    Flink's JSON_VALUE parses the whole text per call, and the planner repeated those calls per
    reference to a field (some 70 per message); a LATERAL TABLE call ran once per branch (each
    gets its own correlation variable, so the planner cannot share it): 16 % of the
    TaskManager's CPU in a flight recording. This guards the plan, not a timing."""
    from flinkfast.pipeline.sqlfiles import flink_statements
    t_env = job.create_table_env(cfg)
    for _, sql in flink_statements(cfg, (job.EDGE_SOURCE, job.TRANSFORM, *job.EDGE_SINKS)):
        t_env.execute_sql(sql)
    statements = t_env.create_statement_set()
    for _, sql in flink_statements(cfg, job.INSERTS):
        statements.add_insert_sql(sql)
    plan = statements.explain()
    optimized = plan[plan.index("== Optimized Execution Plan =="):]
    assert optimized.count("classify_row(") == 1, optimized  # computed once ...
    assert optimized.count("Reused(reference_id=") == 2  # ... and read by both sinks
    assert "Correlate(" not in optimized
    assert "JSON_VALUE" not in optimized and "IS JSON" not in optimized
    assert optimized.count("TableSourceScan(") == 1  # one read of the topic for both


def test_only_the_brokers_clock_stamps_a_row(cfg):
    """Rule 15: a good event whose timestamp its producer stamped (CreateTime) is a dead letter."""
    good, bad, _, _ = classify_batch(cfg, [event("u-1"), event("u-2"), event("u-3")],
                                     ts_types=["LogAppendTime", "CreateTime", "NoTimestampType"])
    assert [r[0] for r in good] == ["u-1"]
    assert sorted((r[2], r[3]) for r in bad) == [(1, "Kafka timestamp not set by the broker"),
                                                 (2, "Kafka timestamp not set by the broker")]


def test_skip_positions_are_compared_whole(cfg):
    """SKIP_MESSAGES names positions exactly: 0:281474976710657 is not 1:1, 65536:6 is not 0:6
    (an earlier version packed both numbers into one long, `partition << 48 ^ offset`, and
    skipped those too). Message i sits at partition i % 3, offset i."""
    skip_cfg = cfg.replace(skip_messages="0:281474976710657,65536:6,2:5")
    payloads = [event(uuid=f"u{i}") for i in range(8)]
    good, bad, *_ = classify(skip_cfg, payloads)
    assert [(b[1], b[2], b[3]) for b in bad] == \
        [(2, 5, "skipped by operator")]
    assert sorted(r[0] for r in good) == [f"u{i}" for i in range(8) if i != 5]
