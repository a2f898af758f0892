"""A Kafka broker on ZooKeeper, from Maven Central's jars: one of KAFKA_BROKERS.

Broker n (kafka, kafka-2, ...) has broker.id n-1, listens on KAFKA_PORT+n-1 (127.0.0.1 only) and
keeps its data in its own folder (.state/kafka, .state/kafka-2, ...). Every broker carries the
same replication settings (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS): Kafka's internal
topics are created by whichever broker is asked first.

Every connection authenticates (SASL/SCRAM-SHA-512, over TLS with KAFKA_SECURITY_PROTOCOL=SASL_SSL),
the brokers' own as KAFKA_ADMIN_USER, the only super user; nobody else may do anything without an
ACL (flinkfast.clients.kafka_acls). The admin's credential is written into ZooKeeper as the first
broker starts (the brokers need it to talk to each other); the others are set through the
running brokers (flinkfast.clients.secure_kafka). The brokers log in to ZooKeeper as user kafka,
live under the chroot /kafka (made for them, theirs only: flinkfast.stack.zktree) and keep their
znodes to themselves (zookeeper.set.acl).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from flinkfast.security import tls
from flinkfast.config import Config, broker_ports
from flinkfast.errors import Unavailable
from flinkfast.stack.service import LOG4J_STDOUT, RetryRule, Service, jars, java
from flinkfast.stack.zookeeper import client_jaas
from flinkfast.stack.zktree import kafka_connect

SCRAM = "SCRAM-SHA-512"
SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"


def scram_jaas(user: str, password: str, module: str = SCRAM_MODULE) -> str:
    """A sasl.jaas.config value that logs in as one SCRAM principal."""
    return f'{module} required username="{user}" password="{password}";'


def tls_dir(cfg: Config) -> Path:
    """The brokers' certificate for SASL_SSL (flinkfast.security.tls; its cert.pem is KAFKA_SSL_CA_FILE's default)."""
    return cfg.state_dir.resolve() / "kafka" / "tls"


class Kafka(Service):
    name = "kafka"
    port_env = "KAFKA_PORT"
    timeout_s = 120
    # After an unclean stop ZooKeeper keeps the old broker's registration until its session
    # expires (about 18 s); the broker exits with NodeExists meanwhile.
    retry = RetryRule("NodeExists", "stale broker registration in ZooKeeper (unclean stop)", pause_s=10)
    stale_after_crash_s = 18   # that session's timeout (zookeeper.session.timeout.ms, Kafka's default 18000)

    @property
    def port(self) -> int:
        return broker_ports(self.cfg.kafka_port, self.number)[-1]   # also one left over from a bigger stack

    def ports(self) -> list[tuple[int, str]]:
        return [(self.port, "KAFKA_PORT")]   # KAFKA_PORT moves them all

    def properties(self) -> dict[str, object]:
        cfg = self.cfg
        factor, isr = cfg.kafka_replication_factor, cfg.kafka_min_insync_replicas
        protocol, admin = cfg.kafka_security_protocol, cfg.kafka_admin_user
        return {
            "broker.id": self.number - 1,
            "listeners": f"{protocol}://127.0.0.1:{self.port}",
            "advertised.listeners": f"{protocol}://127.0.0.1:{self.port}",
            # Authentication on every connection, the brokers' own too; authorization by ACL only.
            "security.inter.broker.protocol": protocol,
            "sasl.enabled.mechanisms": SCRAM,
            "sasl.mechanism.inter.broker.protocol": SCRAM,
            f"listener.name.{protocol.lower()}.{SCRAM.lower()}.sasl.jaas.config":
                scram_jaas(admin, cfg.require("KAFKA_ADMIN_PASSWORD")),
            "authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
            "allow.everyone.if.no.acl.found": "false",
            "super.users": f"User:{admin}",
            **(self.ssl_properties() if protocol == "SASL_SSL" else {}),
            "zookeeper.connect": kafka_connect(cfg),   # under its chroot, /kafka (flinkfast.stack.zktree)
            "zookeeper.set.acl": "true",
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

    def ssl_properties(self) -> dict[str, object]:
        folder, password = tls_dir(self.cfg), self.cfg.require("KAFKA_ADMIN_PASSWORD")
        return {"ssl.keystore.type": "PKCS12", "ssl.keystore.location": folder / "keystore.p12",
                "ssl.keystore.password": password, "ssl.key.password": password,
                "ssl.truststore.type": "PKCS12", "ssl.truststore.location": folder / "truststore.p12",
                "ssl.truststore.password": password}

    def launch(self) -> None:
        d, cfg = self.dir, self.cfg
        (d / "data").mkdir(mode=0o700, parents=True, exist_ok=True)
        if cfg.kafka_security_protocol == "SASL_SSL":
            tls.ensure(tls_dir(cfg), cfg.require("KAFKA_ADMIN_PASSWORD"))
        self.write(d / "server.properties", "".join(f"{k}={v}\n" for k, v in self.properties().items()))
        self.write(d / "log4j.properties", LOG4J_STDOUT)
        self.write(d / "jaas.conf", client_jaas("kafka", cfg.require("ZOOKEEPER_KAFKA_PASSWORD")))
        self.spawn([java(), f"-Xmx{cfg.kafka_heap}", f"-Xms{cfg.kafka_heap}", "-XX:+UseG1GC",
                    "-Djava.awt.headless=true", f"-Dlog4j.configuration=file:{d / 'log4j.properties'}",
                    f"-Djava.security.auth.login.config={d / 'jaas.conf'}",
                    f"-Dkafka.logs.dir={d}", "-cp", f"{jars('kafka')}/*", "kafka.Kafka", str(d / "server.properties")])
        if self.number == 1:
            # While the broker's JVM starts (it reads the credential when it comes up, or takes it
            # from ZooKeeper's change notification and retries its own connection): start-up time.
            self.admin_credential()

    def admin_credential(self) -> None:
        """KAFKA_ADMIN_USER's SCRAM credential, written into ZooKeeper as the first broker starts, before
        anything can use it (kafka-configs' ZooKeeper path; the password goes in a private file, not on
        the command line)."""
        d, cfg = self.dir, self.cfg
        self.write(d / "admin-scram.properties", f"{SCRAM}=password={cfg.require('KAFKA_ADMIN_PASSWORD')}\n")
        try:
            r = subprocess.run([java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                                f"-Djava.security.auth.login.config={d / 'jaas.conf'}",
                                f"-Dlog4j.configuration=file:{d / 'log4j.properties'}", "-cp", f"{jars('kafka')}/*",
                                "kafka.admin.ConfigCommand", "--zookeeper", kafka_connect(cfg),
                                "--alter", "--add-config-file", str(d / "admin-scram.properties"),
                                "--entity-type", "users", "--entity-name", cfg.kafka_admin_user],
                               capture_output=True, text=True, timeout=120)
        finally:
            (d / "admin-scram.properties").unlink(missing_ok=True)
        if r.returncode != 0:
            lines = [line for line in (r.stderr + r.stdout).splitlines() if line.strip()]
            raise Unavailable(f"could not write Kafka's admin credential into ZooKeeper: "
                              f"{cfg.mask(lines[-1]) if lines else r.returncode}; is ZooKeeper up (`make up`)?")

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
