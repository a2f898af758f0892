"""Kafka and its ZooKeeper: the local stack's brokers, the topic, the clients' address and credentials."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flinkfast.settings.option import option

MAX_BROKERS = 9      # KAFKA_BROKERS: broker ids 0-8, ports KAFKA_PORT to KAFKA_PORT+8
KAFKA_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")


def broker_ports(first: int, brokers: int) -> list[int]:
    """Broker n of the local stack (1, 2, ...) listens on first + n - 1."""
    return [first + i for i in range(brokers)]


def replication(brokers: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) for a cluster of this many brokers.

    Three replicas where there are three brokers or more (more copies cost disk and network and
    add no safety a single machine can use); fewer brokers, one replica on each. An acks=all write
    is acknowledged once RF - 1 replicas have it, so one broker may be down without stopping
    writes and an acknowledged write survives the loss of any one broker. With one broker there
    is nothing to replicate: 1 and 1 (Kafka refuses every acks=all write when min.insync.replicas
    exceeds the replicas in sync, so it can never exceed the replication factor).
    """
    factor = min(3, brokers)
    return factor, min_insync(factor)


def min_insync(factor: int) -> int:
    return max(1, factor - 1)


@dataclass(frozen=True)
class Kafka:
    # The local stack's ZooKeeper and brokers (ports on 127.0.0.1 only; docs/local-stack.md).
    zookeeper_port: int = option(2181, "ZooKeeper client port")
    zookeeper_heap: str = option("128m", "ZooKeeper JVM heap (-Xmx)")
    kafka_port: int = option(9092, "port of the (first) Kafka broker; further brokers take the ports after it")
    kafka_heap: str = option("512m", "Kafka broker JVM heap (-Xmx)")
    kafka_brokers: int = option(1, f"Kafka brokers of the local stack (1 to {MAX_BROKERS}: kafka, kafka-2, ...), "
                                   "listening on KAFKA_PORT, KAFKA_PORT+1, ...")
    kafka_retention_bytes: int = option(1073741824, "Kafka keeps at most this many bytes per partition "
                                                    "(log.retention.bytes)")
    # Where clients find it. 127.0.0.1, not localhost: the servers listen there only, and where
    # localhost resolves to ::1 first another local user could listen on that port and receive
    # the credentials.
    kafka_bootstrap_servers: str = option(
        None, "Kafka bootstrap servers (every broker of the local stack)",
        derive=lambda v: ",".join(f"127.0.0.1:{p}" for p in broker_ports(v["KAFKA_PORT"], v["KAFKA_BROKERS"])))
    # The topic.
    kafka_topic: str = option("RandomUser", "topic the producer writes and the job reads")
    kafka_partitions: int = option(4, "partitions of the topic when it is created (a multiple of FLINK_PARALLELISM "
                                      "keeps subtasks evenly loaded)")
    kafka_replication_factor: int = option(None, "replicas of each partition of the topic and of Kafka's internal "
                                                 "topics (default: KAFKA_BROKERS, at most 3)",
                                           derive=lambda v: replication(v["KAFKA_BROKERS"])[0])
    kafka_min_insync_replicas: int = option(None, "min.insync.replicas: replicas that must have a write before "
                                                  "Kafka acknowledges it to an acks=all producer (default: "
                                                  "KAFKA_REPLICATION_FACTOR - 1, at least 1)",
                                            derive=lambda v: min_insync(v["KAFKA_REPLICATION_FACTOR"]))
    kafka_group_id: str = option("flinkfast", "consumer group of the Flink job")
    # Credentials (docs/local-stack.md#kafka-and-zookeeper-credentials). Four Kafka principals
    # (SASL/SCRAM-SHA-512) with ACLs: admin (the brokers themselves and whatever manages topics),
    # producer (writes the topic), job (reads the topic and commits its group), monitor (reads the
    # topic and the group's offsets: a leaked monitor password cannot move the job's position).
    kafka_security_protocol: str = option("SASL_PLAINTEXT", "how clients and brokers speak to Kafka: "
                                                            "SASL_PLAINTEXT or SASL_SSL (TLS; KAFKA_SSL_CA_FILE)")
    kafka_ssl_ca_file: str = option(None, "CA certificate (PEM) the clients trust for SASL_SSL (default: the "
                                          "local stack's, $FLINKFAST_STATE_DIR/kafka/tls/cert.pem)",
                                    derive=lambda v: str(Path(v["FLINKFAST_STATE_DIR"]) / "kafka" / "tls" / "cert.pem"))
    kafka_admin_user: str = option("admin", "Kafka principal of the brokers (inter-broker) and of topic management "
                                            "(up, bench, drill): the only super user")
    kafka_admin_password: str | None = option(None, "password of KAFKA_ADMIN_USER", secret=True)
    kafka_producer_user: str = option("producer", "Kafka principal of the producer: writes KAFKA_TOPIC only")
    kafka_producer_password: str | None = option(None, "password of KAFKA_PRODUCER_USER", secret=True)
    kafka_job_user: str = option("job", "Kafka principal of the job (and of what moves its group: submit, skip, "
                                        "lost, new-generation): reads KAFKA_TOPIC, commits KAFKA_GROUP_ID")
    kafka_job_password: str | None = option(None, "password of KAFKA_JOB_USER", secret=True)
    kafka_monitor_user: str = option("monitor", "Kafka principal of what only looks (status, reconcile, the "
                                                "dashboard): reads KAFKA_TOPIC and the job's committed offsets, "
                                                "never commits or joins a group")
    kafka_monitor_password: str | None = option(None, "password of KAFKA_MONITOR_USER", secret=True)
    zookeeper_kafka_password: str | None = option(None, "ZooKeeper (SASL/digest) password of the brokers, user kafka",
                                                  secret=True)
