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
`submit` commits the log start for such partitions first (flinkfast/topics/groupstart.py): what was
deleted before the pipeline ever read the topic was never the pipeline's. The ranges and their
wording are flinkfast/topics/retention.py's, which reconcile, status and the dashboard read too.
"""
from __future__ import annotations

import argparse
import json

from flinkfast import config
from flinkfast.topics import retention
from flinkfast.cli.command import Command
from flinkfast.config import Config
from flinkfast.errors import ConfigError, run
from flinkfast.pipeline.job import JOB_SETTINGS
from flinkfast.topics.retention import REASON, Loss
from flinkfast.pipeline.sqlfiles import query


def found(cfg: Config, topic: str | None = None, group: str | None = None) -> list[Loss]:
    """The losses on the topic for the group now (from the broker's offsets)."""
    from flinkfast.accounting.reconcile import kafka_offsets
    topic = topic or cfg.kafka_topic
    group = group or cfg.kafka_group_id
    first, _, committed = kafka_offsets(cfg, topic, group)
    return retention.judge(cfg, topic, group, first, committed)[0]


def record(cfg: Config, why: str = REASON, resubmit=None, seen: list[Loss] | None = None) -> tuple[str | None, list[Loss]]:
    """Stop the job, record every loss in lost_messages, move the group's committed offsets to the
    log start on those partitions, and resubmit the job (with flinkfast.pipeline.submit, or `resubmit`: the
    test suite's warm client); (job id or None when nothing was lost, the ranges recorded). `seen`:
    the losses the caller has just read, so they are not read again before the cancel (they are
    after it: the job may have read on meanwhile).

    Only the offsets of a range that are in no table are recorded: the job may have placed some
    before it stopped, short of the checkpoint that commits them (retention.unplaced)."""
    from flinkfast.pipeline import flinkrest, submit
    from flinkfast.clients import pg_connect
    if not (found(cfg) if seen is None else seen):  # nothing to do: the job is left as it is
        return None, []
    for job in flinkrest.running_jobs(cfg, cfg.job_name):
        flinkrest.cancel(cfg, job["jid"])  # no checkpoint commits an offset while we move them
    now = found(cfg)
    done: list[Loss] = []
    # The record first: were the offsets moved and the record lost, the loss would be silent.
    with pg_connect(cfg, role="admin") as conn, conn.cursor() as cur:
        for gap in now:
            placed = retention.placed_offsets(cur, gap.topic, gap.partition, gap.first_offset, gap.end_offset)
            for loss in retention.unplaced(gap, placed):
                cur.execute(query("lost/record.sql"), {"topic": loss.topic, "partition": loss.partition,
                                                       "first_offset": loss.first_offset,
                                                       "end_offset": loss.end_offset, "reason": why})
                done.append(loss)
    conn.close()
    retention.commit(cfg, {gap.partition: gap.end_offset for gap in now})
    return (resubmit or submit.submit)(cfg), done


def _arguments(parser) -> None:
    parser.add_argument("--record", action="store_true",
                        help="record the ranges in lost_messages, move the group past them and resubmit the job")
    parser.add_argument("--json", action="store_true", help="print the ranges as JSON")


def _run(args) -> int:
    _check(args)
    cfg = config.from_args(args)
    if args.record:
        gaps = found(cfg)
        job_id, done = record(cfg, seen=gaps)
        if not gaps:
            print(f"nothing lost on {cfg.kafka_topic} (group {cfg.kafka_group_id}): nothing recorded")
            return 0
        for loss in done:
            print(f"recorded: partition {loss.partition} of {loss.topic}, offsets {loss.offsets} ({loss.count:,} messages)")
        placed = sum(g.count for g in gaps) - sum(loss.count for loss in done)
        if placed > 0:
            print(f"not recorded: {placed:,} offsets of those ranges placed before the job stopped (short of its "
                  "checkpoint): they are in the tables")
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
