"""The benchmark's bytewax peer: the topic into processed_events with bytewax's Kafka source and a
small sink of our own (bytewax has no PostgreSQL sink), upserting on the primary key (uuid).

Run with its own venv's python (flinkfast/bench/peers sets it up and starts it); every setting
comes from the environment (PEER_*, listed in flinkfast/bench/peers/__init__.py). The rows are
the naive consumer's (flinkfast/bench/drain.py): the event's fields, birth_year, the Kafka
position and timestamp, and the time this process handled the message as flink_ts_ms.

A bytewax worker is a thread, and workers in one process share the GIL: bytewax's performance
guide says to add processes (-i/--process-id, -a/--addresses) rather than workers (-w) to use
more cores. This program runs a cluster of as many single-worker processes as the topic has
partitions, at most one a core, each a child process of its own (flinkfast/bench/peers/instances.py):
what `python -m bytewax.run -i I -a ADDRESSES` runs in each (bytewax.run's cli_main). The
source gives each worker its share of the partitions; map and sink run on the worker that read
the message (nothing is exchanged between the processes). Without recovery bytewax commits no
Kafka offsets: a restart reads the topic from the start again.
"""
import datetime as dt
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

YEAR = dt.date.today().year
COLUMNS = ("uuid", "first_name", "last_name", "country", "age", "birth_year", "kafka_topic", "kafka_partition",
           "kafka_offset", "kafka_ts_ms", "flink_ts_ms")
# The plain upsert the other peers' sinks run: the last row written for a uuid wins.
UPSERT = (f"INSERT INTO processed_events ({', '.join(COLUMNS)}) VALUES %s ON CONFLICT (uuid) DO UPDATE SET "
          + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:]))


def to_row(msg) -> tuple:
    e = json.loads(msg.value)
    return (e["uuid"], e["first_name"], e["last_name"], e["country"], e["age"], YEAR - e["age"],
            msg.topic, msg.partition, msg.offset, msg.timestamp[1], int(time.time() * 1000))


class Upsert:
    """One worker's sink: rows buffered and written as one INSERT ... ON CONFLICT (uuid) DO UPDATE
    and one transaction every PEER_FLUSH_ROWS rows, or PEER_FLUSH_MS after the oldest buffered
    row (a thread of its own: bytewax calls a sink only when rows come). As PEER_DB_USER, over
    the stack's socket folder, with libpq's require_auth (PEER_PG_REQUIRE_AUTH)."""

    def __init__(self, env):
        import psycopg2
        from psycopg2.extras import execute_values
        self.execute_values = execute_values
        self.conn = psycopg2.connect(host=env["PEER_PG_HOST"], port=env["PEER_PG_PORT"], dbname=env["PEER_PG_DB"],
                                     user=env["PEER_PG_USER"], password=env["PEER_PG_PASSWORD"],
                                     require_auth=env["PEER_PG_REQUIRE_AUTH"], application_name="bytewax-peer")
        self.max_rows, self.max_s = int(env["PEER_FLUSH_ROWS"]), int(env["PEER_FLUSH_MS"]) / 1000
        self.rows: list[tuple] = []
        self.oldest = 0.0
        self.lock = threading.Lock()
        threading.Thread(target=self.timer, name="flush-timer", daemon=True).start()

    def write_batch(self, rows: list[tuple]) -> None:
        with self.lock:
            if not self.rows:
                self.oldest = time.monotonic()
            self.rows.extend(rows)
            while len(self.rows) >= self.max_rows:
                self.flush(self.max_rows)

    def timer(self) -> None:
        try:
            while True:
                with self.lock:
                    if self.rows and time.monotonic() - self.oldest >= self.max_s:
                        self.flush(len(self.rows))
                    wait = self.oldest + self.max_s - time.monotonic() if self.rows else self.max_s
                time.sleep(max(wait, 0.001))
        except Exception:  # a write that failed here must not pass unseen: end the process (its parent stops the rest)
            traceback.print_exc()
            sys.stdout.flush()
            os._exit(1)

    def flush(self, n: int) -> None:
        """Write the n oldest buffered rows (the lock held)."""
        batch, self.rows = self.rows[:n], self.rows[n:]
        self.oldest = time.monotonic()
        with self.conn.cursor() as cur:
            self.execute_values(cur, UPSERT, batch, page_size=len(batch))
        self.conn.commit()

    def close(self) -> None:
        with self.lock:
            if self.rows:
                self.flush(len(self.rows))
        self.conn.close()


def dataflow(env):
    import bytewax.operators as op
    from bytewax.connectors.kafka import KafkaSource
    from bytewax.dataflow import Dataflow
    from bytewax.outputs import DynamicSink, StatelessSinkPartition

    class Partition(Upsert, StatelessSinkPartition):
        pass

    class Sink(DynamicSink):
        def build(self, step_id, worker_index, worker_count):
            return Partition(env)

    # From the start of each partition (bytewax's default); the group named only so the
    # principal's ACLs cover it: bytewax assigns the partitions itself and commits nothing.
    kafka = {"group.id": env["PEER_GROUP"], **json.loads(env["PEER_KAFKA_AUTH"])}
    flow = Dataflow("peer")
    messages = op.input("kafka", flow, KafkaSource(env["PEER_KAFKA_BOOTSTRAP"].split(","), [env["PEER_TOPIC"]],
                                                   add_config=kafka))
    op.output("postgres", op.map("row", messages, to_row), Sink())
    return flow


def run_instance(env, i: int) -> None:
    """One process of the cluster, one worker: bytewax.run's defaults without recovery (an epoch
    every 10 s)."""
    from bytewax._bytewax import cli_main
    addresses = env["PEER_ADDRESSES"].split(";")
    cluster = {"process_id": i, "addresses": addresses} if len(addresses) > 1 else {}
    flow = dataflow(env)
    stopping = threading.Event()

    def stop(*_):
        stopping.set()
        raise KeyboardInterrupt  # bytewax's own way out: it checks for Python's signals as it runs

    signal.signal(signal.SIGTERM, stop)
    Path(env["PEER_READY_FILE"]).touch()  # this instance is set up (its parent waits for all)
    try:
        cli_main(flow, workers_per_process=1, epoch_interval=dt.timedelta(seconds=10), **cluster)
    except BaseException:
        if not stopping.is_set():
            raise
        # stopped on SIGTERM: bytewax reports it as an error; nothing was committed to Kafka anyway


def free_addresses(n: int) -> str:
    """n local addresses for the cluster's processes (free now; the processes bind them next)."""
    out, held = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        held.append(s)
        out.append(f"127.0.0.1:{s.getsockname()[1]}")
    for s in held:
        s.close()
    return ";".join(out)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import instances  # flinkfast/bench/peers/instances.py: standard library only
    i = instances.instance()
    if i is None:
        n = instances.count(os.environ)
        sys.exit(instances.supervise(n, {"PEER_ADDRESSES": free_addresses(n)}))
    run_instance(os.environ, i)


if __name__ == "__main__":
    main()
