"""Client settings built in one place (as quix-streams' ConnectionConfig and TopicAdmin do):
Kafka admin, consumer and producer, topic creation, the PostgreSQL connection, and the one
deadline loop the project waits with.

Every other module asks here; nothing else spells a bootstrap address, a client timeout or a
connection string.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

from flinkfast.config import Config
from flinkfast.errors import TimedOut, Unavailable

KAFKA_TIMEOUT_MS = 10_000  # a broker that does not answer within this is unavailable, not waited for
T = TypeVar("T")


# ----------------------------------------------------------------------------- waiting

def wait_until(probe: Callable[[], T], timeout: float, what: str | Callable[[], str], interval: float = 0.5) -> T:
    """Call probe until it returns something true; return that. TimedOut after `timeout` s,
    naming what was awaited (one line for the user, like every error of the project); `what`
    may be a function, to say how far it got."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimedOut(what() if callable(what) else f"{what} not within {timeout:.0f}s")
        time.sleep(interval)


# ----------------------------------------------------------------------------- Kafka

def bootstrap(cfg: Config) -> list[str]:
    return cfg.kafka_bootstrap_servers.split(",")


def kafka_admin(cfg: Config, **settings):
    from kafka import KafkaAdminClient
    return KafkaAdminClient(**{"bootstrap_servers": bootstrap(cfg), "request_timeout_ms": KAFKA_TIMEOUT_MS,
                               "bootstrap_timeout_ms": KAFKA_TIMEOUT_MS, **settings})


def kafka_consumer(cfg: Config, *topics: str, **settings):
    """A consumer that never commits by itself (the project commits only on purpose)."""
    from kafka import KafkaConsumer
    return KafkaConsumer(*topics, **{"bootstrap_servers": bootstrap(cfg), "enable_auto_commit": False,
                                     "request_timeout_ms": KAFKA_TIMEOUT_MS, **settings})


def kafka_producer(cfg: Config, **settings):
    """A producer whose sends count once on every in-sync replica (acks=all)."""
    from kafka import KafkaProducer
    return KafkaProducer(**{"bootstrap_servers": bootstrap(cfg), "acks": "all", **settings})


def create_topic(cfg: Config, name: str | None = None, partitions: int | None = None) -> bool:
    """Create the topic (KAFKA_TOPIC by default) with a stated partition count, replicated
    KAFKA_REPLICATION_FACTOR times, with KAFKA_MIN_INSYNC_REPLICAS; False when it already existed
    (its replication is then what it was made with: see topic_replication). Brokers here never
    create topics by accident."""
    from kafka.errors import TopicAlreadyExistsError
    admin = kafka_admin(cfg)
    try:
        admin.create_topics({name or cfg.kafka_topic: {
            "num_partitions": partitions or cfg.kafka_partitions,
            "replication_factor": cfg.kafka_replication_factor,
            "configs": {"min.insync.replicas": str(cfg.kafka_min_insync_replicas)}}})
        return True
    except TopicAlreadyExistsError:
        return False
    finally:
        admin.close()


def brokers(cfg: Config) -> list[int]:
    """The ids of the brokers the cluster's metadata lists (the ones registered and running)."""
    admin = kafka_admin(cfg)
    try:
        return sorted(b["broker_id"] for b in admin.describe_cluster()["brokers"])
    finally:
        admin.close()


def topic_replication(cfg: Config, name: str | None = None) -> tuple[int, int, int]:
    """(replicas, in-sync replicas, min.insync.replicas) of a topic, the fewest of any partition."""
    from kafka.admin import ConfigResource, ConfigResourceType
    topic = name or cfg.kafka_topic
    admin = kafka_admin(cfg)
    try:
        partitions = admin.describe_topics([topic])[0]["partitions"]
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {"min.insync.replicas": None})],
                                         config_filter="all")
    finally:
        admin.close()
    isr = configs["topic"][topic]["min.insync.replicas"]["value"]
    return (*replicas(partitions), int(isr))


def replicas(partitions: list[dict]) -> tuple[int, int]:
    """(replicas, in-sync replicas) of a topic's partitions as its metadata lists them, the fewest of any."""
    return min(len(p["replica_nodes"]) for p in partitions), min(len(p["isr_nodes"]) for p in partitions)


def delete_topics(cfg: Config, names: list[str]) -> None:
    admin = kafka_admin(cfg)
    try:
        admin.delete_topics(names)
    finally:
        admin.close()


# ----------------------------------------------------------------------------- PostgreSQL

# Which settings hold each role's name and password (sql/postgres/002_roles.sql says what each may do).
ROLES = {"reader": ("READER_DB_USER", "READER_DB_PASSWORD"),   # everything that only looks
         "writer": ("FLINK_DB_USER", "FLINK_DB_PASSWORD"),     # the sink (and the benchmark's contenders)
         "admin": ("POSTGRES_USER", "POSTGRES_PASSWORD")}      # the schema, the benchmark's own database


# The only password exchange a client takes part in: SCRAM, which never shows the password to the
# other end. A server (or whatever listens on its port while it is down) that asks for the password in
# cleartext or as MD5 is refused before anything is sent (libpq's require_auth, libpq >= 16).
PG_REQUIRE_AUTH = "scram-sha-256"
LIBPQ_MIN = 160000


def pg_auth_settings() -> dict:
    """The authentication settings of every libpq connection the project opens."""
    import psycopg2.extensions
    if psycopg2.extensions.libpq_version() < LIBPQ_MIN:
        raise Unavailable(f"psycopg2's libpq is {psycopg2.extensions.libpq_version()}, older than 16: it cannot refuse "
                          "cleartext passwords (require_auth); reinstall psycopg2-binary (make setup)")
    return {"require_auth": PG_REQUIRE_AUTH}


def pg_connect(cfg: Config, role: str = "reader", dbname: str | None = None, timeout: int = 10):
    """A psycopg2 connection to POSTGRES_DB (or another database) as one of the pipeline's
    roles: the read-only reader unless asked; a refused connection is one line naming where,
    with the secret masked."""
    import psycopg2
    user_env, password_env = ROLES[role]
    try:
        return psycopg2.connect(host=cfg.postgres_host, port=cfg.postgres_port, dbname=dbname or cfg.postgres_db,
                                user=cfg.get(user_env), password=cfg.require(password_env), connect_timeout=timeout,
                                **pg_auth_settings())
    except psycopg2.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "connection failed"
        raise Unavailable(f"cannot connect to PostgreSQL at {cfg.postgres_host}:{cfg.postgres_port} "
                          f"(database {dbname or cfg.postgres_db}, role {cfg.get(user_env)}): {cfg.mask(first)}; "
                          "is the stack up (make up)?") from None
