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


SASL_MECHANISM = "SCRAM-SHA-512"
# Which settings hold each Kafka principal's name and password (what each may do: kafka_acls below).
KAFKA_ROLES = {"admin": ("KAFKA_ADMIN_USER", "KAFKA_ADMIN_PASSWORD"),            # up, bench, drill: topics, groups
               "producer": ("KAFKA_PRODUCER_USER", "KAFKA_PRODUCER_PASSWORD"),   # the producer: writes the topic
               "job": ("KAFKA_JOB_USER", "KAFKA_JOB_PASSWORD"),                  # the job, and what moves its group
               "monitor": ("KAFKA_MONITOR_USER", "KAFKA_MONITOR_PASSWORD")}      # what only looks: status, reconcile


def kafka_credentials(cfg: Config, role: str) -> tuple[str, str]:
    user_env, password_env = KAFKA_ROLES[role]
    return cfg.get(user_env), cfg.require(password_env)


def kafka_auth(cfg: Config, role: str) -> dict:
    """kafka-python's settings of one principal: SASL/SCRAM, over TLS trusting KAFKA_SSL_CA_FILE for SASL_SSL."""
    user, password = kafka_credentials(cfg, role)
    auth = {"security_protocol": cfg.kafka_security_protocol, "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": user, "sasl_plain_password": password}
    if cfg.kafka_security_protocol == "SASL_SSL":
        auth["ssl_cafile"] = cfg.kafka_ssl_ca_file
    return auth


def librdkafka_auth(cfg: Config, role: str) -> dict:
    """The same for librdkafka (the benchmark's peers: quixstreams, pathway)."""
    user, password = kafka_credentials(cfg, role)
    auth = {"security.protocol": cfg.kafka_security_protocol.lower(), "sasl.mechanisms": SASL_MECHANISM,
            "sasl.username": user, "sasl.password": password}
    if cfg.kafka_security_protocol == "SASL_SSL":
        auth["ssl.ca.location"] = cfg.kafka_ssl_ca_file
    return auth


def kafka_admin(cfg: Config, role: str = "admin", **settings):
    """An admin client; as the admin principal unless asked (role="monitor" only describes and reads offsets)."""
    from kafka import KafkaAdminClient
    return KafkaAdminClient(**{"bootstrap_servers": bootstrap(cfg), "request_timeout_ms": KAFKA_TIMEOUT_MS,
                               "bootstrap_timeout_ms": KAFKA_TIMEOUT_MS, **kafka_auth(cfg, role), **settings})


def kafka_consumer(cfg: Config, *topics: str, role: str = "monitor", **settings):
    """A consumer that never commits by itself (the project commits only on purpose); as the monitor's
    principal unless asked: it reads the topic and the job's committed offsets, and can neither
    commit nor join a group (what commits or subscribes asks for role="job")."""
    from kafka import KafkaConsumer
    return KafkaConsumer(*topics, **{"bootstrap_servers": bootstrap(cfg), "enable_auto_commit": False,
                                     "request_timeout_ms": KAFKA_TIMEOUT_MS, **kafka_auth(cfg, role), **settings})


def kafka_producer(cfg: Config, role: str = "producer", **settings):
    """A producer whose sends count once on every in-sync replica (acks=all); as the producer's principal."""
    from kafka import KafkaProducer
    return KafkaProducer(**{"bootstrap_servers": bootstrap(cfg), "acks": "all", **kafka_auth(cfg, role), **settings})


def kafka_acls(cfg: Config, topic: str, groups: str) -> list:
    """What the producer, the job and the monitor may do with one topic (nobody but the admin, a super
    user, may do anything without an ACL): the producer writes it; the job reads it and reads/commits
    the groups whose names begin with `groups` (the job's group, a replay's, the benchmark's
    contenders'); the monitor reads it, its configuration and those groups' committed offsets
    (Describe: OffsetFetch, DescribeGroups), but may not commit or join one (Read)."""
    from kafka.admin import ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern, ResourceType
    producer, job, monitor = (f"User:{cfg.kafka_producer_user}", f"User:{cfg.kafka_job_user}",
                              f"User:{cfg.kafka_monitor_user}")
    on_topic = ResourcePattern(ResourceType.TOPIC, topic)
    on_groups = ResourcePattern(ResourceType.GROUP, groups, ACLResourcePatternType.PREFIXED)
    grants = [(producer, ACLOperation.WRITE, on_topic), (producer, ACLOperation.DESCRIBE, on_topic),
              (job, ACLOperation.READ, on_topic), (job, ACLOperation.DESCRIBE, on_topic),
              (job, ACLOperation.READ, on_groups), (job, ACLOperation.DESCRIBE, on_groups),
              # The benchmark's peers read as the job, and quixstreams reads the topic's configuration
              # first (read-only: what retention and partitions it has).
              (job, ACLOperation.DESCRIBE_CONFIGS, on_topic),
              (monitor, ACLOperation.READ, on_topic), (monitor, ACLOperation.DESCRIBE, on_topic),
              (monitor, ACLOperation.DESCRIBE_CONFIGS, on_topic), (monitor, ACLOperation.DESCRIBE, on_groups)]
    return [ACL(principal, "*", op, ACLPermissionType.ALLOW, resource) for principal, op, resource in grants]


def grant(admin, acls: list) -> None:
    failed = admin.create_acls(acls)["failed"]
    if failed:
        raise Unavailable(f"Kafka refused an ACL: {failed[0]}; is {KAFKA_ROLES['admin'][0]} its super user?")


