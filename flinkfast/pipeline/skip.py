"""The way past a message the job cannot process: record it as a dead letter, unread.

For an operator whose topic holds a message that makes the job fail (one written for an older
version, say): the job is stopped, the position checked, and the job resubmitted with the
position in SKIP_MESSAGES. It resumes from its last committed offsets, as after any restart, and
the classification turns the listed message into a dead letter with the reason "skipped by
operator" without looking at it, so reconciliation stays whole: every offset is still in
exactly one table.

A position the job has already committed, or whose message is already placed in a table, is
refused (with the job left running as it was): it cannot become a dead letter any more, and the
database keeps the first classification of a position anyway (sql/postgres/003_ingest.sql), so a
later replay without the skip changes nothing either.

    python -m flinkfast.pipeline.skip PARTITION:OFFSET [PARTITION:OFFSET ...]      (make skip AT=0:42)

The failing message's position is in the job's last failure (`make status`) or the
TaskManager's log.
"""
from __future__ import annotations

import argparse
import re

from flinkfast import config
from flinkfast.cli.command import Command
from flinkfast.pipeline.job import JOB_SETTINGS
from flinkfast.config import Config
from flinkfast.errors import ConfigError, run

POSITION = re.compile(r"^(\d{1,5}):(\d{1,18})$")


def position(text: str) -> tuple[int, int]:
    m = POSITION.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not PARTITION:OFFSET, e.g. 0:42")
    return int(m.group(1)), int(m.group(2))


def merged(existing: str, positions: list[tuple[int, int]]) -> str:
    """SKIP_MESSAGES with these positions added (sorted, no repeats)."""
    items = {position(p) for p in existing.split(",") if p.strip()} | set(positions)
    return ",".join(f"{p}:{o}" for p, o in sorted(items))


def refusals(cfg: Config, positions: list[tuple[int, int]]) -> list[str]:
    """Why each position cannot be skipped: not on the topic, committed already, or placed."""
    from flinkfast.clients import pg_connect
    from flinkfast.accounting.reconcile import kafka_offsets
    from flinkfast.pipeline.sqlfiles import query
    first, end, committed = kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    out = []
    with pg_connect(cfg) as conn, conn.cursor() as cur:
        for p, o in positions:
            if p not in end:
                out.append(f"topic {cfg.kafka_topic} has no partition {p} (it has {', '.join(map(str, sorted(end)))})")
            elif not first[p] <= o < end[p]:
                out.append(f"partition {p} of {cfg.kafka_topic} holds offsets {first[p]} to {end[p] - 1}, not {o}")
            elif o < committed.get(p, 0):
                out.append(f"{p}:{o} is committed already (group {cfg.kafka_group_id} is at offset {committed[p]} on "
                           f"partition {p}): the job has read it and placed it")
            else:
                cur.execute(query("reconcile/placed_at.sql"), {"topic": cfg.kafka_topic, "partition": p, "offset": o})
                placed = [row[0] for row in cur.fetchall()]
                if placed:
                    out.append(f"{p}:{o} is placed already, in {placed[0]}: it stays there")
    return out


def skip(cfg: Config, positions: list[tuple[int, int]]) -> tuple[str, str]:
    """Stop the job, check each position against the stopped job's offsets and the tables, and
    resubmit it with the positions skipped; (job id, the SKIP_MESSAGES it runs with). On a
    refusal the job is resubmitted as it was and ConfigError says why."""
    from flinkfast.pipeline import flinkrest, submit
    why = refusals(cfg, positions)  # before stopping anything: the common mistakes cost nothing
    if why:
        raise ConfigError("; ".join(why))
    for job in flinkrest.running_jobs(cfg, cfg.job_name):
        flinkrest.cancel(cfg, job["jid"])  # nothing moves while we look again
    why = refusals(cfg, positions)
    skips = merged(cfg.skip_messages, [] if why else positions)
    job_id = submit.submit(cfg.replace(skip_messages=skips))
    if why:
        raise ConfigError("; ".join(why) + f" (job {cfg.job_name} resubmitted without the skip: {job_id})")
    return job_id, skips


def _arguments(parser) -> None:
    parser.add_argument("positions", nargs="+", type=position, metavar="PARTITION:OFFSET",
                        help="where the message is on KAFKA_TOPIC")


def _run(args) -> int:
    cfg = config.from_args(args)
    job_id, _ = skip(cfg, args.positions)
    listed = ", ".join(f"{p}:{o}" for p, o in args.positions)
    print(f"job {cfg.job_name!r} resubmitted ({job_id}); {listed} on {cfg.kafka_topic} will be dead letters "
          f"with reason 'skipped by operator'")
    return 0


COMMAND = Command("skip", "record a message the job cannot process as a dead letter, unread, and resubmit the job",
                  "flinkfast skip 0:42   (make skip AT=0:42)", _run, _arguments,
                  settings=(*JOB_SETTINGS, "FLINKFAST_STATE_DIR", "LOCK_WAIT_S", "FLINK_REST_URL", "FLINK_REST_TLS_DIR",
                            "READER_DB_USER"),
                  description=__doc__.split("\n\n")[0])
main = COMMAND.main


if __name__ == "__main__":
    run(main, "skip")
