"""The transformation (sql/flink/002_transform.sql) on in-memory rows: no Kafka, no Postgres.

Runs on PyFlink's embedded mini-cluster. The Kafka table is replaced by a view of literal rows
with the same columns, as in apache/flink-playgrounds' table walkthrough.
"""
import datetime as dt

import pytest

from flinkfast import config, job

# Instants chosen to catch zone bugs: a whole second, sub-second millis, the night of a DST
# change in Europe, and a date past 2038 (an INT of seconds would overflow there).
INSTANTS_MS = [1_700_000_000_000, 1_700_000_045_123, 1_729_990_799_999, 2_500_000_000_007]
ZONES = ["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Berlin"]


@pytest.fixture(scope="module")
def cfg():
    return config.load(env={"FLINK_DB_PASSWORD": "x", "POSTGRES_PASSWORD": "x"})


def run_transform(cfg, zone, rows):
    t_env = job.create_table_env(cfg, streaming=False)
    t_env.get_config().set("table.local-time-zone", zone)
    values = ",\n".join(
        f"('{u}', '{f}', '{l}', '{c}', {a}, TO_TIMESTAMP_LTZ({ms}, 3), 0, CAST({i} AS BIGINT))"
        for i, (u, f, l, c, a, ms) in enumerate(rows))
    t_env.execute_sql(f"""
        CREATE TEMPORARY VIEW random_user_source AS
        SELECT * FROM (VALUES {values})
            AS t(`uuid`, first_name, last_name, country, age, kafka_ts, kafka_partition, kafka_offset)""")
    job.register_transform(t_env, cfg)
    before = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    out = [r for r in t_env.execute_sql("SELECT * FROM processed").collect()]
    after = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    return out, before, after


@pytest.mark.parametrize("zone", ZONES)
def test_transform_is_zone_free(cfg, zone):
    rows = [(f"u{i}", "Zoë", "Ødegård", "Norway", 18 + i, ms) for i, ms in enumerate(INSTANTS_MS)]
    out, before, after = run_transform(cfg, zone, rows)
    by_uuid = {r[0]: r for r in out}
    assert len(out) == len(rows)
    this_year = dt.date.today().year
    for u, first, last, country, age, ms in rows:
        r = by_uuid[u]
        assert (r[1], r[2], r[3], r[4]) == (first, last, country, age)
        assert r[5] == this_year - age, "birth_year = current year - age"
        assert r[6] == ms, f"kafka_ts_ms must be the instant itself under {zone}"
        # flink_ts_ms is processing time: between the moments before and after the query.
        assert before - 1000 <= r[7] <= after + 1000


def test_non_ascii_names_pass_through(cfg):
    rows = [("u-1", "Сергій", "Çelik", "Türkiye", 42, 1_700_000_000_000)]
    out, _, _ = run_transform(cfg, "UTC", rows)
    assert list(out[0][1:4]) == ["Сергій", "Çelik", "Türkiye"]
