"""The dashboard's figures in the Prometheus text format (prometheus_client), names prefixed
flinkfast_. Built at each scrape from the poller's latest snapshot of the default window: a
scrape never queries PostgreSQL, Flink or Kafka itself.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.process_collector import ProcessCollector

QUANTILES = (("p50", "0.5"), ("p90", "0.9"), ("p95", "0.95"), ("p99", "0.99"))
JOB_STATES = ("RUNNING", "CREATED", "INITIALIZING", "RESTARTING", "FAILING", "FAILED", "CANCELLING", "CANCELED",
              "FINISHED", "SUSPENDED", "RECONCILING", "NO JOB", "UNREACHABLE")


class SnapshotCollector:
    def __init__(self, poller):
        self.poller = poller

    def collect(self):
        snap = self.poller.snapshot()
        up = GaugeMetricFamily("flinkfast_source_up", "1 when the dashboard's last read of the source succeeded",
                               labels=["source"])
        for name, s in snap.get("sources", {}).items():
            up.add_metric([name], 1.0 if s.get("ok") else 0.0)
        yield up
        window = snap.get("window", {})
        yield GaugeMetricFamily("flinkfast_window_seconds", "sliding window of the figures below",
                                value=window.get("seconds", 0))
        head = snap.get("headline") or {}
        latency = (snap.get("latency") or {}).get("stages") or {}
        if latency:
            q = GaugeMetricFamily("flinkfast_latency_seconds",
                                  "latency percentiles over the window (sql/report/003_latency_percentiles.sql)",
                                  labels=["stage", "quantile"])
            mx = GaugeMetricFamily("flinkfast_latency_max_seconds", "largest latency in the window", labels=["stage"])
            for stage, row in latency.items():
                for key, quantile in QUANTILES:
                    if row.get(f"{key}_ms") is not None:
                        q.add_metric([stage, quantile], row[f"{key}_ms"] / 1000)
                if row.get("max_ms") is not None:
                    mx.add_metric([stage], row["max_ms"] / 1000)
            yield q
            yield mx
        if "rows_total" in head:
            rows = GaugeMetricFamily("flinkfast_window_rows", "rows inserted within the window", labels=["table"])
            rows.add_metric(["processed_events"], head["rows_total"])
            rows.add_metric(["dead_letter_events"], head["dead_letters_total"])
            yield rows
            rate = GaugeMetricFamily("flinkfast_rows_per_second", "rows inserted per second over the last 10 s",
                                     labels=["table"])
            rate.add_metric(["processed_events"], head["events_per_s"])
            rate.add_metric(["dead_letter_events"], head["dead_letters_per_s"])
            yield rate
        lag = snap.get("lag") or {}
        lag_g = GaugeMetricFamily("flinkfast_consumer_lag_records", "records not yet consumed/committed",
                                  labels=["kind"])
        for kind, key in (("pending_records", "pending_records"), ("committed_offsets", "committed_lag")):
            if lag.get(key) is not None:
                lag_g.add_metric([kind], lag[key])
        yield lag_g
        for name, key, doc in (("flinkfast_kafka_brokers", "brokers", "Kafka brokers in the cluster's metadata"),
                               ("flinkfast_topic_in_sync_replicas", "in_sync",
                                "replicas in sync of the topic's least replicated partition")):
            if lag.get(key) is not None:
                yield GaugeMetricFamily(name, doc, value=lag[key])
        if "problems" in snap:  # the same verdict as `make status` (flinkfast/accounting/health.py)
            yield GaugeMetricFamily("flinkfast_pipeline_ok", "1 when the pipeline is delivering (make status exits 0)",
                                    value=0.0 if snap["problems"] else 1.0)
            yield GaugeMetricFamily("flinkfast_pipeline_problems", "problems make status would report",
                                    value=len(snap["problems"]))
        job = snap.get("job") or {}
        state = GaugeMetricFamily("flinkfast_job_state", "1 for the job's current state", labels=["job", "state"])
        for s in JOB_STATES:
            state.add_metric([job.get("name", ""), s], 1.0 if job.get("state") == s else 0.0)
        yield state
        for name, key, doc in (("flinkfast_job_uptime_seconds", "uptime_s", "time since the job was submitted"),
                               ("flinkfast_job_restarts", "restarts", "restarts of the job (numRestarts)"),
                               ("flinkfast_taskmanagers", "taskmanagers", "TaskManagers registered"),
                               ("flinkfast_task_slots_total", "slots_total", "task slots of the cluster"),
                               ("flinkfast_task_slots_available", "slots_available", "free task slots")):
            if job.get(key) is not None:
                yield GaugeMetricFamily(name, doc, value=job[key])
        cp = job.get("last_checkpoint") or {}
        if cp.get("at_ms"):
            yield GaugeMetricFamily("flinkfast_last_checkpoint_timestamp_seconds",
                                    "when the last checkpoint completed (Unix time)", value=cp["at_ms"] / 1000)


def registry(poller) -> CollectorRegistry:
    reg = CollectorRegistry()
    reg.register(SnapshotCollector(poller))
    ProcessCollector(namespace="flinkfast_dashboard", registry=reg)  # the dashboard's own RSS and CPU
    return reg


def render(reg: CollectorRegistry) -> bytes:
    return generate_latest(reg)
