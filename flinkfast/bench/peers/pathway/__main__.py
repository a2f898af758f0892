"""The benchmark's pathway peer: the topic into processed_events with pathway's Kafka reader and
PostgreSQL writer in snapshot mode, upserting on the primary key (uuid).

Run with its own venv's python (flinkfast/bench/peers sets it up and starts it); every setting
comes from the environment (PEER_*, listed in flinkfast/bench/peers/__init__.py). The rows are
the naive consumer's (flinkfast/bench/drain.py): the event's fields, birth_year, the Kafka
position and timestamp, and the time this process handled the message as flink_ts_ms.

Its workers are threads of this process, one a core (PATHWAY_THREADS: what `pathway spawn
--threads N` sets for the program it starts). Each worker runs the whole dataflow on its shard of the rows:
the Kafka reader runs on min(workers, partitions) of them, each a consumer in the group, and the
PostgreSQL writer in snapshot mode on the first worker only (pathway's output is single-threaded
there: the rows are gathered to it and written over one connection).
"""
import datetime as dt
import json
import os
import time
from pathlib import Path

import pathway as pw

YEAR = dt.date.today().year


class Event(pw.Schema, append_only=True):  # a topic is only ever appended to
    uuid: str
    first_name: str
    last_name: str
    country: str
    age: int


@pw.udf  # not deterministic; on an append-only table pathway keeps no memo of its results
def now_ms(uuid: str) -> int:
    return int(time.time() * 1000)


def postgres_settings(env) -> dict:
    """pathway's connection settings, as PEER_DB_USER: over the stack's socket folder (PEER_PG_HOST).
    Its client (rust-postgres) has no require_auth and would answer a cleartext request with the
    password: only the socket folder keeps a stand-in on the TCP port from asking."""
    return {"host": env["PEER_PG_HOST"], "port": env["PEER_PG_PORT"], "dbname": env["PEER_PG_DB"],
            "user": env["PEER_PG_USER"], "password": env["PEER_PG_PASSWORD"]}


def main() -> None:
    env = os.environ
    # Read by pathway's engine when pw.run() starts: the number of worker threads.
    os.environ["PATHWAY_THREADS"] = str(os.cpu_count() or 1)
    # librdkafka commits what was read every PEER_COMMIT_MS (pathway commits no offsets itself).
    kafka = {"bootstrap.servers": env["PEER_KAFKA_BOOTSTRAP"], "group.id": env["PEER_GROUP"],
             "auto.offset.reset": "earliest", "enable.auto.commit": "true",
             "auto.commit.interval.ms": env["PEER_COMMIT_MS"], **json.loads(env["PEER_KAFKA_AUTH"])}
    # A minibatch every PEER_FLUSH_MS; the writer commits each one, in transactions of at most
    # PEER_FLUSH_ROWS rows. At most PEER_FLUSH_ROWS messages are read ahead of the writer (without
    # a bound pathway pulls the whole topic into memory first).
    rows_per_flush = int(env["PEER_FLUSH_ROWS"])
    events = pw.io.kafka.read(kafka, env["PEER_TOPIC"], schema=Event, format="json", with_metadata=True,
                              autocommit_duration_ms=int(env["PEER_FLUSH_MS"]), max_backlog_size=rows_per_flush)
    where = pw.this._metadata
    rows = events.select(pw.this.uuid, pw.this.first_name, pw.this.last_name, pw.this.country, pw.this.age,
                         birth_year=YEAR - pw.this.age,
                         kafka_topic=where["topic"].as_str(unwrap=True),
                         kafka_partition=where["partition"].as_int(unwrap=True),
                         kafka_offset=where["offset"].as_int(unwrap=True),
                         kafka_ts_ms=where["timestamp_millis"].as_int(unwrap=True),
                         flink_ts_ms=now_ms(pw.this.uuid))
    pw.io.postgres.write(rows, postgres_settings(env), "processed_events", output_table_type="snapshot", primary_key=[rows.uuid],
                         max_batch_size=rows_per_flush)
    Path(env["PEER_READY_FILE"]).touch()  # set up: the benchmark times it from here
    pw.run(monitoring_level=pw.MonitoringLevel.NONE)


if __name__ == "__main__":
    main()
