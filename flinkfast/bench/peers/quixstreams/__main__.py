"""The benchmark's quixstreams peer: the topic into processed_events with quixstreams' own
PostgreSQL sink, upserting on the primary key (uuid).

Run with its own venv's python (flinkfast/bench/peers sets it up and starts it); every setting
comes from the environment (PEER_*, listed in flinkfast/bench/peers/__init__.py). The rows are
the naive consumer's (flinkfast/bench/drain.py): the event's fields, birth_year, the Kafka
position and timestamp, and the time this process handled the message as flink_ts_ms.

An Application is one thread; quixstreams' way to more cores is more instances of it in one
consumer group. This program runs as many as the topic has partitions, at most one a core, each
a child process of its own (flinkfast/bench/peers/instances.py), and is set up when all are. It
imports quixstreams only in them: its own memory is counted with theirs.
"""
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

YEAR = dt.date.today().year


def postgres_sink(env):
    """quixstreams' sink, upserting on uuid, as PEER_DB_USER: over the stack's socket folder
    (PEER_PG_HOST), and refusing to send the password to a server that does not ask for SCRAM."""
    from quixstreams.sinks.community.postgresql import PostgreSQLSink
    return PostgreSQLSink(host=env["PEER_PG_HOST"], port=int(env["PEER_PG_PORT"]), dbname=env["PEER_PG_DB"],
                          user=env["PEER_PG_USER"], password=env["PEER_PG_PASSWORD"], table_name="processed_events",
                          schema_auto_update=False, primary_key_columns="uuid", upsert_on_primary_key=True,
                          include_metadata=False, require_auth=env["PEER_PG_REQUIRE_AUTH"])


def run_instance(env) -> None:
    """One Application, on the partitions the consumer group gives it."""
    from quixstreams import Application, message_context
    from quixstreams.kafka.configuration import ConnectionConfig

    def to_row(value: dict, key, timestamp: int, headers) -> dict:
        where = message_context()
        return {"uuid": value["uuid"], "first_name": value["first_name"], "last_name": value["last_name"],
                "country": value["country"], "age": value["age"], "birth_year": YEAR - value["age"],
                "kafka_topic": where.topic, "kafka_partition": where.partition, "kafka_offset": where.offset,
                "kafka_ts_ms": timestamp, "flink_ts_ms": int(time.time() * 1000)}

    flush_s = int(env["PEER_FLUSH_MS"]) / 1000
    # A checkpoint flushes the sink and commits the offsets together: every PEER_FLUSH_ROWS
    # messages or PEER_FLUSH_MS, whichever comes first. An idle poll returns after flush_s, so
    # the last rows of a drain wait no longer than that either.
    kafka = ConnectionConfig.from_librdkafka_dict({"bootstrap.servers": env["PEER_KAFKA_BOOTSTRAP"],
                                                   **json.loads(env["PEER_KAFKA_AUTH"])})
    app = Application(broker_address=kafka, consumer_group=env["PEER_GROUP"],
                      auto_offset_reset="earliest", commit_every=int(env["PEER_FLUSH_ROWS"]),
                      commit_interval=flush_s, consumer_poll_timeout=flush_s, state_dir=env["PEER_STATE_DIR"],
                      auto_create_topics=False, use_changelog_topics=False, loglevel="WARNING",
                      # It writes nothing to Kafka: no idempotent producer, whose id the job's
                      # principal (it reads as the job) may not ask the cluster for.
                      producer_extra_config={"enable.idempotence": False})
    events = app.dataframe(app.topic(env["PEER_TOPIC"], value_deserializer="json"))
    events.apply(to_row, metadata=True).sink(postgres_sink(env))
    Path(env["PEER_READY_FILE"]).touch()  # this instance is set up (its parent waits for all)
    app.run()  # until SIGTERM: it commits what it has written and leaves the group


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import instances  # flinkfast/bench/peers/instances.py: standard library only
    if instances.instance() is None:
        sys.exit(instances.supervise(instances.count(os.environ)))
    run_instance(os.environ)


if __name__ == "__main__":
    main()
