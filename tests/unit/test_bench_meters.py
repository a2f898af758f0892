"""The benchmark's meters as pure functions (flinkfast/bench/meters.py): the steady-state window,
the median and spread over rounds, the rounds' order, CPU over a window and PSS from smaps_rollup.
The bench itself runs end to end in tests/e2e/test_bench_e2e.py (make test-long)."""
from flinkfast.bench.meters import (Sample, cpu_us_per_event, figures, job_started, orders, parse_pss_kib, peak_pss_mib, rate_over,
                                    steady_rate, steady_window, summarize)

SMAPS_ROLLUP = """55e4bfc78000-7ffd8fc71000 ---p 00000000 00:00 0                          [rollup]
Rss:              812340 kB
Pss:              301228 kB
Pss_Dirty:        120116 kB
Pss_Anon:         116000 kB
Pss_File:          86000 kB
Pss_Shmem:         99228 kB
Shared_Clean:       1488 kB
Shared_Dirty:     600000 kB
Private_Clean:        40 kB
Private_Dirty:    116116 kB
Swap:                  0 kB
SwapPss:               0 kB
"""


def test_pss_is_the_pss_line_not_rss_nor_its_parts():
    assert parse_pss_kib(SMAPS_ROLLUP) == 301228
    assert parse_pss_kib("Rss: 5 kB\n") == 0


def test_steady_state_is_the_middle_80_percent_of_the_rows():
    # A slow start (100 rows in the first 10 s), then 100 rows/s, then a slow tail.
    points = [(0, 0), (10, 100), (18, 900), (30, 1000)]
    t10, t90 = steady_window(points, 1000)
    assert (t10, t90) == (10, 18)
    assert steady_rate(points, 1000) == 100  # 800 rows in 8 s; the whole drain is 1000 / 30 = 33
    # interpolated between the progress points
    assert steady_window([(0, 0), (10, 1000)], 1000) == (1.0, 9.0)
    assert steady_rate([(0, 0), (10, 1000)], 1000) == 100


def test_steady_state_counts_rows_once_and_needs_the_whole_middle():
    # counters seen past n (replays counted too) are clamped; a dip is never counted backwards
    assert steady_window([(0, 0), (5, 600), (6, 500), (10, 1500)], 1000) == (5 * 100 / 600, 6 + 4 * 300 / 400)
    assert steady_rate([(0, 500), (10, 1000)], 1000) is None, "started past 10 %: no steady window"
    assert steady_rate([(0, 0), (10, 800)], 1000) is None, "never reached 90 %"
    assert steady_rate([(3, 0)], 1000) is None


def test_the_steady_state_is_read_from_the_rows_insert_times_when_there_are_any():
    # The counters (the samples' rows) lag: they saw 10 % at t=12 and 90 % at t=19 (800 rows in 7 s: 114/s),
    # where the rows' own insert times say 10 and 18 (800 in 8 s: 100/s).
    samples = [Sample(0, 0, {"postgres": 0.0}), Sample(12, 100, {"postgres": 12.0}),
               Sample(19, 900, {"postgres": 40.0}), Sample(30, 1000, {"postgres": 62.0})]
    exact = figures(samples, 1000, 0, 30, inserted=(10.0, 18.0))
    assert exact["steady_events_per_s"] == 100 and exact["steady_from"] == "insert times"
    assert exact["events_per_s"] == 33 and exact["seconds"] == 30
    assert exact["cpu_us_per_event"] == {"postgres": 62000.0, "total": 62000.0}, "the whole window's CPU"
    # CPU over the steady span too, per row of it: 10 s at 1 CPU-s/s (10..12), 6 s at 4 CPU-s/s (12..18)
    assert exact["steady_cpu_us_per_event"]["postgres"] == round((2 + 6 * 4) / 800 * 1e6, 1)
    counters = figures(samples, 1000, 0, 30)
    assert counters["steady_events_per_s"] == 114 and counters["steady_from"] == "progress samples"
    assert figures(samples, 1000, 0, 30, inserted=(5.0, 5.0))["steady_from"] == "progress samples", "an empty span"
    assert rate_over((10, 18), 1000) == 100 and rate_over(None, 1000) is None and rate_over((3, 3), 1000) is None


def test_cpu_is_metered_over_the_window_only():
    # 14 s of submission at 1 CPU-second a second, then 10 s of drain at 2 CPU-seconds a second.
    samples = [Sample(0, 0, {"taskmanager": 0.0}), Sample(14, 0, {"taskmanager": 14.0}),
               Sample(24, 1000, {"taskmanager": 34.0})]
    assert cpu_us_per_event(samples, 14, 24, 1000) == {"taskmanager": 20000.0, "total": 20000.0}
    # and interpolated between samples
    assert cpu_us_per_event(samples, 19, 24, 1000)["total"] == 10000.0


