"""The Flink job: its name, parallelism, checkpoints, and how it reads the topic."""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.settings.option import option

SCAN_STARTUP_MODES = ("group-offsets", "earliest-offset", "latest-offset")


@dataclass(frozen=True)
class Job:
    job_name: str = option("flinkfast-randomuser", "Flink job name")
    flink_parallelism: int = option(2, "parallelism of the job")
    checkpoint_interval_ms: int = option(5000, "checkpoint interval (offsets and sink flush advance together)")
    flink_object_reuse: str = option("true", "pipeline.object-reuse: true|false (chained operators pass rows "
                                             "without copying them)")
    restart_attempts: int = option(1000000, "restarts in a row after which a failing job stays FAILED (Flink's "
                                            "exponential-delay attempts-before-reset-backoff; the count resets "
                                            "after an hour without failure): the local stack retries practically "
                                            "for ever, Kubernetes gives up after 20")
    max_event_chars: int = option(65536, "a message longer than this many characters is a dead letter")
    skip_messages: str = option("", "PARTITION:OFFSET,... of KAFKA_TOPIC that the job records as dead letters "
                                    "unread (`flinkfast skip`)")
    scan_startup_mode: str = option("group-offsets", "where the job starts reading: "
                                                     "group-offsets|earliest-offset|latest-offset")
