"""A Kafka broker on ZooKeeper, from Maven Central's jars: one of KAFKA_BROKERS.

Broker n (kafka, kafka-2, ...) has broker.id n-1, listens on KAFKA_PORT+n-1 (127.0.0.1 only) and
keeps its data in its own folder (.state/kafka, .state/kafka-2, ...). Every broker carries the
same replication settings (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS): Kafka's internal
topics are created by whichever broker is asked first.
"""
from __future__ import annotations

from flinkfast.config import broker_ports
from flinkfast.stack.service import LOG4J_STDOUT, RetryRule, Service, jars, java


class Kafka(Service):
    name = "kafka"
    port_env = "KAFKA_PORT"
    timeout_s = 120
    # After an unclean stop ZooKeeper keeps the old broker's registration until its session
    # expires (about 18 s); the broker exits with NodeExists meanwhile.
    retry = RetryRule("NodeExists", "stale broker registration in ZooKeeper (unclean stop)", pause_s=10)

    @property
    def port(self) -> int:
        return broker_ports(self.cfg.kafka_port, self.number)[-1]   # also one left over from a bigger stack

    def ports(self) -> list[tuple[int, str]]:
        return [(self.port, "KAFKA_PORT")]   # KAFKA_PORT moves them all

    def properties(self) -> dict[str, object]:
        cfg = self.cfg
        factor, isr = cfg.kafka_replication_factor, cfg.kafka_min_insync_replicas
        return {
            "broker.id": self.number - 1,
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "zookeeper.connect": f"127.0.0.1:{cfg.zookeeper_port}",
            "log.dirs": self.dir / "data",
            "num.partitions": cfg.kafka_partitions,
            # Replication (1 and 1 with one broker: nothing to replicate). The internal topics are
            # replicated like the pipeline's: a consumer group's offsets (Flink commits the job's
            # there) and the transactions' state.
            "default.replication.factor": factor,
            "min.insync.replicas": isr,
            "offsets.topic.replication.factor": factor,
            "transaction.state.log.replication.factor": factor,
            "transaction.state.log.min.isr": isr,
            # A broker that stops hands its partitions' leadership to the others first (controlled
            # shutdown); the last one has nobody to hand them to and retries: 1 s apart, not 5.
            "controlled.shutdown.retry.backoff.ms": 1000,
            "group.initial.rebalance.delay.ms": 0,
            # Topics are created explicitly with a stated partition count, never by accident.
            "auto.create.topics.enable": "false",
            # A bounded disk: the oldest segments go first past this size per partition.
            "log.retention.bytes": cfg.kafka_retention_bytes,
        }

    def launch(self) -> None:
        d, cfg = self.dir, self.cfg
        (d / "data").mkdir(mode=0o700, parents=True, exist_ok=True)
        self.write(d / "server.properties", "".join(f"{k}={v}\n" for k, v in self.properties().items()))
        self.write(d / "log4j.properties", LOG4J_STDOUT)
        self.spawn([java(), f"-Xmx{cfg.kafka_heap}", f"-Xms{cfg.kafka_heap}", "-XX:+UseG1GC",
                    "-Djava.awt.headless=true", f"-Dlog4j.configuration=file:{d / 'log4j.properties'}",
                    f"-Dkafka.logs.dir={d}", "-cp", f"{jars('kafka')}/*", "kafka.Kafka", str(d / "server.properties")])

    def ready(self) -> bool:
        from kafka.errors import KafkaError

        from flinkfast.clients import kafka_admin
        try:
            admin = kafka_admin(self.cfg, bootstrap_servers=f"127.0.0.1:{self.port}", request_timeout_ms=3000,
                                bootstrap_timeout_ms=3000)
        except (KafkaError, OSError, ValueError):
            return False
        try:
            admin.list_topics()
            return True
        except (KafkaError, OSError):
            return False
        finally:
            admin.close()
