"""`make bench-growth`'s verdict and per-step figures as pure functions (flinkfast/bench/growth.py):
the least-squares line against an independent one (numpy's), the warm-up never fitted, one noisy
step not deciding the verdict, a step's WAL and buffer figures from two readings, and the table
and plot written. The run itself is tests/e2e/test_growth_e2e.py (make test-long)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from flinkfast.bench.growth import FLAT, fit_line, plot, step_io, table, trend

STEP = 1_000_000


def steps_of(costs: list[float]) -> list[dict]:
    """Steps of a million rows each, with these whole-stack costs (µs per event)."""
    return [{"rows_before": i * STEP, "rows_after": (i + 1) * STEP, "seconds": 12.0, "events_per_s": 80_000,
             "cpu_us_per_event": {"total": c, "postgres": c * 0.6, "taskmanager": c * 0.2, "kafka": c * 0.1},
             "table_bytes": (i + 1) * 400 * 2 ** 20, "wal_bytes_per_event": 600.0, "wal_fpi": 50,
             "wal_fpi_per_1k_events": 0.05, "buffer_hit_ratio": 0.99} for i, c in enumerate(costs)]


@given(st.lists(st.tuples(st.integers(0, 10 ** 7), st.floats(1, 200)), min_size=2, max_size=12,
                unique_by=lambda p: p[0]))
def test_the_line_is_the_least_squares_line(points):
    xs, ys = [float(p[0]) for p in points], [p[1] for p in points]
    intercept, slope = fit_line(xs, ys)
    want_slope, want_intercept = np.polyfit(xs, ys, 1)  # the oracle: numpy's own least squares
    assert slope == pytest.approx(want_slope, rel=1e-6, abs=1e-9)
    assert intercept == pytest.approx(want_intercept, rel=1e-6, abs=1e-6)


def test_a_line_needs_two_different_xs():
    with pytest.raises(ValueError):
        fit_line([1.0], [2.0])
    with pytest.raises(ValueError):
        fit_line([1.0, 1.0], [2.0, 3.0])


def test_one_noisy_step_does_not_decide_the_verdict():
    # A flat cost, 40 µs, with one noisy step: step 2 14 % cheap (the case the issue saw, read as
    # growth by the last step against step 2), or the last step 15 % dear. The line over steps
    # 2-10 moves by about half as much, within the bound.
    for costs in ([60.0, 34.4] + [40.0] * 8, [60.0] + [40.0] * 8 + [46.0]):
        line = trend(steps_of(costs), 1)
        assert line["steps"] == [2, 10]
        assert 0 < line["rise"] < FLAT and line["within"] is True
        assert line["rise"] < (costs[-1] / costs[1] - 1) * 0.6
    # A noisy step in the middle does not tilt it at all.
    assert trend(steps_of([60.0] + [40.0] * 4 + [46.0] + [40.0] * 4), 1)["rise"] == pytest.approx(0.0)


def test_a_steady_rise_is_not_within_the_bound():
    costs = [60.0] + [40.0 + 1.0 * i for i in range(9)]  # +1 µs a million rows: +20 % over steps 2-10
    line = trend(steps_of(costs), 1)
    assert line["start_us"] == pytest.approx(40.0) and line["end_us"] == pytest.approx(48.0)
    assert line["rise"] == pytest.approx(0.2) and line["within"] is False
    assert line["us_per_million_rows"] == pytest.approx(1.0)


def test_a_falling_cost_is_within_the_bound():
    line = trend(steps_of([60.0] + [50.0 - i for i in range(9)]), 1)
    assert line["rise"] < 0 and line["within"] is True


def test_the_warm_up_is_never_fitted():
    # A slow first step (a cold JIT) ahead of a flat run: left out, the line is flat.
    line = trend(steps_of([400.0] + [40.0] * 9), 1)
    assert line["rise"] == pytest.approx(0.0) and line["start_us"] == pytest.approx(40.0)


def test_too_few_steps_give_no_line():
    assert trend(steps_of([60.0, 40.0]), 1) is None
    assert trend(steps_of([60.0]), 0) is None


def test_the_line_is_against_each_steps_middle():
    # Steps of different sizes (they end where the counters were first seen past the target):
    # the cost at 1.5M and 4M rows, not at the steps' ends.
    steps = steps_of([50.0, 40.0, 45.0])
    steps[1]["rows_after"] = steps[2]["rows_before"] = 2 * STEP
    steps[2]["rows_after"] = 6 * STEP
    line = trend(steps, 1)
    assert line["us_per_million_rows"] == pytest.approx(5.0 / 2.5)


def test_a_steps_wal_and_buffers_come_from_its_two_readings():
    before = {"table_bytes": 100, "wal_lsn": 10_000, "wal_fpi": 7, "blks_hit": 900, "blks_read": 100}
    after = {"table_bytes": 900, "wal_lsn": 610_000, "wal_fpi": 57, "blks_hit": 10_800, "blks_read": 200}
    io = step_io(before, after, 1000)
    assert io == {"table_bytes": 900, "wal_bytes_per_event": 600.0, "wal_fpi": 50, "wal_fpi_per_1k_events": 50.0,
                  "buffer_hit_ratio": 0.99}
    assert step_io(after, after, 1000)["buffer_hit_ratio"] is None  # nothing read: no ratio, not 0 % or 100 %


def result_of(costs: list[float]) -> dict:
    steps = steps_of(costs)
    return {"events": len(costs) * STEP, "step": STEP, "steps": steps, "reference_step": 1,
            "last_vs_reference": round(costs[-1] / costs[1] - 1, 3), "trend": trend(steps, 1),
            "machine": {"cpu": "a test CPU", "cores": 2}}


def test_the_table_says_the_fitted_verdict_and_every_steps_io():
    text = table(result_of([60.0] + [40.0 + i for i in range(9)]))
    assert "the line fitted to steps 2-10: 40.0 -> 48.0 µs/event, +20.0% (NOT within the bound, +10%)" in text
    assert "(warm-up)" in text and text.count("99.0%") == 10 and "WAL B/ev" in text
    assert "no verdict" in table({**result_of([60.0, 40.0]), "trend": None})


def test_the_plot_is_written(tmp_path):
    path = tmp_path / "growth.png"
    plot(result_of([60.0] + [40.0] * 9), path)
    assert path.read_bytes()[:4] == b"\x89PNG"
