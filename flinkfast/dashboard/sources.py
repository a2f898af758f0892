"""What the dashboard reads besides PostgreSQL: the job from Flink's REST API, the consumer lag
from Kafka. Each reader returns a plain dict and raises on an unreachable source; the poller
(snapshot.py) marks the source and keeps the last figures."""
from __future__ import annotations

import dataclasses
import time

from flinkfast.pipeline import flinkrest
from flinkfast.config import Config
from flinkfast.accounting.health import group_members, source_rate


def first_line(text: str, limit: int = 300) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line[:limit]


class FlinkJobReader:
    """The job named JOB_NAME: state, uptime, restarts, last checkpoint, the source's pending
    records, the root exception when it is not running, and the cluster's slots.

    It reads through the Web UI's read-only gate (FLINK_GATE_URL, plain HTTP), not the
    REST API: the dashboard holds no certificate that could submit or cancel a job."""

    def __init__(self, cfg: Config, flink_ui_url: str):
        self.cfg = dataclasses.replace(cfg, flink_rest_url=cfg.flink_gate_url)
        self.flink_ui_url = flink_ui_url
        self._pending_ids: dict[tuple[str, str], list[str]] = {}
        self._rate_ids: dict[tuple[str, str], list[str]] = {}

    def _rest(self, path: str):
        return flinkrest.rest(self.cfg, path)

    def read(self) -> dict:
        overview = self._rest("/overview")
        job = {"name": self.cfg.job_name, "web_ui": self.flink_ui_url,
               "taskmanagers": overview.get("taskmanagers"), "slots_total": overview.get("slots-total"),
               "slots_available": overview.get("slots-available"), "flink_version": overview.get("flink-version")}
        jobs = [j for j in self._rest("/jobs/overview")["jobs"] if j["name"] == self.cfg.job_name]
        if not jobs:
            return dict(job, state="NO JOB", root_exception=f"no job named {self.cfg.job_name!r} on the cluster: "
                                                            "submit it (make submit) or set JOB_NAME")
        newest = max(jobs, key=lambda j: j["start-time"])
        jid = newest["jid"]
        info = self._rest(f"/jobs/{jid}")
        job.update(id=jid, state=info["state"], start_time=newest["start-time"],
                   uptime_s=round(info.get("duration", 0) / 1000, 1),
                   web_ui_job=f"{self.flink_ui_url}/#/job/running/{jid}/overview")
        restarts = self._rest(f"/jobs/{jid}/metrics?get=numRestarts")
        job["restarts"] = int(float(restarts[0]["value"])) if restarts else None
        job["last_checkpoint"] = self._last_checkpoint(jid)
        job["last_failure"], job["last_failure_age_s"] = flinkrest.last_failure(self.cfg, jid)
        running = info["state"] == "RUNNING"
        job["pending_records"] = self._pending_records(jid, info.get("vertices", [])) if running else None
        job["source_rate"] = source_rate(self.cfg, jid, info.get("vertices", []), self._rate_ids) if running else None
        if info["state"] != "RUNNING":
            job["root_exception"] = self._root_exception(jid) or f"the job is {info['state']} (no exception recorded)"
        return job

    def _last_checkpoint(self, jid: str) -> dict | None:
        cp = self._rest(f"/jobs/{jid}/checkpoints")
        done = (cp.get("latest") or {}).get("completed")
        counts = cp.get("counts") or {}
        if not done:
            return {"id": None, "completed": counts.get("completed", 0), "failed": counts.get("failed", 0)}
        return {"id": done["id"], "at_ms": done.get("latest_ack_timestamp"),
                "duration_ms": done.get("end_to_end_duration"), "size_bytes": done.get("state_size"),
                "completed": counts.get("completed", 0), "failed": counts.get("failed", 0)}

    def _root_exception(self, jid: str) -> str | None:
        exc = self._rest(f"/jobs/{jid}/exceptions")
        entries = (exc.get("exceptionHistory") or {}).get("entries") or []
        if entries:
            first = entries[0]
            return f"{first.get('exceptionName', '')}: {first_line(first.get('stacktrace', ''))}".strip(": ")
        return first_line(exc.get("root-exception") or "") or None

    def _pending_records(self, jid: str, vertices: list[dict]) -> int | None:
        """Flink's pendingRecords of the Kafka source (the records behind the end of the log), summed over subtasks."""
        total, found = 0, False
        for v in vertices:
            if not v.get("name", "").startswith("Source"):
                continue
            key = (jid, v["id"])
            base = f"/jobs/{jid}/vertices/{v['id']}/subtasks/metrics"
            if not self._pending_ids.get(key):  # the metric's name carries the operator's name: look it up once
                self._pending_ids[key] = [m["id"] for m in self._rest(base) if m["id"].endswith("pendingRecords")]
            ids = self._pending_ids[key]
            if ids:
                for m in self._rest(f"{base}?get={','.join(ids)}&agg=sum"):
                    if m.get("sum") is not None:
                        total, found = total + int(float(m["sum"])), True
        return total if found else None


