"""The PyFlink job: Kafka (raw bytes) -> classify_row (the Java function of udf/: decode,
validate, stamp) -> PostgreSQL. Good events and dead letters go to two sinks that insert into the
intake views processed_events_in and dead_letter_events_in, with no primary key and no upsert;
the database places each message in exactly one of processed_events, superseded_events and
dead_letter_events (sql/postgres/003_ingest.sql). The sinks' connector follows SINK_MODE: copy
(the default, this project's binary COPY sink) or jdbc (Flink's JDBC connector).

All statements come from sql/flink/ (rendered with the configuration). The transformation is
the views in 002_transform.sql; the Kafka source and the two sinks are declared only at the
edge, so the transformation can be run on in-memory rows in tests.

Runs two ways:
    flink run -py flinkfast_job.py --pyFiles <project dir> -d    (a cluster: local stack or compose)
    python flinkfast_job.py                                     (an embedded mini-cluster)
"""
from __future__ import annotations

import os

from flinkfast.config import Config
from flinkfast.paths import job_jars
from flinkfast.pipeline.sqlfiles import flink_statements

# The settings the job reads (the ${NAME} placeholders of sql/flink and its own configuration),
# each a flag of `flinkfast submit` and of flinkfast_job.py.
JOB_SETTINGS = ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "KAFKA_GROUP_ID", "SCAN_STARTUP_MODE", "POSTGRES_HOST",
                "POSTGRES_PORT", "POSTGRES_DB", "FLINK_DB_USER", "JOB_NAME", "FLINK_PARALLELISM",
                "CHECKPOINT_INTERVAL_MS", "FLINK_OBJECT_REUSE", "SINK_MODE", "SINK_FLUSH_MAX_ROWS",
                "SINK_FLUSH_INTERVAL_MS", "SINK_FLUSH_IDLE_MS", "SINK_MAX_RETRIES", "MAX_EVENT_CHARS", "SKIP_MESSAGES",
                "KAFKA_SECURITY_PROTOCOL", "KAFKA_SSL_CA_FILE", "KAFKA_JOB_USER", "POSTGRES_SSLMODE",
                "POSTGRES_SSLROOTCERT", "POSTGRES_CHANNELBINDING")
EDGE_SOURCE = "001_source_kafka.sql"
TRANSFORM = "002_transform.sql"
EDGE_SINKS = ("003_sink_processed.sql", "004_sink_dead_letters.sql")
INSERTS = ("005_insert.sql",)


def under_flink_cli() -> bool:
    """`flink run -py` starts the Python client with a gateway port; a plain `python` run does not."""
    return "PYFLINK_GATEWAY_PORT" in os.environ


def job_settings(cfg: Config) -> dict[str, str]:
    """Flink configuration the job sets on its own table environment."""
    return {
        "pipeline.name": cfg.job_name,
        "parallelism.default": str(cfg.flink_parallelism),
        "execution.checkpointing.interval": f"{cfg.checkpoint_interval_ms}ms",
        "execution.checkpointing.mode": "EXACTLY_ONCE",
        "pipeline.object-reuse": cfg.flink_object_reuse,
        # The copy sink's flush on idle (its table option's default; the jdbc sink has no such thing).
        "flinkfast.sink.flush-idle": f"{cfg.sink_flush_idle_ms}ms",
        # Retry with growing pauses instead of failing for good after a crash or outage, at most
        # RESTART_ATTEMPTS times in a row.
        "restart-strategy.type": "exponential-delay",
        "restart-strategy.exponential-delay.initial-backoff": "1s",
        "restart-strategy.exponential-delay.max-backoff": "30s",
        "restart-strategy.exponential-delay.attempts-before-reset-backoff": str(cfg.restart_attempts),
    }


def create_table_env(cfg: Config, streaming: bool = True):
    from pyflink.table import EnvironmentSettings, TableEnvironment
    settings = EnvironmentSettings.in_streaming_mode() if streaming else EnvironmentSettings.in_batch_mode()
    t_env = TableEnvironment.create(settings)
    conf = t_env.get_config()
    for key, value in job_settings(cfg).items():
        conf.set(key, value)
    if not under_flink_cli() and job_jars():
        # A mini-cluster has only the wheel's lib/: ship the connectors and our function with the job.
        conf.set("pipeline.jars", ";".join(p.as_uri() for p in job_jars()))
    return t_env


def register_transform(t_env, cfg: Config) -> None:
    """Create the views (`classified`, `processed`, `dead_letters`) over whatever table is
    registered as random_user_source."""
    for _, sql in flink_statements(cfg, (TRANSFORM,)):
        t_env.execute_sql(sql)


def submit(cfg: Config, wait: bool | None = None):
    """Declare the edges, the transformation and the inserts; submit them as one job."""
    t_env = create_table_env(cfg)
    for _, sql in flink_statements(cfg, (EDGE_SOURCE, TRANSFORM, *EDGE_SINKS)):
        t_env.execute_sql(sql)
    statements = t_env.create_statement_set()
    for _, sql in flink_statements(cfg, INSERTS):
        statements.add_insert_sql(sql)
    result = statements.execute()
    if wait if wait is not None else not under_flink_cli():
        result.wait()
    return result
