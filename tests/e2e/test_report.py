"""The report's queries on rows whose figures were worked out by hand (real PostgreSQL).

Each test builds its own schema with a copy of processed_events, of lost_messages and of the
report_rows view over it (the view's own text, sql/postgres/001_schema.sql) and points search_path
at it, so the SQL files in sql/report/ run unchanged on known rows.
"""
import datetime as dt
import json
import subprocess
import sys
import uuid

import pytest

from flinkfast.accounting import report
from flinkfast.paths import REPO_ROOT

pytestmark = pytest.mark.e2e
BASE = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.timezone.utc)  # a DST night in Europe, for good measure


@pytest.fixture
def conn(stack, cfg):
    schema = f"report_test_{uuid.uuid4().hex[:8]}"
    c = report.connect(cfg, "admin")  # a schema of its own
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
        cur.execute(f"CREATE TABLE {schema}.processed_events (LIKE public.processed_events INCLUDING ALL)")
        cur.execute(f"CREATE TABLE {schema}.lost_messages (LIKE public.lost_messages INCLUDING ALL)")
        cur.execute(f"SET search_path = {schema}")
        cur.execute(f"CREATE VIEW {schema}.report_rows AS {report.report_rows_select()}")
        cur.execute("SET TimeZone = 'America/St_Johns'")  # a -03:30 session must not change a figure
    yield c
    with c.cursor() as cur:
        cur.execute(f"DROP SCHEMA {schema} CASCADE")
    c.close()


def insert(conn, rows):
    """rows: (kafka time, flink time, postgres time) as datetimes."""
    with conn.cursor() as cur:
        for k, f, p in rows:
            # Each row a position of its own (one message per Kafka position: a unique key).
            cur.execute("""INSERT INTO processed_events (uuid, first_name, last_name, country, age, birth_year,
                                                         kafka_topic, kafka_partition, kafka_offset,
                                                         kafka_ts_ms, flink_ts_ms, postgres_timestamp)
                           VALUES (%s, 'A', 'B', 'C', 30, 1996, 't', 0,
                                   (SELECT coalesce(max(kafka_offset) + 1, 0) FROM processed_events), %s, %s, %s)""",
                        (str(uuid.uuid4()), int(k.timestamp() * 1000), int(f.timestamp() * 1000), p))


def ms(n):
    return dt.timedelta(milliseconds=n)


@pytest.fixture
def ten_rows(conn):
    # Row i: Kafka at BASE + i s, latency (i+1) * 100 ms, half of it before Flink.
    rows = []
    for i in range(10):
        k = BASE + dt.timedelta(seconds=i)
        latency = (i + 1) * 100
        rows.append((k, k + ms(latency / 2), k + ms(latency)))
    insert(conn, rows)
    return conn


def test_percentiles_worked_out_by_hand(ten_rows):
    data = report.collect(ten_rows)
    e2e = data["latency"]["kafka_to_postgres"]
    # Latencies 100..1000 step 100; percentile_cont at (n-1)p = 9p: p50 4.5 -> 550, p90 8.1 -> 910,
    # p95 8.55 -> 955, p99 8.91 -> 991.
    assert (e2e["p50_ms"], e2e["p90_ms"], e2e["p95_ms"], e2e["p99_ms"], e2e["max_ms"], e2e["avg_ms"]) == \
           (550.0, 910.0, 955.0, 991.0, 1000.0, 550.0)
    assert data["latency"]["kafka_to_flink"]["p50_ms"] == 275.0
    assert data["latency"]["flink_to_postgres"]["max_ms"] == 500.0


def test_buckets_are_half_open_and_in_numeric_order(ten_rows):
    buckets = [(b["bucket"], b["rows"]) for b in report.collect(ten_rows)["buckets"]]
    # 100 ms falls in 100-250 only; 1000 ms in 1-2 s only.
    assert buckets == [("0-100 ms", 0), ("100-250 ms", 2), ("250-500 ms", 2), ("500 ms-1 s", 5), ("1-2 s", 1),
                       ("2-5 s", 0), ("5-30 s", 0), ("30 s and more", 0)]
    assert sum(b["percent"] for b in report.collect(ten_rows)["buckets"]) == pytest.approx(100.0)


def test_throughput_whole_run_and_recent_window(ten_rows):
    data = report.collect(ten_rows, window_s=5)
    s = data["summary"]
    # First Kafka timestamp BASE, last insert BASE + 9 s + 1000 ms = 10 s: 10 rows / 10 s.
    assert s["total_rows"] == 10 and s["elapsed_s"] == pytest.approx(10.0)
    assert s["events_per_s"] == pytest.approx(1.0) and s["events_per_min"] == pytest.approx(60.0)
    # Inserts at 0.1, 1.2, 2.3, ..., 10.0 s; newer than 10.0 - 5 = 5.0 s: 5.6, 6.7, 7.8, 8.9, 10.0.
    assert data["recent"]["rows"] == 5 and data["recent"]["events_per_s"] == pytest.approx(1.0)


def test_throughput_does_not_wrap_at_the_hour(conn):
    # Two rows spread over 1 h 0 min 10 s: EXTRACT(MINUTE ...) would say 0 minutes.
    insert(conn, [(BASE, BASE, BASE), (BASE, BASE, BASE + dt.timedelta(hours=1, seconds=10))])
    s = report.collect(conn)["summary"]
    assert s["elapsed_s"] == pytest.approx(3610.0)
    assert s["events_per_min"] == pytest.approx(2 * 60 / 3610)


def test_since_scopes_the_report(ten_rows):
    data = report.collect(ten_rows, since=BASE + dt.timedelta(seconds=5))
    assert data["summary"]["total_rows"] == 5  # inserted at 5.6 s and later


def test_until_scopes_the_report_half_open(ten_rows):
    # Inserts at 0.1, 1.2, 2.3, ... s: before 5.6 s are the first five; 5.6 itself is out.
    data = report.collect(ten_rows, until=BASE + ms(5600))
    assert data["summary"]["total_rows"] == 5 and data["latency"]["kafka_to_postgres"]["max_ms"] == 500.0
    data = report.collect(ten_rows, since=BASE + dt.timedelta(seconds=2), until=BASE + ms(5601))
    assert data["summary"]["total_rows"] == 4 and data["until"] == (BASE + ms(5601)).isoformat()


def test_cli_until_before_since_is_one_line():
    r = subprocess.run([sys.executable, "print_data_postgres.py", "--since", "2026-01-02T00:00:00+00:00",
                        "--until", "2026-01-01T00:00:00+00:00"], cwd=REPO_ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "--until must be later than --since" in r.stderr and "Traceback" not in r.stderr


def test_cli_json_and_plot(stack, cfg, tmp_path):
    plot = tmp_path / "latency.png"
    r = subprocess.run([sys.executable, "print_data_postgres.py", "--json", "--plot", str(plot)], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=120)
    data = json.loads(r.stdout)
    assert {"summary", "latency", "buckets", "recent", "latest"} <= data.keys()
    assert r.returncode == (0 if data["summary"]["total_rows"] else 1)
    if data["summary"]["total_rows"]:
        assert plot.stat().st_size > 10_000 and plot.read_bytes()[:4] == b"\x89PNG"


def test_cli_bad_since_and_unreachable_database_are_one_line():
    r = subprocess.run([sys.executable, "print_data_postgres.py", "--since", "yesterday"], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "not an ISO timestamp" in r.stderr
    r = subprocess.run([sys.executable, "print_data_postgres.py", "--postgres-port", "1"], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 3 and "cannot connect to PostgreSQL" in r.stderr and "Traceback" not in r.stderr
