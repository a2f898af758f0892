"""The benchmark runs end to end on a small number of events. No timing is asserted: the figures
belong in the README, measured by `make bench` on a stated machine."""
import json
import subprocess
import sys

import pytest

from flinkfast.paths import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.long]

DRAINS = ("pipeline", "jdbc_sink", "seed_settings", "naive_consumer", "copy_ceiling", "copy_parallel")
KEYS = {"pipeline_events_per_s", "seed_settings_events_per_s", "naive_consumer_events_per_s",
        "copy_ceiling_events_per_s", "copy_parallel_events_per_s", "pipeline_steady_events_per_s", "latency_ms",
        "peak_pss_mib", "peak_pss_whole_stack_mib", "machine"}


@pytest.fixture
def bench_db(cfg):
    """The benchmark's database, dropped afterwards: the roles' grants on it (the same schema as
    the pipeline's) must not outlive the test (tests/e2e/test_security_db_e2e.py counts them)."""
    from psycopg2 import sql
    from flinkfast.clients import pg_connect
    yield "flink_bench_ci"
    conn = pg_connect(cfg, "admin")
    try:
        conn.autocommit = True
        conn.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier("flink_bench_ci")))
    finally:
        conn.close()


def _maintenance(cfg, db: str) -> tuple[int, int]:
    """(checkpoints requested so far in the cluster, vacuums of processed_events in db so far)."""
    from flinkfast.clients import pg_connect
    with pg_connect(cfg, "admin") as conn, conn.cursor() as cur:
        cur.execute("SELECT checkpoints_req FROM pg_stat_bgwriter")
        checkpoints = cur.fetchone()[0]
    try:
        with pg_connect(cfg.replace(postgres_db=db), "admin") as conn, conn.cursor() as cur:
            cur.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'processed_events'")
            vacuums = cur.fetchone()[0]
    except Exception:  # the benchmark's database is made by the run
        vacuums = 0
    return checkpoints, vacuums


