"""Messages deleted from the topic before the job read them (retention, DeleteRecords): never
skipped silently, recorded on purpose.

The job reads from its group's committed offsets with no automatic reset
(sql/flink/001_source_kafka.sql: 'properties.auto.offset.reset' = 'none'). When retention or
DeleteRecords removed messages the job had not read yet, the partition's log now starts past the
group's committed offset (or past the offset in the job's checkpoint): the job fails with
OffsetOutOfRange and reads nothing more of that partition, however often it restarts. `status`,
the dashboard and `reconcile` name each such range (`found`, one line each).

    flinkfast lost              the ranges deleted before the job read them
    flinkfast lost --record     record them in lost_messages, move the group past them, resubmit

Recording is the operator's act, as `skip` is: the ranges go into lost_messages (written with the
database's owner role; the reader reads it, the job's writer cannot touch it), then the group's
committed offsets move to the log start on those partitions, then the job is resubmitted. From
then on `reconcile` counts the recorded offsets as accounted for ("lost, recorded"), apart from
the placed ones.

The first run: a group that never committed an offset on a partition has nothing to lose there.
`submit` commits the log start for such partitions first (`commit_start_offsets`): what was
deleted before the pipeline ever read the topic was never the pipeline's.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

from flinkfast import config
from flinkfast.command import Command
from flinkfast.config import Config
from flinkfast.errors import ConfigError, run
from flinkfast.job import JOB_SETTINGS
from flinkfast.sqlfiles import query

REASON = "deleted from the topic before the job read it (retention or DeleteRecords)"


@dataclass(frozen=True)
class Loss:
    topic: str
    partition: int
    first_offset: int   # the group's committed offset: the first message the job never read
    end_offset: int     # the log start now: the first message still there (exclusive end)

    @property
    def count(self) -> int:
        return self.end_offset - self.first_offset

    @property
    def offsets(self) -> str:
        return f"{self.first_offset}-{self.end_offset - 1}"

    def line(self) -> str:
        return (f"partition {self.partition} of {self.topic}: offsets {self.offsets} ({self.count:,} messages) were "
                f"deleted before the job read them (retention or DeleteRecords), so the job stops with "
                f"OffsetOutOfRange: record the loss and go on with `flinkfast lost --record`")


def losses(topic: str, first: dict[int, int], committed: dict[int, int]) -> list[Loss]:
    """The ranges between a partition's committed offset and its log start, when the log starts later."""
    return [Loss(topic, p, committed[p], first[p]) for p in sorted(first) if p in committed and committed[p] < first[p]]


def found(cfg: Config, topic: str | None = None, group: str | None = None) -> list[Loss]:
    """The losses on the topic for the group now (from the broker's offsets)."""
    from flinkfast.reconcile import kafka_offsets
    topic = topic or cfg.kafka_topic
    first, _, committed = kafka_offsets(cfg, topic, group or cfg.kafka_group_id)
    return losses(topic, first, committed)


def commit(cfg: Config, offsets: dict[int, int], topic: str | None = None, group: str | None = None) -> None:
    """Set the group's committed offsets on these partitions (as the job's principal, whose group it is)."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    from flinkfast.clients import kafka_consumer
    if not offsets:
        return
    topic, group = topic or cfg.kafka_topic, group or cfg.kafka_group_id
    consumer = kafka_consumer(cfg, group_id=group, enable_auto_commit=False)
    try:  # never subscribes: commits as a simple group, as the Flink source does
        consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()})
    finally:
        consumer.close()


def commit_start_offsets(cfg: Config) -> dict[int, int]:
    """Before a submission that reads the group's offsets: commit the log start on every partition
    the group has never committed (the first run, a partition added since), so the job, which
    resets nothing, starts there. Partitions with a committed offset are left alone. What it committed."""
    from flinkfast.reconcile import kafka_offsets
    if cfg.scan_startup_mode != "group-offsets":
        return {}
    first, _, committed = kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    start = {p: o for p, o in first.items() if p not in committed}
    commit(cfg, start)
    return start


def recorded(cur, topic: str) -> dict[int, int]:
    """Messages recorded lost per partition of the topic (lost_messages)."""
    cur.execute(query("lost/recorded.sql"), {"topic": topic})
    return dict(cur.fetchall())


def record(cfg: Config, why: str = REASON) -> tuple[str | None, list[Loss]]:
    """Stop the job, record every loss in lost_messages, move the group's committed offsets to the
    log start on those partitions, and resubmit the job; (job id or None when nothing was lost, losses)."""
    from flinkfast import flinkrest, submit
    from flinkfast.clients import pg_connect
    if not found(cfg):  # nothing to do: the job is left as it is
        return None, []
    for job in flinkrest.running_jobs(cfg, cfg.job_name):
        flinkrest.cancel(cfg, job["jid"])  # no checkpoint commits an offset while we move them
    now = found(cfg)
    # The record first: were the offsets moved and the record lost, the loss would be silent.
    with pg_connect(cfg, role="admin") as conn, conn.cursor() as cur:
        for loss in now:
            cur.execute(query("lost/record.sql"), {"topic": loss.topic, "partition": loss.partition,
                                                      "first_offset": loss.first_offset,
                                                      "end_offset": loss.end_offset, "reason": why})
    conn.close()
    commit(cfg, {loss.partition: loss.end_offset for loss in now})
    return submit.submit(cfg), now


def _arguments(parser) -> None:
    parser.add_argument("--record", action="store_true",
                        help="record the ranges in lost_messages, move the group past them and resubmit the job")
    parser.add_argument("--json", action="store_true", help="print the ranges as JSON")


def _run(args) -> int:
    _check(args)
    cfg = config.from_args(args)
    if args.record:
        job_id, done = record(cfg)
        if not done:
            print(f"nothing lost on {cfg.kafka_topic} (group {cfg.kafka_group_id}): nothing recorded")
            return 0
        for loss in done:
            print(f"recorded: partition {loss.partition} of {loss.topic}, offsets {loss.offsets} ({loss.count:,} messages)")
        print(f"group {cfg.kafka_group_id} moved to the log start; job {cfg.job_name!r} resubmitted ({job_id})")
        return 0
    now = found(cfg)
    if args.json:
        print(json.dumps([dict(vars(loss), count=loss.count) for loss in now], indent=2))
    elif not now:
        print(f"nothing lost on {cfg.kafka_topic}: every partition's log starts at or before group "
              f"{cfg.kafka_group_id}'s committed offset")
    for loss in [] if args.json else now:
        print(f"LOST: {loss.line()}")
    return 1 if now else 0


def _check(args: argparse.Namespace) -> None:
    if args.json and args.record:
        raise ConfigError("--json shows the ranges; --record records them: give one of them")


COMMAND = Command("lost", "show the messages deleted from the topic before the job read them; --record records "
                          "them and resumes the job",
                  "flinkfast lost --record   (make lost, make lost RECORD=1)", _run, _arguments,
                  settings=(*JOB_SETTINGS, "FLINKFAST_STATE_DIR", "LOCK_WAIT_S", "FLINK_REST_URL", "FLINK_REST_TLS_DIR",
                            "READER_DB_USER", "POSTGRES_USER"),
                  description=__doc__.split("\n\n")[0])
main = COMMAND.main


if __name__ == "__main__":
    run(main, "lost")
