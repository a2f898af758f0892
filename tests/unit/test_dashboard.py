"""The dashboard without services: its command line, its static files, its metrics from a
hand-made snapshot (like test_report.py's hand-made rows). The real thing: test_dashboard_e2e.py."""
import re
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

from flinkfast import config
from flinkfast.paths import REPO_ROOT
from flinkfast.dashboard import metrics, server


def test_help_has_an_example_and_env_names():
    r = subprocess.run([sys.executable, "-m", "flinkfast.dashboard", "--help"], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "example" in r.stdout.lower() and re.search(r"\[env\s+DASHBOARD_PORT;", r.stdout)


def test_defaults():
    cfg = config.load(env={}, dotenv_path=REPO_ROOT / "tests" / "no-such.env")
    assert cfg.dashboard_port == 8050 and cfg.dashboard_window_s == 300 and cfg.flink_prometheus_ports == ""


def test_charts_come_from_the_installed_plotly_package_not_a_cdn():
    js = server.plotly_js()
    assert js.name == "plotly.min.js" and "site-packages" in str(js) and js.stat().st_size > 1_000_000
    page = (server.STATIC / "index.html").read_text()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/static/plotly.min.js", "/static/dashboard.js"]
    assert "http" not in " ".join(scripts) + (server.STATIC / "dashboard.js").read_text().split("location")[0]
    for element_id in ("rows-total", "latency-p50", "latency-p99", "events-per-s", "dead-letters-total",
                       "consumer-lag", "job-state", "banner"):
        assert f'id="{element_id}"' in page


class FakePoller:
    def __init__(self, snap):
        self.snap = snap

    def snapshot(self, window_s=None):
        return self.snap


def test_metrics_render_a_snapshot_as_prometheus_text():
    snap = {"sources": {"postgres": {"ok": True}, "flink": {"ok": False}}, "window": {"seconds": 300},
            "headline": {"rows_total": 10, "dead_letters_total": 1, "events_per_s": 2.5, "dead_letters_per_s": 0.1},
            "latency": {"stages": {"kafka_to_postgres": {"p50_ms": 120.0, "p90_ms": 200.0, "p95_ms": 250.0,
                                                         "p99_ms": 900.0, "max_ms": 1500.0}}},
            "lag": {"pending_records": 5, "committed_lag": 7, "brokers": 3, "replicas": 3, "in_sync": 2},
            "job": {"name": "j", "state": "FAILED", "restarts": 3, "taskmanagers": 1, "last_checkpoint": {"at_ms": 1000}}}
    text = metrics.render(metrics.registry(FakePoller(snap))).decode()
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    assert all(n.startswith("flinkfast_") for n in fams)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in fams.values() for s in f.samples}
    assert samples[("flinkfast_latency_seconds", (("quantile", "0.99"), ("stage", "kafka_to_postgres")))] == 0.9
    assert samples[("flinkfast_source_up", (("source", "flink"),))] == 0
    assert samples[("flinkfast_job_state", (("job", "j"), ("state", "FAILED")))] == 1
    assert samples[("flinkfast_job_state", (("job", "j"), ("state", "RUNNING")))] == 0
    assert samples[("flinkfast_consumer_lag_records", (("kind", "committed_offsets"),))] == 7
    assert samples[("flinkfast_job_restarts", ())] == 3
    assert samples[("flinkfast_kafka_brokers", ())] == 3 and samples[("flinkfast_topic_in_sync_replicas", ())] == 2


def test_grafana_dashboard_is_generated_from_the_report_sql():
    import json
    from flinkfast.dashboard import grafana
    on_disk = json.loads((REPO_ROOT / "docs" / "grafana-dashboard.json").read_text())
    assert on_disk == grafana.dashboard(), "regenerate: python -m flinkfast.dashboard.grafana > docs/grafana-dashboard.json"
    for panel in on_disk["panels"]:
        for target in panel["targets"]:
            assert "$__timeFrom()" in target["rawSql"] or "LIMIT" in target["rawSql"], panel["title"]


