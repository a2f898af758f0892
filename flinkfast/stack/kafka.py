"""The Kafka broker, one node on ZooKeeper, from Maven Central's jars."""
from __future__ import annotations

from flinkfast.stack.service import LOG4J_STDOUT, RetryRule, Service, jars, java


class Kafka(Service):
    name = "kafka"
    port_env = "KAFKA_PORT"
    timeout_s = 120
    # After an unclean stop ZooKeeper keeps the old broker's registration until its session
    # expires (about 18 s); the broker exits with NodeExists meanwhile.
    retry = RetryRule("NodeExists", "stale broker registration in ZooKeeper (unclean stop)", pause_s=10)

    def properties(self) -> dict[str, object]:
        cfg = self.cfg
        return {
            "broker.id": 0,
            "listeners": f"PLAINTEXT://127.0.0.1:{cfg.kafka_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{cfg.kafka_port}",
            "zookeeper.connect": f"127.0.0.1:{cfg.zookeeper_port}",
            "log.dirs": self.dir / "data",
            "num.partitions": cfg.kafka_partitions,
            # A single broker: internal topics cannot be replicated.
            "offsets.topic.replication.factor": 1,
            "transaction.state.log.replication.factor": 1,
            "transaction.state.log.min.isr": 1,
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
