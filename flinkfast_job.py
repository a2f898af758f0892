#!/usr/bin/env python3
"""Submit the pipeline job: Kafka topic -> classify_row -> PostgreSQL's intake views (SINK_MODE copy or jdbc), bad messages as dead letters.

Examples:
  flink run -py flinkfast_job.py --pyFiles . -d      # to a running cluster (make submit does this)
  python flinkfast_job.py                           # on an embedded mini-cluster, runs until Ctrl-C
  python flinkfast_job.py --print-sql               # the statements, for the Flink SQL client
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flinkfast import config  # noqa: E402
from flinkfast.errors import run  # noqa: E402
from flinkfast.pipeline.job import JOB_SETTINGS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--print-sql", action="store_true", help="print the rendered statements (password masked) and exit")
    config.add_flags(parser, *JOB_SETTINGS)
    args, _unknown = parser.parse_known_args()  # flink run may pass its own arguments through
    cfg = config.from_args(args)
    from flinkfast.pipeline import embedded, job, sqlfiles
    from flinkfast.security import privatenet
    from flinkfast.topics import generations, groupstart, policy
    if args.print_sql:
        for name, sql in sqlfiles.flink_statements(cfg, masked=True):
            print(f"-- {name}\n{sql};\n")
        return 0
    if not privatenet.inside():
        # The job resets no offset (sql/flink/001_source_kafka.sql): the partitions its group never
        # committed start at the log start, committed here (compose, Kubernetes, the mini-cluster).
        # In the local stack's private namespace Kafka is out of reach: flinkfast.pipeline.submit did it.
        # So with the topic's settings: the broker's clock, and no compaction (flinkfast/topics/policy.py).
        # And the topic's generation (a re-created topic is refused): as the writer, all it holds.
        policy.require(cfg)
        generations.check_as_writer(cfg)
        groupstart.commit_start_offsets(cfg)
    if not job.under_flink_cli() and not privatenet.inside():
        return embedded.rerun_private(cfg)  # the mini-cluster's Py4J gateway: on a loopback of its own
    result = job.submit(cfg)
    job_id = result.get_job_client().get_job_id() if result.get_job_client() else None
    print(f"submitted job {cfg.job_name!r}" + (f" ({job_id})" if job_id else ""))
    return 0


if __name__ == "__main__":
    run(main, "flinkfast_job")