class KafkaLagReader:
    """End offsets of KAFKA_TOPIC and the job's committed offsets, the brokers and the topic's
    replicas in sync, with one consumer and one admin client that are kept between reads (and
    dropped after a failure)."""

    SLOW_EVERY_S = 10   # the topic's settings and its open transactions: read every 10 s, not every poll

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self._consumer = None
        self._admin = None
        self._slow_at = float("-inf")
        self._slow: dict = {"topic_settings": [], "held": [], "members": []}

    def read(self) -> dict:
        from kafka import TopicPartition
        from kafka.errors import KafkaError

        from flinkfast import clients
        from flinkfast.topics import policy, retention, transactions
        from flinkfast.clients import kafka_admin, kafka_consumer
        if self._consumer is None:
            # Only to read offsets: it never subscribes, so it never joins the job's group.
            self._consumer = kafka_consumer(self.cfg, group_id=self.cfg.kafka_group_id, request_timeout_ms=5000,
                                            client_id="flinkfast-dashboard")
        parts = self._consumer.partitions_for_topic(self.cfg.kafka_topic)
        if not parts:
            raise KafkaError(f"topic {self.cfg.kafka_topic} does not exist")
        tps = [TopicPartition(self.cfg.kafka_topic, p) for p in sorted(parts)]
        first = {tp.partition: o for tp, o in self._consumer.beginning_offsets(tps).items()}
        end = {tp.partition: o for tp, o in self._consumer.end_offsets(tps).items()}
        committed = {tp.partition: self._consumer.committed(tp, timeout_ms=5000) for tp in tps}
        lost, only_markers = retention.judge(self.cfg, self.cfg.kafka_topic, self.cfg.kafka_group_id, first,
                                             {p: c for p, c in committed.items() if c is not None and c >= 0})
        lag = {p: end[p] - c for p, c in committed.items() if c is not None and c >= 0}
        if self._admin is None:
            self._admin = kafka_admin(self.cfg, role="monitor", request_timeout_ms=5000, client_id="flinkfast-dashboard")
        brokers = len(self._admin.describe_cluster()["brokers"])
        replicas, in_sync = clients.replicas(self._admin.describe_topics([self.cfg.kafka_topic])[0]["partitions"])
        if time.monotonic() - self._slow_at >= self.SLOW_EVERY_S:
            self._slow = {"topic_settings": policy.problems(self.cfg, admin=self._admin),
                          "held": transactions.problems(self.cfg), "members": group_members(self.cfg)}
            self._slow_at = time.monotonic()
        return {"committed_lag": sum(lag.values()) if lag else None, "per_partition": lag,
                "brokers": brokers, "replicas": replicas, "in_sync": in_sync,
                "end_offsets": sum(end.values()), "topic": self.cfg.kafka_topic, "group": self.cfg.kafka_group_id,
                "losses": [loss.line() for loss in lost] + [retention.markers_line(gap) for gap in only_markers],
                **self._slow,
                "note": None if lag else "the group has no committed offsets yet (no checkpoint)"}

    def close(self) -> None:
        for client in (self._consumer, self._admin):
            if client is not None:
                try:
                    client.close()
                except Exception:
                    pass
        self._consumer = self._admin = None
