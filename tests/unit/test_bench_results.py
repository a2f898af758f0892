"""The benchmark's table (flinkfast/bench/results.py) from a result as `make bench` writes it: each
job's submission on a line of its own, apart from the figures of its drain's window."""
from flinkfast.bench.results import table


def _drain(rate: int, steady: int, submission: float | None = None) -> dict:
    out = {"events_per_s": rate, "steady_events_per_s": steady, "seconds": 1000 / rate, "spread":
           {"events_per_s": [rate - 10, rate + 10]}, "cpu_us_per_event": {"postgres": 20.0, "total": 50.0},
           "wal_bytes": 2 ** 20, "wal_bytes_per_event": 1048.6, "wal_fpi": 12, "peak_pss_mib": {"total": 2048.0}}
    if submission is not None:
        out["submission"] = {"seconds": submission, "cpu_s": {"taskmanager": 1.5, "client": 6.25}}
    return out


def test_each_jobs_submission_is_a_line_of_its_own_not_in_its_drains_figures():
    result = {"events": 1000, "rounds": 2, "order_seed": 5, "machine": {"cores": 2, "cpu": "a CPU"},
              "settings": {"SINK_MODE": "copy", "FLINK_PARALLELISM": 2},
              "drain": {"pipeline": _drain(500, 600, 14.2), "jdbc_sink": _drain(400, 450, 13.1),
                        "seed_settings": _drain(100, 110, 12.0), "naive_consumer": _drain(200, 210),
                        "copy_ceiling": _drain(900, 950)},
              "warmup": _drain(300, 350, 15.5), "latency_ms": {}}
    text = table(result)
    lines = text.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("The jobs' submissions")))
    block = lines[start + 1:start + 5]
    assert [line.strip().split("  ")[0] for line in block] == ["Flink pipeline (copy sink)",
                                                              "Flink pipeline, Flink's JDBC sink instead",
                                                              "Flink, original settings (100 rows/2 s, p=1)",
                                                              "(warm-up)"], block
    assert "14.2 s" in block[0] and "taskmanager 1.5, client 6.2, total 7.8" in block[0]
    assert "13.1 s" in block[1] and "12.0 s" in block[2] and "15.5 s" in block[3]
    assert not any("plain Python consumer" in line or "COPY ceiling" in line for line in block), "no job, no submission"
    # the drain's own line: the median and its spread, the steady rate beside it
    [row] = [line for line in lines if line.startswith("  Flink pipeline (copy sink)") and "490-510" in line]
    assert "600" in row


PERF_REPORT = """# To display the perf.data header info, please use --header/--header-only options.
#
# Total Lost Samples: 0
#
# Samples: 12K of event 'cpu-clock'
# Event count (approx.): 41000000
#
# Overhead  Shared Object         Symbol
# ........  ....................  ..............................
#
    11.20%  postgres              [.] hash_search_with_hash_value
     3.05%  [kernel.kallsyms]     [k] copy_user_enhanced_fast_string
    24.50%  postgres              [.] _bt_compare                            -      -
     0.40%  libc.so.6             [.] __memcmp_avx2_movbe
"""


def test_perf_report_lines_become_functions_hottest_first():
    from flinkfast.bench.profile import parse_perf_report
    top = parse_perf_report(PERF_REPORT)
    assert [f["function"] for f in top] == ["_bt_compare", "hash_search_with_hash_value",
                                           "copy_user_enhanced_fast_string", "__memcmp_avx2_movbe"]
    assert top[0] == {"function": "_bt_compare", "dso": "postgres", "self_pct": 24.5}
    assert top[2]["dso"] == "[kernel.kallsyms]"
    assert parse_perf_report("# only comments\n\n") == []


def test_the_table_shows_postgresqls_profile_or_why_there_is_none():
    from flinkfast.bench.profile import parse_perf_report
    base = {"events": 1000, "rounds": 1, "order_seed": 5, "machine": {"cores": 2, "cpu": "a CPU"},
            "settings": {"SINK_MODE": "copy", "FLINK_PARALLELISM": 2}, "warmup": _drain(300, 350, 15.5),
            "latency_ms": {}}
    pipeline = _drain(500, 600, 14.2)
    profiled = {"profile": {"top_frames": [], "postgres": {"top_functions": parse_perf_report(PERF_REPORT)}}}
    text = table({**base, "drain": {"pipeline": pipeline, "copy_ceiling": _drain(900, 950)}, "profiled_drain": profiled})
    assert "PostgreSQL CPU profile during the pipeline's profiled drain" in text
    assert "24.5%  _bt_compare (postgres)" in text
    profiled["profile"] = {"top_frames": [], "postgres": {"unavailable": "perf is not installed"}}
    text = table({**base, "drain": {"pipeline": pipeline, "copy_ceiling": _drain(900, 950)}, "profiled_drain": profiled})
    assert "PostgreSQL CPU profile: none (perf is not installed)" in text


def test_perf_records_a_busy_process_and_finds_its_hot_function(tmp_path):
    """The real perf, the whole machine on the CPU clock for a moment: a Python loop is found
    among python's own functions. (Skipped where perf is missing or the kernel refuses it: the
    benchmark then says why in its JSON.)"""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    from flinkfast.bench.profile import PerfRecording
    if not shutil.which("perf"):
        pytest.skip("perf is not installed")
    recording = PerfRecording(tmp_path / "p.data")
    with recording:
        busy = subprocess.Popen([sys.executable, "-c", "x = 0\nfor i in range(6_000_000): x += i * i"])
        comm = Path(f"/proc/{busy.pid}/comm").read_text().strip()
        assert busy.wait(timeout=120) == 0
    if recording.why_not:
        pytest.skip(f"perf cannot record here: {recording.why_not}")
    found = recording.top(comm=comm, n=50)
    assert found["top_functions"], found
    assert sum(f["self_pct"] for f in found["top_functions"]) <= 100.5
    assert any("Eval" in f["function"] or "Long" in f["function"] for f in found["top_functions"]), found