def test_a_jobs_window_starts_when_its_first_task_runs_not_when_it_deploys():
    # Flink's REST record: two vertices deploying from t=100 s; their subtasks RUNNING at 101.5, 101.2, 102.
    vertices = [{"id": "a", "start-time": 100_000}, {"id": "b", "start-time": 100_300}]
    subtasks = [{"subtask": 0, "timestamps": {"DEPLOYING": 100_000, "INITIALIZING": 100_400, "RUNNING": 101_500}},
                {"subtask": 1, "timestamps": {"DEPLOYING": 100_100, "INITIALIZING": 100_500, "RUNNING": 101_200}},
                {"subtask": 0, "timestamps": {"DEPLOYING": 100_300, "RUNNING": 102_000}}]
    assert job_started(vertices, subtasks) == (100.0, 101.2)
    # a subtask not running yet (RUNNING 0) does not count; none running: the deployment's start
    assert job_started(vertices, [{"timestamps": {"RUNNING": 0}}, {"timestamps": {"DEPLOYING": 100_000}}]) == (100.0,
                                                                                                              100.0)
    assert job_started([{"start-time": -1}, *vertices], subtasks)[0] == 100.0, "a vertex not started yet"


def test_peak_pss_is_the_largest_sum_at_one_instant():
    samples = [Sample(0, 0, {}, {"postgres": 2048, "taskmanager": 1024}),
               Sample(1, 0, {}, {"postgres": 1024, "taskmanager": 4096}),
               Sample(2, 0, {}, {}),  # a sample without memory (PSS is read once a second)
               Sample(9, 0, {}, {"postgres": 9999 * 1024})]  # outside the window
    assert peak_pss_mib(samples, 0, 2) == {"postgres": 2.0, "taskmanager": 4.0, "total": 5.0}
    assert peak_pss_mib(samples, 3, 4)["total"] == 5.0, "no sample inside: the nearest one (t=1)"


def test_orders_come_in_pairs_a_seeded_shuffle_then_its_reverse():
    names = ["pipeline", "jdbc_sink", "seed_settings", "naive_consumer", "copy_ceiling", "copy_parallel", "pathway"]
    plan = orders(names, 3, seed=7)
    assert len(plan) == 3 and all(sorted(order) == sorted(names) for order in plan)
    assert plan == orders(names, 3, seed=7), "the same seed, the same order"
    assert orders(names, 1, seed=7)[0] == plan[0] and orders(names, 2, seed=7) == plan[:2]
    assert {tuple(orders(names, 1, seed=s)[0]) for s in range(20)} != {tuple(plan[0])}, "the seed matters"
    # A pair of rounds: every contender at the same mean place (a drift over the run weighs on all alike) ...
    pair = plan[:2]
    places = {name: sum(order.index(name) for order in pair) / 2 for name in names}
    assert set(places.values()) == {(len(names) - 1) / 2}, places
    # ... and after another predecessor in each round
    before = [{order[i]: order[i - 1] for i in range(1, len(order))} for order in pair]
    assert all(before[0].get(k) != before[1].get(k) for k in names), before
    assert plan[2] != plan[0] and plan[2] != plan[1], "an odd last round: a new shuffle"
    assert orders(["a", "b"], 2, seed=1)[0] == orders(["a", "b"], 2, seed=1)[1][::-1]
    assert orders([], 2, seed=1) == [[], []]


def test_summary_is_the_median_with_its_spread():
    runs = [{"events_per_s": 100, "steady_events_per_s": 130, "cpu_us_per_event": {"total": 50.0}, "settings": "x"},
            {"events_per_s": 300, "steady_events_per_s": 310, "cpu_us_per_event": {"total": 40.0}, "settings": "x"},
            {"events_per_s": 120, "steady_events_per_s": 150, "cpu_us_per_event": {"total": 70.0}, "settings": "x"}]
    s = summarize(runs)
    assert s["events_per_s"] == 120 and s["steady_events_per_s"] == 150 and s["cpu_us_per_event"]["total"] == 50.0
    assert s["spread"] == {"events_per_s": [100, 300], "steady_events_per_s": [130, 310]}
    assert s["settings"] == "x" and s["rounds"] == runs
    two = summarize(runs[:2])
    assert two["events_per_s"] == 200 and isinstance(two["events_per_s"], int)
    # a round without a steady window (too short to sample) leaves the steady spread out, not wrong
    short = summarize([{"events_per_s": 10, "steady_events_per_s": None}, {"events_per_s": 20, "steady_events_per_s": 30}])
    assert short["spread"] == {"events_per_s": [10, 20]}
