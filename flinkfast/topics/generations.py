"""A topic's generations: Kafka's topic id tells a topic from one deleted and re-created under its
name, whose offsets start at 0 again.

  - check(cfg), run by every submit: the topic's id is recorded the first time (generation 1);
    if Kafka's id differs from the recorded one, the submit is refused with one line naming
    `flinkfast new-generation`. check_as_writer(cfg) does the same where the job's client holds
    only the writer's password (compose, Kubernetes: flinkfast_job.py). A running job that meets the new generation's messages at
    positions placed already stops on the placing's own line (sql/postgres/003_ingest.sql).
  - `flinkfast new-generation` (flinkfast/topics/newgeneration.py) archives the old generation and goes on.
  - describe(cfg, cur, topic), for reconcile: the generations, their ids and archived rows.
"""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.clients import kafka_admin, pg_connect
from flinkfast.config import Config
from flinkfast.errors import ConfigError, Unavailable
from flinkfast.pipeline.sqlfiles import query

COMMAND_HINT = "`flinkfast new-generation`"
LOCK_S = 30   # the longest the owner's generation steps wait for a row lock (a writer's open transaction)
LOCKED = ("the generations of topic {topic} are locked by another session for over " + str(LOCK_S) + " s (a writer's "
          "transaction left open?): find it in pg_stat_activity, end it (pg_terminate_backend) and try again")


def bound_locks(cur) -> None:
    """The owner's steps wait at most LOCK_S for a lock: a writer's session may hold the generation's
    row in a transaction it keeps open (it may lift its own idle timeout; found by an attack)."""
    cur.execute(f"SET LOCAL lock_timeout = '{LOCK_S}s'")


def topic_id(cfg: Config, topic: str, role: str = "monitor") -> str | None:
    """Kafka's id of the topic (KIP-516), None if the topic does not exist."""
    from kafka.errors import KafkaError
    try:
        admin = kafka_admin(cfg, role=role)
    except (KafkaError, OSError) as e:
        raise Unavailable(f"Kafka at {cfg.kafka_bootstrap_servers} is not reachable: {e}; is the stack up?") from None
    try:
        described = admin.describe_topics([topic])
    finally:
        admin.close()
    found = [t for t in described if t.get("name") == topic and t.get("error_code") == 0]
    return str(found[0]["topic_id"]) if found else None


def refusal(topic: str, generation: int, recorded: str, now: str) -> str:
    return (f"topic {topic} was re-created: Kafka's topic id is {now}, generation {generation} was {recorded}; its "
            f"offsets started again at 0, so its messages would meet the old generation's rows at their positions: "
            f"run {COMMAND_HINT} to archive generation {generation}'s rows as {topic}~{generation} and go on")


def recreated(cfg: Config, cur, topic: str | None = None) -> str | None:
    """The refusal line if Kafka's topic id is not the recorded current generation's (the topic was
    re-created under the job), else None; `cur`: any role that may read topic_generations."""
    topic = topic or cfg.kafka_topic
    cur.execute(query("generations/current.sql"), {"topic": topic})
    row = cur.fetchone()
    if row is None:
        return None
    now = topic_id(cfg, topic)
    return refusal(topic, row[0], row[1], now) if now is not None and now != row[1] else None


def check(cfg: Config, topic: str | None = None) -> None:
    """Before a submit: record the topic's first generation, or refuse if the topic was re-created."""
    topic = topic or cfg.kafka_topic
    now = topic_id(cfg, topic)
    if now is None:
        return   # no topic yet: nothing to tell apart (the job waits for it)
    import psycopg2.errors
    conn = pg_connect(cfg, "admin")
    try:
        with conn, conn.cursor() as cur:
            bound_locks(cur)
            cur.execute(query("generations/record_first.sql"), {"topic": topic, "topic_id": now})  # once per topic
            cur.execute(query("generations/current.sql"), {"topic": topic})
            row = cur.fetchone()   # what is recorded now, whoever recorded it
    except psycopg2.errors.LockNotAvailable:
        raise Unavailable(LOCKED.format(topic=topic)) from None
    finally:
        conn.close()
    if row is None:
        raise ConfigError(f"topic {topic} has generations recorded but none current (topic_generations edited by "
                          "hand?): set archived_at back to NULL on its last generation")
    generation, recorded = row
    if recorded != now:
        raise ConfigError(refusal(topic, generation, recorded, now))


def check_as_writer(cfg: Config, topic: str | None = None) -> None:
    """check, where the job's client holds no other password than the writer's and the job's Kafka
    one (compose's and Kubernetes' JobManager: flinkfast_job.py): through the writer's view
    topic_generations_in, which records the first generation and refuses another id on one line."""
    import psycopg2
    topic = topic or cfg.kafka_topic
    now = topic_id(cfg, topic, role="job")
    if now is None:
        return
    conn = pg_connect(cfg, "writer")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(query("generations/check_as_writer.sql"), {"topic": topic, "topic_id": now})
    except psycopg2.errors.CheckViolation as e:
        raise ConfigError(e.diag.message_primary) from None
    finally:
        conn.close()


@dataclass
class Generation:
    generation: int
    topic_id: str
    archived: bool
    rows: int | None          # an archived generation's rows, under '<topic>~<generation>'


def describe(cur, topic: str) -> list[Generation]:
    cur.execute(query("reconcile/generations.sql"), {"topic": topic})
    return [Generation(*row) for row in cur.fetchall()]
