"""`make bench-growth` end to end on a few thousand events: every step measured, the rows all
there, the verdict computed from the figures. No timing is asserted."""
import json
import subprocess
import sys

import pytest

from flinkfast.paths import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.long]


@pytest.fixture
def growth_db(cfg):
    from psycopg2 import sql
    from flinkfast.clients import pg_connect
    yield "flink_growth_ci"
    conn = pg_connect(cfg, "admin")
    try:
        conn.autocommit = True
        conn.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier("flink_growth_ci")))
    finally:
        conn.close()


def test_growth_measures_every_step(stack, cfg, growth_db, tmp_path):
    r = subprocess.run([sys.executable, "-m", "flinkfast.bench.growth", "--growth-events", "6000",
                        "--growth-step", "2000", "--db", growth_db, "--out", str(tmp_path)],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    [result_file] = tmp_path.glob("*-growth.json")
    result = json.loads(result_file.read_text())
    steps = result["steps"]
    # Steps end where the table's counters were seen past GROWTH_STEP more rows: as many as the
    # drain's speed allows, contiguous, covering every row.
    assert steps[0]["rows_before"] == 0 and steps[-1]["rows_after"] == 6000
    assert all(a["rows_after"] == b["rows_before"] for a, b in zip(steps, steps[1:]))
    assert all(s["rows_after"] - s["rows_before"] >= 2000 for s in steps[:-1])
    for s in steps:
        assert s["table_bytes"] > 0 and s["events_per_s"] > 0 and s["cpu_us_per_event"]["total"] > 0
        assert s["wal_bytes_per_event"] >= 0 and s["wal_fpi"] >= 0
        assert s["buffer_hit_ratio"] is None or 0 < s["buffer_hit_ratio"] <= 1
    # Each row is WAL (its heap tuple and index entries: well over 100 bytes), read from PostgreSQL
    # itself. Over the run, not per step: a step ends when the table's counters, which lag the WAL
    # by up to a second, pass its target, so a step of 2,000 rows may find its WAL in the one before.
    wal = sum(s["wal_bytes_per_event"] * (s["rows_after"] - s["rows_before"]) for s in steps)
    assert wal / 6000 > 100, steps
    assert sum(s["cpu_us_per_event"]["postgres"] for s in steps) > 0
    assert sum(s["cpu_us_per_event"]["taskmanager"] for s in steps) > 0
    reference = steps[result["reference_step"]]
    change = steps[-1]["cpu_us_per_event"]["total"] / reference["cpu_us_per_event"]["total"] - 1
    assert result["last_vs_reference"] == pytest.approx(change, abs=0.001)
    # The verdict is the line through steps 2.. (the warm-up left out), when there are two of them.
    line = result["trend"]
    if len(steps) > 2:
        assert line["steps"] == [2, len(steps)] and result["flat"] is line["within"]
        assert line["rise"] == pytest.approx((line["end_us"] - line["start_us"]) / line["start_us"], abs=0.002)
    else:
        assert line is None and result["flat"] is None
    assert "Cost per event as the table grows" in r.stdout
    [png] = tmp_path.glob("*-growth.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
