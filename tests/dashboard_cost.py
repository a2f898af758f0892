"""The dashboard's own cost while events flow: RSS and CPU of the dashboard process, and CPU of its
PostgreSQL sessions, with one browser tab open (docs/monitoring.md's figures).

    python -m tests.dashboard_cost --rate 10000 --seconds 420

A maintainer's measurement, not part of the package: the tab is Debian's Chromium driven by
Playwright, which only the tests need (requirements-dev.txt; `make test` installs chromium).
Needs the stack up and the job running (make up && make submit). Produces generated events to
KAFKA_TOPIC at --rate, starts the dashboard (DASHBOARD_PORT) and the tab on it, and prints one
JSON line every --every seconds; the last lines, once the window is full, are the steady state.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from flinkfast import config
from flinkfast.events import producer
from flinkfast.errors import run
from flinkfast.paths import REPO_ROOT
from flinkfast.stack.process import cpu_ticks, memory_kib
from tests.helpers import chromium

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.dashboard_cost", description=__doc__.split("\n\n")[0],
                                     epilog="example: python -m tests.dashboard_cost --rate 10000 --seconds 420")
    parser.add_argument("--rate", type=float, default=10000, help="events/s to produce (default 10000)")
    parser.add_argument("--seconds", type=float, default=420, help="how long (default 420: the 5-min window fills)")
    parser.add_argument("--every", type=float, default=30, help="seconds between samples (default 30)")
    config.add_flags(parser, "DASHBOARD_PORT", "KAFKA_TOPIC")
    args = parser.parse_args()
    cfg = config.from_args(args)
    url = f"http://127.0.0.1:{cfg.dashboard_port}"
    dash = subprocess.Popen([sys.executable, "-m", "flinkfast.dashboard"], cwd=REPO_ROOT,
                            env=dict(os.environ, **cfg.as_env()), stdout=subprocess.DEVNULL)
    stop_at = time.monotonic() + args.seconds

    def events():
        for e in producer.generate_events(None):
            if time.monotonic() > stop_at:
                return
            yield e

    flow = threading.Thread(target=producer.produce, args=(cfg, events()), kwargs={"rate": args.rate, "progress": False},
                            daemon=True)
    flow.start()
    from flinkfast.accounting.report import connect
    try:
        time.sleep(3)
        with chromium() as browser, connect(cfg) as conn:
            browser.new_page().goto(url)
            conn.autocommit = True
            with conn.cursor() as cur:
                time.sleep(2)  # both sessions: the poller's and the window percentiles'
                cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'flinkfast-dashboard%'")
                backends = [row[0] for row in cur.fetchall()]

            def pg_cpu_s():
                return sum(cpu_ticks(b) for b in backends if Path(f"/proc/{b}").exists()) * TICK_S

            last = (time.monotonic(), cpu_ticks(dash.pid) * TICK_S, pg_cpu_s())
            while time.monotonic() < stop_at:
                time.sleep(args.every)
                now = (time.monotonic(), cpu_ticks(dash.pid) * TICK_S, pg_cpu_s())
                wall = now[0] - last[0]
                snap = json.loads(urllib.request.urlopen(url + "/api/snapshot", timeout=10).read())
                rss, peak = memory_kib(dash.pid)
                print(json.dumps({
                    "t_s": round(args.seconds - (stop_at - now[0])), "rows_in_window": snap["headline"].get("rows_total"),
                    "events_per_s": snap["headline"].get("events_per_s"),
                    "dashboard_cpu_pct": round(100 * (now[1] - last[1]) / wall, 1),
                    "postgres_sessions_cpu_pct": round(100 * (now[2] - last[2]) / wall, 1),
                    "dashboard_rss_mib": round(rss / 1024, 1), "dashboard_peak_rss_mib": round(peak / 1024, 1),
                    "window_percentiles_query_s": snap["latency"].get("query_s"),
                    "poll_s": snap["poller"]["last_poll_s"]}), flush=True)
                last = now
    finally:
        dash.terminate()
        dash.wait(timeout=20)
    return 0


if __name__ == "__main__":
    run(main, "dashboard_cost")
