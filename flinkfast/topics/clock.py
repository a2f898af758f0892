"""Which clock stamps the topic's records: the job runs only on a topic the broker stamps.

A record's Kafka timestamp decides its uuid's winner and is where every latency starts. Stamped
by the producer (CreateTime, Kafka's default), one producer's clock a day ahead pins its uuids
and makes latencies negative; stamped by the broker on append (LogAppendTime), it is the
broker's clock, in append order per partition. Every topic the project creates is LogAppendTime
(flinkfast.clients.create_topic, docker-compose.yml's kafka-init, deploy/k8s's KafkaTopic);
`submit` refuses any other, saying the command that switches it (docs/guarantees.md, "Which clock").
"""
from __future__ import annotations

from flinkfast.clients import LOG_APPEND_TIME, TIMESTAMP_TYPE, topic_timestamp_type
from flinkfast.config import Config
from flinkfast.errors import ConfigError, Unavailable


def fix_command(cfg: Config, topic: str) -> str:
    return (f"kafka-configs.sh --bootstrap-server {cfg.kafka_bootstrap_servers} --command-config <admin.properties> "
            f"--alter --entity-type topics --entity-name {topic} --add-config {TIMESTAMP_TYPE}={LOG_APPEND_TIME}")


def require_broker_time(cfg: Config, topic: str | None = None) -> None:
    """ConfigError (one line, with the command that fixes it) unless the topic is LogAppendTime."""
    from kafka.errors import KafkaError
    topic = topic or cfg.kafka_topic
    try:
        found = topic_timestamp_type(cfg, topic)
    except (KafkaError, OSError) as e:
        raise Unavailable(f"cannot read the {TIMESTAMP_TYPE} of topic {topic} on Kafka at "
                          f"{cfg.kafka_bootstrap_servers}: {type(e).__name__} {e}; does the topic exist (make up)?") from None
    if found != LOG_APPEND_TIME:
        raise ConfigError(f"topic {topic} has {TIMESTAMP_TYPE}={found}: its records would carry their producers' "
                          f"clocks; the job needs the broker's ({LOG_APPEND_TIME}), set it with: {fix_command(cfg, topic)}")
