"""The settings, grouped by the part of the system they configure, one module each; flinkfast.config
reads them all with one loader (flag > environment > .env > default).

    stack     the local stack's state folder, log rotation, the lock
    kafka     Kafka and its ZooKeeper: brokers, topic, clients' address and credentials
    flink     the Flink cluster: ports, addresses, memory, TaskManagers, TLS, HA login
    job       the Flink job: name, parallelism, checkpoints, where it starts reading
    sink      the sinks into PostgreSQL: connector, flushes, retries
    postgres  PostgreSQL: address, database, roles
    producer  the producer and the demo
    http      the dashboard and the Web UI gate
    bench     the benchmark and the drill
"""
from __future__ import annotations

from flinkfast.settings.bench import Bench
from flinkfast.settings.flink import Flink
from flinkfast.settings.http import Http
from flinkfast.settings.job import Job
from flinkfast.settings.kafka import Kafka
from flinkfast.settings.postgres import Postgres
from flinkfast.settings.producer import Producer
from flinkfast.settings.sink import Sink
from flinkfast.settings.stack import Stack

# In this order: a derived default may follow any setting of a part before it, or before it in its part.
PARTS = (Stack, Kafka, Flink, Job, Sink, Postgres, Producer, Http, Bench)
