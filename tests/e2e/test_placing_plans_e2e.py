"""The placing's plans fit the tables' sizes at every flush (sql/postgres/003_ingest.sql, "Planned
per flush"): a writer session whose first flushes planned on empty tables (a first run; every
benchmark drain after its TRUNCATE) must not keep those plans once the tables hold many rows.

A statement of a PL/pgSQL function without variables is planned once per session and kept until
the tables' statistics change; a plan made on an empty event_places (a hash join reading it
whole) read 527,000 rows on every flush later (316 ms for 5,000 rows). auto_explain, on the
session itself, shows every nested statement's plan with its estimated and actual rows: a scan
of one of the pipeline's tables that reads far more rows than it was planned for is a stale plan.

A database of its own (the schema applied to an empty one), autovacuum off on its tables, so that
nothing re-analyzes them between the flushes: the plans are the placing's alone. Only PostgreSQL
of the test stack runs (the `database` fixture).
"""
from __future__ import annotations

import re
import uuid as uuidlib

import pytest

from flinkfast.clients import pg_connect
from flinkfast.stack import Stack

pytestmark = pytest.mark.e2e

TABLES = ("processed_events", "superseded_events", "dead_letter_events", "event_places")
FILLED = 200_000
SCAN = re.compile(r"Seq Scan on (\w+) .*?\(cost=[\d.]+\.\.[\d.]+ rows=(\d+) .*?\(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)")
GOOD = ("INSERT INTO processed_events_in SELECT {uuid}, 'Bo', 'B', 'DE', 30, 1990, 'plans', i %% 2, {offset}, "
        "1800000000000 + i, 1800000000000 + i, i FROM generate_series(%s, %s - 1) i")
DEAD = ("INSERT INTO dead_letter_events_in SELECT 'plans', i %% 2, {offset}, 'not JSON', 'x'::bytea, 1800000000000 + i, "
        "1800000000000 + i, -i FROM generate_series(%s, %s - 1) i")


class Notices:
    """psycopg2 keeps the last 50 notices of a list; this keeps them all."""

    def __init__(self):
        self.items: list[str] = []

    def append(self, notice: str) -> None:
        self.items.append(notice)


def stale_scans(notices: list[str]) -> list[str]:
    """Seq scans of the pipeline's tables that read more than ten times the rows they were
    planned for (and more than 10,000): plans made for tables far smaller than they are."""
    found = []
    for table, planned, actual in (m.groups() for n in notices for m in SCAN.finditer(n)):
        if table in TABLES and int(actual) > max(10_000, 10 * int(planned)):
            found.append(f"{table}: planned for {planned} rows, read {actual}")
    return found


AUTO_EXPLAIN = ("LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
                "SET auto_explain.log_nested_statements = on", "SET auto_explain.log_analyze = on",
                "SET auto_explain.log_level = 'notice'")


def explain_every_statement(cur) -> None:
    """The session's every statement, nested ones too, explained with its actual rows as a notice."""
    for setting in AUTO_EXPLAIN:
        cur.execute(setting)


@pytest.fixture
def scratch(database, cfg):
    """An empty database with the pipeline's schema, autovacuum off on its tables; dropped after."""
    name = f"plans_{uuidlib.uuid4().hex[:8]}"
    scfg = cfg.replace(postgres_db=name)
    Stack(scfg).init_database()
    admin = pg_connect(scfg, "admin", dbname=name)
    admin.autocommit = True
    with admin.cursor() as cur:
        for table in TABLES:
            cur.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        cur.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
    try:
        yield scfg, admin
    finally:
        admin.close()
        database.service("postgres").psql("-c", f'DROP DATABASE "{name}" WITH (FORCE)', database="postgres")