def test_bench_runs_and_writes_its_results(stack, cfg, bench_db, tmp_path):
    from flinkfast.pipeline import flinkrest, submit
    users_job = submit.submit(cfg)  # the user's pipeline, running when the benchmark starts
    before = _maintenance(cfg, bench_db)
    try:
        # The peers (quixstreams, pathway) have a test of their own, tests/e2e/test_peers_e2e.py. Each load
        # lasts longer than the seconds the latency leaves out (WARMUP_S, 3): with 2 s, rows were scored
        # only when the job was slow to start reading.
        # One round (the rotation and the medians of more are tests/unit/test_bench_meters.py's).
        r = subprocess.run([sys.executable, "-m", "flinkfast.bench", "--events", "2000", "--duration", "5",
                            "--db", bench_db, "--out", str(tmp_path), "--profile", "--peers", "none",
                            "--rounds", "1", "--order-seed", "5"],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        after = flinkrest.running_jobs(cfg, cfg.job_name)
        assert len(after) == 1 and after[0]["jid"] != users_job, "the user's job was resubmitted, once"
    finally:
        for job in flinkrest.running_jobs(cfg, cfg.job_name):
            flinkrest.cancel(cfg, job["jid"])
    assert "Drain of 2,000 preloaded events" in r.stdout
    # A vacuum and a checkpoint before each drain (the warm-up's too), so none pays for its predecessor's.
    after_checkpoints, after_vacuums = _maintenance(cfg, bench_db)
    assert after_checkpoints - before[0] >= len(DRAINS) + 1 and after_vacuums >= len(DRAINS) + 1, (before, after_vacuums)
    [result_file] = tmp_path.glob("*.json")
    result = json.loads(result_file.read_text())
    assert KEYS <= result.keys()
    assert set(result["latency_ms"]) == {"1000", "10000"}
    for figures in result["latency_ms"].values():
        assert {"p50", "p95", "p99", "max"} <= figures.keys() and figures["rows"] > 0
    assert all(result[k] > 0 for k in KEYS if k.endswith("_per_s"))
    # Memory by PSS: each part's peak, and the whole stack's at one instant (at most the parts' peaks added).
    assert {"taskmanager", "kafka", "postgres", "rest"} <= result["peak_pss_mib"].keys()  # rest: JobManager, ZooKeeper
    assert all(v > 0 for v in result["peak_pss_mib"].values())
    assert 0 < result["peak_pss_whole_stack_mib"] <= sum(result["peak_pss_mib"].values()) + 1
    assert "Peak PSS of the whole stack" in r.stdout
    assert result["machine"]["cores"] >= 1
    # CPU per event of each part of the stack, for every contender, read from /proc.
    assert result["settings"]["SINK_MODE"] == "copy"
    assert result["peers"] == [] and result["settings"]["BENCH_PEERS"] == "none"
    # The order: seeded, printed, one round here.
    assert result["rounds"] == 1 and result["order_seed"] == 5 and sorted(result["orders"][0]) == sorted(DRAINS)
    assert "seed 5" in r.stdout and f"round 1/1: {', '.join(result['orders'][0])}" in r.stdout
    for name in DRAINS:
        d = result["drain"][name]
        cpu = d["cpu_us_per_event"]
        assert {"taskmanager", "postgres", "kafka", "client", "rest", "total"} <= cpu.keys(), name
        assert cpu["postgres"] > 0 and cpu["total"] >= cpu["postgres"], (name, cpu)
        # the steady state beside the whole drain, the median of the rounds with its spread, WAL, PSS
        assert d["steady_events_per_s"] > 0 and d["spread"]["events_per_s"] == [d["events_per_s"]] * 2, name
        assert d["steady_from"] == "insert times", name  # the rows' own, not the lagging counters
        assert len(d["rounds"]) == 1 and d["rounds"][0]["events_per_s"] == d["events_per_s"], name
        assert d["wal_bytes"] > 0 and d["wal_fpi"] >= 0 and d["wal_bytes_per_event"] > 0, (name, d)
        assert d["peak_pss_mib"]["total"] > 0 and d["peak_pss_mib"]["postgres"] > 0, name
    assert result["drain"]["copy_parallel"]["connections"] == result["settings"]["FLINK_PARALLELISM"] == 2
    # Each job's submission is metered apart from its drain: its own line, its own CPU.
    for name in ("pipeline", "jdbc_sink", "seed_settings"):
        submission = result["drain"][name]["submission"]
        assert submission["seconds"] > 0 and sum(submission["cpu_s"].values()) > 0, (name, submission)
        # the window from the first task RUNNING (Flink's subtask times), after its deployment and initialization
        assert 0 < submission["deploying_to_running_s"] < submission["seconds"], (name, submission)
    assert "The jobs' submissions, each before its drain's window" in r.stdout
    assert result["drain"]["pipeline"]["cpu_us_per_event"]["taskmanager"] > 0
    assert result["drain"]["naive_consumer"]["cpu_us_per_event"]["client"] > 0
    # The pipeline's warm-up drain: the same topic, every event, reported apart and not compared.
    assert result["warmup"]["events"] == 2000 and result["warmup"]["events_per_s"] > 0
    assert "warm-up" in r.stdout
    # --profile: a flight recording of the TaskManager, reduced to its top frames.
    # (from one more drain of the pipeline, counted in no round's figures)
    assert all("profile" not in r for r in result["drain"]["pipeline"]["rounds"])
    profile = result["profiled_drain"]["profile"]
    assert profile["top_frames"] and all(0 < f["self_pct"] <= 100 for f in profile["top_frames"])
    assert "CPU per event" in r.stdout and "TaskManager CPU profile" in r.stdout
    # and PostgreSQL's, by perf over the same drain (or one line saying why there is none)
    pg = profile["postgres"]
    assert pg.get("top_functions") or pg.get("unavailable"), pg
    assert "PostgreSQL CPU profile" in r.stdout
    [png] = tmp_path.glob("*.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
