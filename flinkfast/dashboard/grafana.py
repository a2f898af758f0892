"""docs/grafana-dashboard.json, made from the SQL files in sql/report/ so that Grafana runs the
same queries as the dashboard and the report (tests/unit/test_dashboard.py checks the file is current).

Grafana runs each panel's query on its own, with no flinkfast.since set before it, so the schema's
report_rows view (sql/postgres/001_schema.sql) becomes a CTE of the same text, and its flinkfast.since
and flinkfast.until become Grafana's $__timeFrom() and $__timeTo() (the dashboard's time range plays
the sliding window).

    python -m flinkfast.dashboard.grafana > docs/grafana-dashboard.json
"""
from __future__ import annotations

import json
import re

from flinkfast.pipeline import sqlfiles
from flinkfast.accounting.report import report_rows_select

SINCE = "COALESCE(NULLIF(current_setting('flinkfast.since', true), '')::timestamptz,"
UNTIL = "COALESCE(NULLIF(current_setting('flinkfast.until', true), '')::timestamptz,"
DATASOURCE = {"type": "grafana-postgresql-datasource", "uid": "${DS_FLINKFAST}"}


def _code(name: str) -> str:
    """The file's SQL without its comments and trailing semicolon."""
    return sqlfiles.query(f"report/{name}")


def _scoped(sql: str) -> str:
    """flinkfast.since and .until -> Grafana's time range (each expression spans two lines in the files)."""
    out = re.sub(re.escape(SINCE) + r"\s*'-infinity'::timestamptz\)", "$__timeFrom()::timestamptz", sql)
    out = re.sub(re.escape(UNTIL) + r"\s*'infinity'::timestamptz\)", "$__timeTo()::timestamptz", out)
    assert "current_setting" not in out, "a scope expression this generator does not know"
    return out


def query(name: str) -> str:
    body = _code(name)
    if "report_rows" in body:
        view = report_rows_select()
        body = f"WITH report_rows AS (\n{view}\n)\n{body}"
    return _scoped(body)


def _target(ref: str, name: str) -> dict:
    return {"refId": ref, "datasource": DATASOURCE, "format": "table", "rawQuery": True, "editorMode": "code",
            "rawSql": query(name)}


def _latency_panel(pid: int, title: str, stage: str, x: int) -> dict:
    keep = [f"{stage}_{s}_ms" for s in ("p50", "p95", "p99", "max")]
    return {"id": pid, "type": "timeseries", "title": title, "datasource": DATASOURCE,
            "gridPos": {"x": x, "y": 0, "w": 8, "h": 9},
            "fieldConfig": {"defaults": {"unit": "ms"}, "overrides": []},
            "transformations": [{"id": "filterFieldsByName", "options": {"include": {"names": ["second", *keep]}}}],
            "targets": [_target("A", "007_latency_per_second.sql")]}


def dashboard() -> dict:
    panels = [
        _latency_panel(1, "Kafka → Flink latency per second", "kafka_to_flink", 0),
        _latency_panel(2, "Flink → PostgreSQL latency per second", "flink_to_postgres", 8),
        {"id": 3, "type": "timeseries", "title": "rows/s inserted (processed, dead letters)", "datasource": DATASOURCE,
         "gridPos": {"x": 16, "y": 0, "w": 8, "h": 9},
         "fieldConfig": {"defaults": {"unit": "short", "custom": {"drawStyle": "bars"}}, "overrides": []},
         "transformations": [{"id": "filterFieldsByName", "options": {"include": {"names": ["second", "rows"]}}}],
         "targets": [_target("A", "007_latency_per_second.sql"), _target("B", "008_dead_letters_per_second.sql")]},
        {"id": 4, "type": "table", "title": "Latency over the time range (ms): sql/report/003_latency_percentiles.sql",
         "datasource": DATASOURCE, "gridPos": {"x": 0, "y": 9, "w": 12, "h": 6},
         "targets": [_target("A", "003_latency_percentiles.sql")]},
        {"id": 5, "type": "table", "title": "Latest dead letters", "datasource": DATASOURCE,
         "gridPos": {"x": 12, "y": 9, "w": 12, "h": 6},
         "targets": [_target("A", "009_dead_letters_latest.sql")]},
    ]
    return {
        "__inputs": [{"name": "DS_FLINKFAST", "label": "flinkfast PostgreSQL", "type": "datasource",
                      "pluginId": "grafana-postgresql-datasource", "pluginName": "PostgreSQL"}],
        "title": "flinkfast latency (PostgreSQL)", "uid": "flinkfast-latency", "editable": True,
        "time": {"from": "now-5m", "to": "now"}, "refresh": "5s", "schemaVersion": 39, "tags": ["flinkfast"],
        "description": "Generated from sql/report/ by `python -m flinkfast.dashboard.grafana`; see docs/monitoring.md.",
        "panels": panels,
    }


if __name__ == "__main__":
    print(json.dumps(dashboard(), indent=2, ensure_ascii=False))