def test_a_writer_keeps_no_plan_made_on_empty_tables(scratch):
    scfg, admin = scratch
    writer = pg_connect(scfg, "admin", dbname=scfg.postgres_db)   # a superuser may LOAD auto_explain
    writer.notices = Notices()
    try:
        with writer.cursor() as cur:
            explain_every_statement(cur)

            def flush(first: int, n: int, repeat: str = "plans-") -> None:
                """n good events (every fifth of uuid `repeat` || a number below 1,000: with 'filler-',
                replacing the filler's rows, and superseding one another) and n / 10 dead letters,
                at positions of their own, one transaction."""
                uuid = f"CASE WHEN i %% 5 = 0 THEN '{repeat}' || (i %% 1000) ELSE 'plans-' || i END"
                cur.execute(GOOD.format(uuid=uuid, offset="i / 2"), (first, first + n))
                cur.execute(DEAD.format(offset="i / 2"), (10_000_000 + first, 10_000_000 + first + n // 10))
                writer.commit()

            for k in range(6):                        # planned on (nearly) empty tables, and kept
                flush(k * 1_000, 1_000)
            with admin.cursor() as a:                 # the tables grow behind the session's back
                a.execute("INSERT INTO processed_events (uuid, first_name, last_name, country, age, birth_year, "
                          "kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms, fingerprint) "
                          "SELECT 'filler-' || i, 'Ada', 'L', 'UK', 36, 1815, 'filler', 0, i, 1700000000000 + i, "
                          "1700000000000 + i, i FROM generate_series(0, %s - 1) i", (FILLED,))
            writer.notices.items.clear()
            flush(100_000, 5_000, repeat="filler-")
    finally:
        writer.close()
    notices = writer.notices.items
    assert any("INSERT INTO public.processed_events" in n for n in notices), "auto_explain showed no placing statement"
    assert stale_scans(notices) == [], "\n".join(stale_scans(notices))


SMALL_FILLED = 20_000
SEQ_SCAN = re.compile(r"Seq Scan on (\w+) .*?\(actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)\)"
                      r"(?:\n\s*Filter: [^\n]*\n\s*Rows Removed by Filter: (\d+))?")


def whole_reads(notices: list[str]) -> list[str]:
    """Seq scans of the pipeline's tables that read more than 1,000 rows a loop: the rows they
    returned and those their filter removed (a key looked up by a scan returns one row, or none,
    and reads them all)."""
    found = []
    for n in notices:
        for table, rows, loops, removed in SEQ_SCAN.findall(n):
            read = (int(rows) * int(loops) + int(removed or 0)) / max(1, int(loops))
            if table in TABLES and read > 1_000:
                found.append(f"{table}: read {read:.0f} rows a loop")
    return found


def test_a_small_flush_probes_the_tables_never_reads_one_whole(scratch):
    """A new session's flush of ten rows, the tables holding 20,000 (a first run's first seconds,
    every benchmark's latency run): each row is looked up by its keys. The batch tables, never analyzed, were taken for at least 10 pages (some 600 rows), and
    with that estimate a hash join over the whole of event_places was cheaper on paper: every small
    flush read it (7 ms of PostgreSQL's CPU for ten rows, at a low rate hundreds a second)."""
    scfg, admin = scratch
    with admin.cursor() as a:
        a.execute("INSERT INTO processed_events (uuid, first_name, last_name, country, age, birth_year, "
                  "kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms, fingerprint) "
                  "SELECT 'filler-' || i, 'Ada', 'L', 'UK', 36, 1815, 'filler', 0, i, 1700000000000 + i, "
                  "1700000000000 + i, i FROM generate_series(0, %s - 1) i", (SMALL_FILLED,))
        a.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
    writer = pg_connect(scfg, "admin", dbname=scfg.postgres_db)
    writer.notices = Notices()
    try:
        with writer.cursor() as cur:
            explain_every_statement(cur)
            for first in (0, 10):   # the session's first flush, and one after it
                cur.execute(GOOD.format(uuid="'small-' || i", offset="i"), (first, first + 10))
                cur.execute(DEAD.format(offset="i"), (1_000 + first, 1_000 + first + 2))
                writer.commit()
    finally:
        writer.close()
    notices = writer.notices.items
    assert any("INSERT INTO public.processed_events" in n for n in notices), "auto_explain showed no placing statement"
    assert whole_reads(notices) == [], "\n".join(whole_reads(notices))


def test_a_session_begun_on_empty_tables_checks_each_place_by_its_keys_when_they_are_full(scratch):
    """Every row written is checked against event_places (001_schema.sql, one place per position).
    Foreign keys did it with a plan PostgreSQL made once per session and kept until the table was next
    analyzed: made while event_places held a few rows, it read the whole table for every row written
    later (at 1,000 events/s on a fresh stack, 1.3 cores of PostgreSQL and seconds of latency until
    autovacuum came by). A session whose first flushes were small, on empty tables, the tables then
    filled behind its back to 20,000 rows: its next flushes, moves from processed_events to
    superseded_events among them, read none of them whole."""
    scfg, admin = scratch
    writer = pg_connect(scfg, "admin", dbname=scfg.postgres_db)
    writer.notices = Notices()
    try:
        with writer.cursor() as cur:
            explain_every_statement(cur)

            def flush(first: int, n: int) -> None:
                """n good events, every third a uuid of the last flush's (a later message: it wins, the
                earlier is superseded), and two dead letters."""
                uuid = f"CASE WHEN i %% 3 = 0 THEN 'early-' || (i - {n}) ELSE 'early-' || i END"
                cur.execute(GOOD.format(uuid=uuid, offset="i"), (first, first + n))
                cur.execute(DEAD.format(offset="i"), (1_000_000 + first, 1_000_000 + first + 2))
                writer.commit()

            for k in range(8):                        # the session's first flushes, on empty tables
                flush(k * 10, 10)
            with admin.cursor() as a:                 # the tables fill behind the session's back
                a.execute("INSERT INTO processed_events (uuid, first_name, last_name, country, age, birth_year, "
                          "kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms, fingerprint) "
                          "SELECT 'filler-' || i, 'Ada', 'L', 'UK', 36, 1815, 'filler', 0, i, 1700000000000 + i, "
                          "1700000000000 + i, i FROM generate_series(0, %s - 1) i", (SMALL_FILLED,))
            writer.notices.items.clear()
            for k in range(8, 12):
                flush(k * 10, 10)
    finally:
        writer.close()
    notices = writer.notices.items
    assert any("INSERT INTO public.superseded_events" in n for n in notices), "no move was explained"
    assert whole_reads(notices) == [], "\n".join(whole_reads(notices))
