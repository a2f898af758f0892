"""The way past a message the job cannot process: record it as a dead letter, unread.

For an operator whose topic holds a message that makes the job fail (one written for an older
version, say): the job is resubmitted with the message's position in SKIP_MESSAGES. It resumes
from its last committed offsets, as after any restart, and the classification turns the listed
message into a dead letter with the reason "skipped by operator" without looking at it, so
reconciliation stays whole: every offset is still in exactly one table.

    python -m flinkfast.skip PARTITION:OFFSET [PARTITION:OFFSET ...]      (make skip AT=0:42)

The failing message's position is in the job's last failure (`make status`) or the
TaskManager's log. To keep skipping it after a later resubmission from older offsets, put the
printed SKIP_MESSAGES line into .env.
"""
from __future__ import annotations

import argparse
import re

from flinkfast import config
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


def check_on_topic(cfg: Config, positions: list[tuple[int, int]]) -> None:
    """Each position must hold a message that is still in the log."""
    from flinkfast.reconcile import kafka_offsets
    first, end, _ = kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    for p, o in positions:
        if p not in end:
            raise ConfigError(f"topic {cfg.kafka_topic} has no partition {p} (it has {', '.join(map(str, sorted(end)))})")
        if not first[p] <= o < end[p]:
            raise ConfigError(f"partition {p} of {cfg.kafka_topic} holds offsets {first[p]} to {end[p] - 1}, not {o}")


def skip(cfg: Config, positions: list[tuple[int, int]]) -> tuple[str, str]:
    """Resubmit the job with these positions skipped; (job id, the new SKIP_MESSAGES)."""
    from flinkfast import submit
    check_on_topic(cfg, positions)
    skips = merged(cfg.skip_messages, positions)
    job_cfg = config.load({**cfg.as_env(), "SKIP_MESSAGES": skips})
    # submit() says so in one line when no cluster answers, and cancels the running job of that name first.
    return submit.submit(job_cfg), skips


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.skip", description=__doc__.split("\n\n")[0],
                                     epilog="example: python -m flinkfast.skip 0:42   (make skip AT=0:42)")
    parser.add_argument("positions", nargs="+", type=position, metavar="PARTITION:OFFSET",
                        help="where the message is on KAFKA_TOPIC")
    config.add_flags(parser, "KAFKA_TOPIC", "KAFKA_GROUP_ID", "JOB_NAME", "SKIP_MESSAGES")
    args = parser.parse_args(argv)
    cfg = config.from_args(args)
    job_id, skips = skip(cfg, args.positions)
    listed = ", ".join(f"{p}:{o}" for p, o in args.positions)
    print(f"job {cfg.job_name!r} resubmitted ({job_id}); {listed} on {cfg.kafka_topic} will be dead letters "
          f"with reason 'skipped by operator'")
    print(f"to keep skipping after a later resubmission, add to .env:  SKIP_MESSAGES={skips}")
    return 0


if __name__ == "__main__":
    run(main, "skip")
