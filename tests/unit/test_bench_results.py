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
