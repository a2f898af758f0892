"""Print the pipeline's latency report from PostgreSQL.

Shows the latest rows, the total, throughput (whole run and the last N seconds), latency
percentiles split at Flink (Kafka -> Flink -> PostgreSQL) and a latency histogram. The queries
are the files in sql/report/ (`psql -f sql/report/latency.sql` prints the same).

Examples:
  flinkfast report
  flinkfast report --since "2026-11-25 10:00:00+00" --json
  flinkfast report --plot latency.png
  python print_data_postgres.py --reconcile --wait 60     # = flinkfast reconcile --wait 60

Exit codes: 0 report printed (or reconciliation OK), 1 no rows in scope (or a gap found),
2 bad arguments, 3 database or Kafka unreachable, 4 --wait timed out.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from flinkfast import config
from flinkfast.accounting import report
from flinkfast.cli.command import Command
from flinkfast.errors import CheckFailed, ConfigError


def timestamp(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO timestamp, e.g. 2026-11-25T10:00:00+00:00") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add one, e.g. +00:00")
    return value


def warn_if_unhealthy(cfg, conn) -> None:
    """A restarting, failed or stalled job is said first, on stderr, before any figure."""
    from flinkfast.accounting import health
    h = health.job_health(cfg, conn)
    if h.problems:
        print(health.format_problems(h), file=sys.stderr)


def _reconcile_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--to-end", action="store_true", help="reconcile up to the end of the log, not the committed offsets")
    parser.add_argument("--deep", action="store_true",
                        help="also read the topic and compare each placed row (uuid, fingerprint) with the message at its position")
    parser.add_argument("--wait", type=float, metavar="SECONDS",
                        help="first wait (at most this long) until the job has consumed and checkpointed the whole topic")


def _reconcile(args: argparse.Namespace) -> int:
    from flinkfast.accounting import reconcile
    cfg = config.from_args(args)
    if args.wait:
        note = reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, args.wait)
        if note:
            print(note, file=sys.stderr)
    result = reconcile.reconcile(cfg, to_end=args.to_end, deep=getattr(args, "deep", False))
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.text())
    if not result.ok:
        raise CheckFailed(f"reconciliation found a gap on topic {result.topic}")
    return 0


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=timestamp, help="only rows inserted at or after this time (ISO, with zone)")
    parser.add_argument("--until", type=timestamp, help="only rows inserted before this time (ISO, with zone)")
    parser.add_argument("--window", type=float, default=60, help="seconds for the recent-throughput figure (default 60)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the latency distribution and latency over time")
    # print_data_postgres.py --reconcile [--to-end] [--wait S]: the shim's way to reconciliation
    parser.add_argument("--reconcile", action="store_true", help="run `flinkfast reconcile` instead (same options)")
    parser.add_argument("--to-end", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--wait", type=float, help=argparse.SUPPRESS)


def _report(args: argparse.Namespace) -> int:
    if args.reconcile:
        return _reconcile(args)
    if args.window <= 0:
        raise ConfigError("--window must be positive")
    cfg = config.from_args(args)
    with report.connect(cfg) as conn:
        warn_if_unhealthy(cfg, conn)
        if args.since and args.until and args.until <= args.since:
            raise ConfigError("--until must be later than --since")
        data = report.collect(conn, since=args.since, window_s=args.window, until=args.until)
        if args.plot:
            report.plot(report.series(conn, since=args.since), args.plot)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else report.format_text(data))
    if args.plot:
        print(f"plot written to {args.plot}", file=sys.stderr)
    if data["summary"]["total_rows"] == 0:
        raise CheckFailed("no rows in scope: has the job run, and are --since and --until right?")
    return 0


DB = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "READER_DB_USER")
KAFKA = ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "KAFKA_GROUP_ID")
HEALTH = ("JOB_NAME", "FLINK_REST_URL", "FLINK_REST_TLS_DIR")
REPORT = Command("report", "the latency report from PostgreSQL", "flinkfast report --since 2026-11-25T10:00:00+00:00 "
                 "--json   (make report)", _report, _report_arguments, settings=(*DB, *KAFKA, *HEALTH),
                 description=__doc__.strip())
RECONCILE = Command("reconcile", "every consumed Kafka message in exactly one table? (exit 1 on a gap)",
                    "flinkfast reconcile --wait 120   (make reconcile)", _reconcile, _reconcile_arguments,
                    settings=(*DB, *KAFKA),
                    description="Compare, per partition, the Kafka offsets the job consumed (committed) with the "
                                "rows of processed_events, superseded_events and dead_letter_events: each offset "
                                "in exactly one, the winner rule holding; exit 1 on any gap.")


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    return REPORT.main(argv, prog or "python print_data_postgres.py")