def secure_kafka(cfg: Config) -> None:
    """The producer's, the job's and the monitor's SCRAM credentials, and their ACLs on KAFKA_TOPIC
    and KAFKA_GROUP_ID, set as the admin (idempotent; the admin's own credential is made before the brokers start:
    flinkfast.stack.kafka; every topic made by create_topic gets its ACLs there)."""
    admin = kafka_admin(cfg)
    try:
        wait_until(lambda: set_scram_credentials(cfg, admin), 60,
                   "the clients' SCRAM credentials accepted by Kafka's controller")
        grant(admin, kafka_acls(cfg, cfg.kafka_topic, cfg.kafka_group_id))
    finally:
        admin.close()


def set_scram_credentials(cfg: Config, admin) -> bool:
    """Upsert the producer's, the job's and the monitor's credentials; whether all are there now.
    On ZooKeeper, only the controller takes them: another broker answers NOT_CONTROLLER, which kafka-python
    reports as no error (its message is empty). So they are sent through the controller's own
    port, and read back."""
    from kafka.admin import ScramMechanism, UserScramCredentialUpsertion
    wanted = dict(kafka_credentials(cfg, role) for role in ("producer", "job", "monitor"))
    cluster = admin.describe_cluster()
    via = [f"{b['host']}:{b['port']}" for b in cluster["brokers"] if b["broker_id"] == cluster["controller_id"]]
    direct = kafka_admin(cfg, bootstrap_servers=via or bootstrap(cfg))
    try:
        failed = [f"user {u}: {e}" for u, e in direct.alter_user_scram_credentials([
            UserScramCredentialUpsertion(u, ScramMechanism.SCRAM_SHA_512, p) for u, p in wanted.items()]).items() if e]
    finally:
        direct.close()
    if failed:
        raise Unavailable(f"Kafka refused the credentials: {'; '.join(failed)}")
    found = admin.describe_user_scram_credentials(list(wanted))
    return all(found.get(u, {}).get("credential_infos") for u in wanted)


def create_topic(cfg: Config, name: str | None = None, partitions: int | None = None) -> bool:
    """Create the topic (KAFKA_TOPIC by default), with the clients' ACLs on it (the
    job's groups: those named after the topic), with a stated partition count, replicated
    KAFKA_REPLICATION_FACTOR times, with KAFKA_MIN_INSYNC_REPLICAS; False when it already existed
    (its replication is then what it was made with: see topic_replication). Brokers here never
    create topics by accident."""
    from kafka.errors import TopicAlreadyExistsError
    topic = name or cfg.kafka_topic
    admin = kafka_admin(cfg)
    try:
        grant(admin, kafka_acls(cfg, topic, topic))   # the producer writes it, the job reads it (groups topic*)
        admin.create_topics({topic: {
            "num_partitions": partitions or cfg.kafka_partitions,
            "replication_factor": cfg.kafka_replication_factor,
            "configs": {"min.insync.replicas": str(cfg.kafka_min_insync_replicas),
                        TIMESTAMP_TYPE: LOG_APPEND_TIME}}})
        return True
    except TopicAlreadyExistsError:
        return False
    finally:
        admin.close()


# Which clock stamps a topic's records: the broker's, on append, for every topic of the project
# (docs/guarantees.md, "Which clock"), so that no producer's clock can pin a uuid or make a
# latency negative; `submit` refuses a topic stamped otherwise.
TIMESTAMP_TYPE = "message.timestamp.type"
LOG_APPEND_TIME = "LogAppendTime"


def topic_config(cfg: Config, name: str | None = None, keys: list[str] = (TIMESTAMP_TYPE,), admin=None) -> dict[str, str]:
    """Some of the topic's settings as Kafka has them now (its own or the broker's default), read as
    the job's principal (it may describe the topic's configuration), or with `admin`."""
    from kafka.admin import ConfigResource, ConfigResourceType
    topic = name or cfg.kafka_topic
    client = admin or kafka_admin(cfg, role="monitor")
    try:
        configs = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, dict.fromkeys(keys))],
                                          config_filter="all")
    finally:
        if admin is None:
            client.close()
    return {k: configs["topic"][topic][k]["value"] for k in keys}


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


def pg_tls_settings(cfg: Config) -> dict:
    """libpq's sslmode, sslrootcert and channel_binding, each only when set (POSTGRES_SSLMODE,
    POSTGRES_SSLROOTCERT, POSTGRES_CHANNELBINDING): the same TLS as the job's sinks
    (flinkfast/pipeline/sqlfiles.py jdbc_tls)."""
    return {k: v for k, v in (("sslmode", cfg.postgres_sslmode), ("sslrootcert", cfg.postgres_sslrootcert),
                              ("channel_binding", cfg.postgres_channelbinding)) if v}


def pg_connect(cfg: Config, role: str = "reader", dbname: str | None = None, timeout: int = 10):
    """A psycopg2 connection to POSTGRES_DB (or another database) as one of the pipeline's
    roles: the read-only reader unless asked; a refused connection is one line naming where,
    with the secret masked."""
    import psycopg2
    user_env, password_env = ROLES[role]
    try:
        return psycopg2.connect(host=cfg.postgres_host, port=cfg.postgres_port, dbname=dbname or cfg.postgres_db,
                                user=cfg.get(user_env), password=cfg.require(password_env), connect_timeout=timeout,
                                **pg_auth_settings(), **pg_tls_settings(cfg))
    except psycopg2.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "connection failed"
        raise Unavailable(f"cannot connect to PostgreSQL at {cfg.postgres_host}:{cfg.postgres_port} "
                          f"(database {dbname or cfg.postgres_db}, role {cfg.get(user_env)}): {cfg.mask(first)}; "
                          "is the stack up (make up)?") from None
