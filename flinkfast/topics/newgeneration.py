"""`flinkfast new-generation`: after the topic was deleted and re-created under its name, archive the
old generation and go on, every new message placed as itself.

With the job stopped: the old generation's rows are renamed to '<topic>~<generation>' in the three
tables and event_places (sql/generations/archive.sql, one transaction; the rows that hold the new
generation's message at their position, placed before the job stopped, stay), the new topic id is
recorded as the next generation (flinkfast/topics/generations.py), the job's group is set to the start of
the new generation, and the job is resubmitted.

Where no generation was recorded -- compose and Kubernetes submit with the writer's password,
which cannot record one -- the data decides: the topic was re-created only if a placed position
holds another message in the log now; the unrecorded first generation is then archived as
generation 1 (its topic id 'unrecorded:<topic>'). There, run it with --no-submit from a shell
that has the database owner's and Kafka's passwords, then submit as those deployments do.

    python -m flinkfast.topics.newgeneration        (flinkfast new-generation)
"""
from __future__ import annotations

from flinkfast import config
from flinkfast.clients import kafka_consumer, pg_connect
from flinkfast.cli.command import Command
from flinkfast.config import Config
from flinkfast.errors import ConfigError, Unavailable, run
from flinkfast.topics import generations
from flinkfast.topics.generations import topic_id
from flinkfast.pipeline.job import JOB_SETTINGS
from flinkfast.pipeline.sqlfiles import query


def fingerprints(cfg: Config, topic: str, first: dict[int, int], end: dict[int, int]) -> list[tuple[int, int, int]]:
    """(partition, offset, fingerprint) of every committed record of the topic in [first, end)
    of each partition: the topic as it is now, its offsets read once by the caller."""
    from flinkfast.events.fingerprint import fingerprint
    from flinkfast.topics.scan import scan
    return [(p, o, fingerprint(value, ts)) for part in sorted(first)
            for p, o, ts, _, value in scan(cfg, topic, part, first[part], end[part])]


def reset_group(cfg: Config, topic: str) -> dict[int, int]:
    """The job's group at the start of every partition of the new generation (the job is stopped)."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata
    consumer = kafka_consumer(cfg, role="job", group_id=cfg.kafka_group_id)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        first = consumer.beginning_offsets(tps)
        consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in first.items()})
        return {tp.partition: o for tp, o in first.items()}
    finally:
        consumer.close()


UNRECORDED = "unrecorded:"   # the topic id of a first generation nobody recorded, before the topic's name


def new_generation(cfg: Config, resubmit: bool = True) -> tuple[str, int, str | None]:
    """Archive the old generation of a re-created topic and go on: (archived name, rows archived, job id)."""
    from flinkfast.pipeline import flinkrest, submit
    topic = cfg.kafka_topic
    now = topic_id(cfg, topic)
    if now is None:
        raise ConfigError(f"topic {topic} does not exist on Kafka at {cfg.kafka_bootstrap_servers}")
    for job in flinkrest.running_jobs(cfg, cfg.job_name):
        flinkrest.cancel(cfg, job["jid"])   # nothing is placed while the generations are told apart
    conn = pg_connect(cfg, "admin")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(query("generations/current.sql"), {"topic": topic})
            row = cur.fetchone()
    finally:
        conn.close()
    if row is not None and row[1] == now:
        raise ConfigError(f"topic {topic} has the id recorded for its generation {row[0]} ({now}): it was "
                          "not re-created; nothing to archive")
    from flinkfast.accounting.reconcile import kafka_offsets
    first, end, _ = kafka_offsets(cfg, topic, cfg.kafka_group_id)
    archived, rows = archive(cfg, topic, fingerprints(cfg, topic, first, end), now, first)
    reset_group(cfg, topic)
    job_id = submit.submit(cfg) if resubmit else None
    return archived, rows, job_id


def archive(cfg: Config, topic: str, current: list[tuple[int, int, int]], now: str,
            first: dict[int, int]) -> tuple[str, int]:
    """With the job stopped: rename the rows of the topic the log (`current`: partition, offset,
    fingerprint; `first`: each partition's first offset) does not hold as they are to
    '<topic>~<generation>' and record `now` as the next generation; (archived name, rows archived).
    Rows below a partition's first offset are not archived: retention cut those (a re-created log
    starts at 0), whoever recorded the generation it was compared with.

    Where no generation was recorded (compose and Kubernetes submit with the writer's password,
    which cannot record one), the data decides: only if a placed position holds another message
    in the log now was the topic re-created; the unrecorded first generation is then recorded as
    archived generation 1. Otherwise nothing changes and the refusal says so."""
    import psycopg2.errors
    import psycopg2.extras
    conn = pg_connect(cfg, "admin")
    try:
        with conn, conn.cursor() as cur:
            generations.bound_locks(cur)
            cur.execute(query("generations/current.sql"), {"topic": topic})
            row = cur.fetchone()
            cur.execute("CREATE TEMPORARY TABLE new_generation (kafka_partition integer, kafka_offset bigint, "
                        "fingerprint bigint, PRIMARY KEY (kafka_partition, kafka_offset)) ON COMMIT DROP")
            psycopg2.extras.execute_values(cur, "INSERT INTO new_generation VALUES %s", current, page_size=10_000)
            cur.execute("CREATE TEMPORARY TABLE log_start (kafka_partition integer PRIMARY KEY, first_offset bigint) "
                        "ON COMMIT DROP")
            if first:
                psycopg2.extras.execute_values(cur, "INSERT INTO log_start VALUES %s", sorted(first.items()))
            if row is None:
                cur.execute(query("generations/held_otherwise.sql"), {"topic": topic})
                if not cur.fetchone()[0]:
                    raise ConfigError(f"topic {topic} has no generation recorded and no placed position holds another "
                                      "message in its log now: it was not re-created; nothing to archive")
                cur.execute(query("generations/record_first.sql"), {"topic": topic, "topic_id": UNRECORDED + topic})
                row = (1, UNRECORDED + topic)
            generation = row[0]
            archived = f"{topic}~{generation}"
            cur.execute(query("generations/archive.sql"),
                        {"topic": topic, "archived": archived, "generation": generation, "topic_id": now})
            return archived, cur.fetchone()[0]
    except psycopg2.errors.LockNotAvailable:
        raise Unavailable(generations.LOCKED.format(topic=topic)) from None
    finally:
        conn.close()


def _arguments(parser) -> None:
    parser.add_argument("--no-submit", action="store_true", help="archive and reset only; do not resubmit the job")


def _run(args) -> int:
    cfg = config.from_args(args)
    archived, rows, job_id = new_generation(cfg, resubmit=not args.no_submit)
    print(f"topic {cfg.kafka_topic} re-created: {rows:,} positions of the old generation archived as {archived}; "
          f"group {cfg.kafka_group_id} set to the start of the new one"
          + (f"; job {cfg.job_name!r} resubmitted ({job_id})" if job_id else ""))
    return 0


COMMAND = Command("new-generation", "after the topic was deleted and re-created: archive the old generation's rows "
                  "and place the new one's messages as themselves",
                  "flinkfast new-generation --kafka-topic RandomUser", _run, _arguments,
                  settings=(*JOB_SETTINGS, "FLINKFAST_STATE_DIR", "LOCK_WAIT_S", "FLINK_REST_URL", "FLINK_REST_TLS_DIR"),
                  description=__doc__.split("\n\n")[0])
main = COMMAND.main


if __name__ == "__main__":
    run(main, "new-generation")
