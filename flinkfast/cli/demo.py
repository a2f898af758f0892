"""`make demo`: the whole pipeline on the local stack, end to end, with the latency report.

Starts the stack (idempotent), creates the tables, submits the job, produces EVENTS generated
events, waits until every one of them is in PostgreSQL, and prints the report for this run.
The stack stays up for exploring until `make down`.
"""
from __future__ import annotations

from flinkfast import config
from flinkfast.accounting import health, report
from flinkfast.events import producer
from flinkfast.pipeline import submit
from flinkfast.cli.command import Command
from flinkfast.pipeline.job import JOB_SETTINGS
from flinkfast.errors import TimedOut, run
from flinkfast.stack.cli import STACK, up as stack_up
from flinkfast.accounting.verify import Landing


def _arguments(parser) -> None:
    parser.add_argument("--seed", type=int, default=None, help="seed of the generated events (default: random)")
    parser.add_argument("--rate", type=float, default=0, help="events/s to produce (default 0: as fast as possible)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds to wait for all rows (default 120 + 1 s per 2,000 events)")


def _run(args) -> int:
    cfg = config.from_args(args)
    timeout = args.timeout or 120 + cfg.events / 2000

    print("1/4 starting the local stack")
    stack_up(cfg)
    print("2/4 submitting the job")
    job_id = submit.submit(cfg)
    print(f"    job {job_id} running; Flink Web UI: {cfg.flink_ui_url}/#/job/running/{job_id}/overview")
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("SELECT clock_timestamp()")
        started = cur.fetchone()[0]  # the database's clock: the report scopes this run by insert time
    print(f"3/4 producing {cfg.events:,} generated events to topic {cfg.kafka_topic}")
    summary = producer.produce(cfg, producer.generate_events(cfg.events, seed=args.seed), rate=args.rate,
                               total=cfg.events)
    print(f"4/4 waiting for {summary.sent:,} rows in PostgreSQL (timeout {timeout:.0f}s)")
    with Landing(cfg, summary.uuids, since=started) as landing:
        try:
            landing.wait(timeout)
        except TimedOut as e:  # say why, when the job knows
            problems = health.job_health(cfg).problems
            raise TimedOut("; ".join([str(e), *problems])) from None
    with report.connect(cfg) as conn:
        print()
        h = health.job_health(cfg, conn)
        if h.problems:
            print(health.format_problems(h))
        print(report.format_text(report.collect(conn, since=started)))
    print()
    print(f"All {summary.sent:,} events landed. Explore: Flink UI {cfg.flink_ui_url}, "
          f"`python print_data_postgres.py`, `flinkfast psql -f sql/report/latency.sql`. Stop with `make down`.")
    print(f"Live dashboard: `make dashboard`, then http://127.0.0.1:{cfg.dashboard_port}")
    return 0


COMMAND = Command("demo", "the whole pipeline end to end on the local stack, then the latency report",
                  "flinkfast demo --events 50000   (EVENTS=50000 make demo)", _run, _arguments,
                  settings=("EVENTS", *STACK, *JOB_SETTINGS), description=__doc__.split("\n\n")[0])
main = COMMAND.main


if __name__ == "__main__":
    run(main, "demo")
