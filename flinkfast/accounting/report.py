"""The latency report: the queries in sql/report/, run with psycopg2, printed or as JSON.

The SQL files are the source of truth (psql -f sql/report/latency.sql prints the same figures);
this module only runs them and lays out the results.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from pathlib import Path

from flinkfast.clients import pg_connect as connect  # noqa: F401 - callers say report.connect
from flinkfast.paths import SQL_DIR
from flinkfast.pipeline.sqlfiles import query, strip_comments

SECTIONS = {
    "latest": "001_latest.sql",
    "summary": "002_summary.sql",
    "latency": "003_latency_percentiles.sql",
    "buckets": "004_latency_buckets.sql",
    "recent": "005_throughput_recent.sql",
    "lost": "010_lost_recorded.sql",
}


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _rows(cur) -> list[dict]:
    names = [c.name for c in cur.description]
    return [{n: _plain(v) for n, v in zip(names, row)} for row in cur.fetchall()]


def scope(cur, since: dt.datetime | str | None, window_s: float = 60,
          until: dt.datetime | str | None = None) -> None:
    """The session's scope: the schema's report_rows view (sql/postgres/001_schema.sql) reads
    flinkfast.since and flinkfast.until when a query runs; 005_throughput_recent.sql reads
    flinkfast.window_s."""
    cur.execute("SELECT set_config('flinkfast.since', %s, false), set_config('flinkfast.until', %s, false), "
                "set_config('flinkfast.window_s', %s, false)",
                (str(since) if since else "", str(until) if until else "", str(window_s)))


REPORT_ROWS = re.compile(r"^CREATE OR REPLACE VIEW report_rows\b[^\n]* AS\n(.*?);$", re.M | re.S)


def report_rows_select() -> str:
    """The SELECT of the report_rows view, as sql/postgres/001_schema.sql defines it: Grafana inlines
    it as a CTE (flinkfast.dashboard.grafana), tests make a copy of the view over tables of their own."""
    found = REPORT_ROWS.search(strip_comments((SQL_DIR / "postgres" / "001_schema.sql").read_text()))
    if not found:
        raise ValueError("sql/postgres/001_schema.sql defines no report_rows view")
    return found.group(1)


def collect(conn, since=None, window_s: float = 60, until=None) -> dict:
    """Every section of the report as plain data (the --json output)."""
    with conn.cursor() as cur:
        scope(cur, since, window_s, until)
        out = {}
        for name, file in SECTIONS.items():
            cur.execute(query(f"report/{file}"))
            out[name] = _rows(cur)
    out["summary"] = out["summary"][0]
    out["recent"] = out["recent"][0]
    out["lost"] = out["lost"][0]
    out["latency"] = {row.pop("stage"): row for row in out["latency"]}
    out["since"] = _plain(since) if since else None
    out["until"] = _plain(until) if until else None
    return out


def series(conn, since=None) -> list[tuple[dt.datetime, float]]:
    with conn.cursor() as cur:
        scope(cur, since, 60)
        cur.execute(query("report/006_latency_series.sql"))
        return [(ts, float(ms)) for ts, ms in cur.fetchall()]


def _num(v, fmt="{:,.1f}") -> str:
    return "-" if v is None else fmt.format(v)


def format_text(report: dict) -> str:
    s, lines = report["summary"], []
    scope_text = " ".join(f"{k} {report[k]}" for k in ("since", "until") if report.get(k)) or "all rows"
    lines.append(f"Latency report ({scope_text})")
    lines.append(f"  rows            {s['total_rows']:,}")
    lines.append(f"  first Kafka ts  {s['first_kafka_timestamp'] or '-'}")
    lines.append(f"  last insert     {s['last_postgres_timestamp'] or '-'}")
    lines.append(f"  throughput      {_num(s['events_per_s'])} events/s, {_num(s['events_per_min'], '{:,.0f}')} events/min "
                 f"over {_num(s['elapsed_s'])} s (first Kafka timestamp to last insert)")
    r = report["recent"]
    lines.append(f"  last {r['window_s']:g} s       {r['rows']:,} rows inserted = {_num(r['events_per_s'])} events/s "
                 "over that window (counted back from the last insert)")
    lost = report.get("lost") or {}
    if lost.get("messages"):
        lines.append(f"  lost, recorded  {lost['messages']:,} messages in {lost['ranges']:,} range(s), deleted from the "
                     "topic before the job read them (`flinkfast lost`)")
    lines.append("")
    lines.append(f"  {'stage':<20}{'p50':>10}{'p90':>10}{'p95':>10}{'p99':>10}{'max':>10}   (ms)")
    for stage, row in report["latency"].items():
        lines.append(f"  {stage:<20}" + "".join(f"{_num(row[k]):>10}" for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms")))
    lines.append("")
    lines.append("  latency buckets")
    total = max(1, sum(b["rows"] for b in report["buckets"]))
    for b in report["buckets"]:
        bar = "#" * round(40 * b["rows"] / total)
        lines.append(f"  {b['bucket']:<14}{b['rows']:>10,} {_num(b['percent']):>6}%  {bar}")
    if report["latest"]:
        lines.append("")
        lines.append("  latest rows")
        for row in report["latest"][:5]:
            lines.append(f"  {row['uuid']}  {row['first_name']} {row['last_name']} ({row['country']}, {row['age']}, "
                         f"born {row['birth_year']})  {_num(row['latency_ms'], '{:,.0f}')} ms")
    return "\n".join(lines)


def plot(points: list[tuple[dt.datetime, float]], path: Path, title: str = "flinkfast latency") -> None:
    """Latency distribution and latency over time, side by side, in one PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (hist, over_time) = plt.subplots(1, 2, figsize=(12, 4.5))
    values = [ms for _, ms in points]
    hist.hist(values, bins=60, color="#3b75af")
    hist.set_xlabel("Kafka → PostgreSQL latency (ms)")
    hist.set_ylabel("rows")
    hist.set_title("distribution")
    over_time.plot([ts for ts, _ in points], values, ".", markersize=2, color="#e1812c")
    over_time.set_xlabel("insert time (UTC)")
    over_time.set_ylabel("latency (ms)")
    over_time.set_title("over time")
    fig.autofmt_xdate()
    fig.suptitle(f"{title}: {len(values):,} rows")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
