"""The topic's settings the guarantees rest on: checked by `submit` before a job starts, and by
`status` and the dashboard while it runs (an operator may change them under it).

- **Which clock** (message.timestamp.type=LogAppendTime). A record's Kafka timestamp decides its
  uuid's winner and is where every latency starts. Stamped by the producer (CreateTime, Kafka's
  default), one producer's clock a day ahead pins its uuids and makes latencies negative; stamped
  by the broker on append (LogAppendTime), it is the broker's clock, in append order per
  partition. A record appended while the topic was CreateTime is a dead letter of its own reason.
- **What Kafka may delete** (cleanup.policy=delete). Retention and DeleteRecords delete from the
  log's start, which the job sees (OffsetOutOfRange, `make lost`). With compact, the log cleaner
  deletes records inside the log -- an older message of a key, a key's only one once a tombstone
  follows -- whether the job has read them or not, and leaves no trace of them.

Every topic the project creates has both (flinkfast.clients.create_topic, docker-compose.yml's
kafka-init, deploy/k8s's KafkaTopic); any other is refused with the command that sets it
(docs/guarantees.md, "Which clock" and "Retention").
"""
from __future__ import annotations

from flinkfast.clients import LOG_APPEND_TIME, TIMESTAMP_TYPE, topic_config
from flinkfast.config import Config
from flinkfast.errors import ConfigError, Unavailable

CLEANUP_POLICY = "cleanup.policy"
WANTED = {TIMESTAMP_TYPE: LOG_APPEND_TIME, CLEANUP_POLICY: "delete"}


def fix_command(cfg: Config, topic: str, key: str = TIMESTAMP_TYPE) -> str:
    return (f"kafka-configs.sh --bootstrap-server {cfg.kafka_bootstrap_servers} --command-config <admin.properties> "
            f"--alter --entity-type topics --entity-name {topic} --add-config {key}={WANTED[key]}")


def problems_of(cfg: Config, topic: str, found: dict[str, str]) -> list[str]:
    """What is wrong with the topic's settings `found` (WANTED's keys), one line each: a pure step."""
    out = []
    stamp = found.get(TIMESTAMP_TYPE)
    if stamp != LOG_APPEND_TIME:
        out.append(f"topic {topic} has {TIMESTAMP_TYPE}={stamp}: its records would carry their producers' clocks; "
                   f"the job needs the broker's ({LOG_APPEND_TIME}), set it with: {fix_command(cfg, topic)}")
    policy = found.get(CLEANUP_POLICY) or ""
    if "compact" in policy.split(","):
        out.append(f"topic {topic} has {CLEANUP_POLICY}={policy}: Kafka's log cleaner deletes messages inside the log, "
                   f"read by the job or not, without a trace; the job needs delete, set it with: "
                   f"{fix_command(cfg, topic, CLEANUP_POLICY)}")
    return out


def problems(cfg: Config, topic: str | None = None, admin=None) -> list[str]:
    """problems_of the topic as Kafka has it now (read as the job's principal, or with `admin`)."""
    topic = topic or cfg.kafka_topic
    return problems_of(cfg, topic, topic_config(cfg, topic, list(WANTED), admin=admin))


def require(cfg: Config, topic: str | None = None) -> None:
    """ConfigError (one line, with the command that fixes it) unless the topic has WANTED's settings."""
    from kafka.errors import KafkaError
    topic = topic or cfg.kafka_topic
    try:
        found = problems(cfg, topic)
    except (KafkaError, OSError) as e:
        raise Unavailable(f"cannot read the settings of topic {topic} on Kafka at {cfg.kafka_bootstrap_servers}: "
                          f"{type(e).__name__} {e}; does the topic exist (make up)?") from None
    if found:
        raise ConfigError(found[0])