# ----------------------------------------------------------------------------- the window's figures
# window_figures is the pure step between the per-second rows and the page. The oracle below counts
# by integer offsets from `now` (no datetimes, no dict lookups by second), independently of it.

import datetime as dt  # noqa: E402

from hypothesis import given, strategies as st  # noqa: E402

from flinkfast.dashboard.snapshot import RATE_S, window_figures  # noqa: E402

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.timezone.utc)
_offsets = st.dictionaries(st.integers(min_value=-1, max_value=1000),  # -1: a second ahead of `now`
                           st.fixed_dictionaries({"rows": st.integers(0, 20_000), "dead_letters": st.integers(0, 50)}),
                           max_size=60)


@given(per_offset=_offsets, window_s=st.sampled_from([1, 10, 60, 300, 900]))
def test_window_figures_count_what_the_window_holds(per_offset, window_s):
    per_second = {NOW - dt.timedelta(seconds=k): dict(v) for k, v in per_offset.items()}
    got = window_figures(NOW, window_s, per_second, None)
    # The oracle: offsets 1..window_s are the window's complete seconds, offset 0 (and later) the
    # current partial one, which the totals count and the series do not.
    in_window = [v for k, v in per_offset.items() if k <= window_s]
    assert got["headline"]["rows_total"] == sum(v["rows"] for v in in_window)
    assert got["headline"]["dead_letters_total"] == sum(v["dead_letters"] for v in in_window)
    last = [per_offset.get(k, {}).get("rows", 0) for k in range(1, RATE_S + 1)]
    assert got["headline"]["events_per_s"] == sum(last) / RATE_S
    series = got["series"]
    assert len(series["t_ms"]) == len(series["rows"]) == window_s
    assert series["rows"] == [per_offset.get(k, {}).get("rows", 0) for k in range(window_s, 0, -1)]
    assert series["t_ms"][-1] - series["t_ms"][0] == (window_s - 1) * 1000
    assert got["since"] == NOW - dt.timedelta(seconds=window_s)
    assert got["headline"]["latency_p99_ms"] is None and got["latency"]["since"] is None


def test_window_figures_take_the_percentiles_of_their_window():
    stats = {"since": NOW - dt.timedelta(seconds=61), "as_of": NOW - dt.timedelta(seconds=1), "took_s": 0.2,
             "latency": {"kafka_to_postgres": {"p50_ms": 120.0, "p95_ms": 300.0, "p99_ms": 410.5, "max_ms": 900.0}}}
    got = window_figures(NOW, 60, {}, stats)
    h = got["headline"]
    assert (h["latency_p50_ms"], h["latency_p95_ms"], h["latency_p99_ms"], h["latency_max_ms"]) == (120.0, 300.0, 410.5, 900.0)
    # The percentiles say which window they are of: it may trail the per-second one.
    assert got["latency"]["since"] == stats["since"] != got["since"] and got["latency"]["query_s"] == 0.2
    assert h["rows_total"] == 0 and h["events_per_s"] == 0


def test_stopping_the_poller_waits_a_bounded_time_for_a_stuck_source(monkeypatch):
    """`kill PID` stops the dashboard: Poller.stop asks both its threads at once and waits
    STOP_S in all, even when one is stuck in a source (a Kafka request, a slow query). Each
    waited 15 s one after the other before, and a CI run's dashboard outlived its 30 s to stop."""
    import threading
    from flinkfast.dashboard import pgsource, snapshot
    stuck = threading.Event()
    monkeypatch.setattr(snapshot.Poller, "poll_once", lambda self: stuck.wait())
    monkeypatch.setattr(pgsource.WindowPercentiles, "_run", lambda self: stuck.wait())
    poller = snapshot.Poller(config.load(env={}, dotenv_path=REPO_ROOT / "tests" / "no-such.env")).start()
    done = threading.Thread(target=poller.stop, daemon=True)
    done.start()
    done.join(20)
    stuck.set()
    assert not done.is_alive(), "Poller.stop waited for a stuck thread"
