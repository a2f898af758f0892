"""The local stack: ZooKeeper, Kafka, PostgreSQL and a Flink cluster as plain processes, no Docker.

Like kafka-python's test fixtures: one small class per service on a shared base, its
configuration rendered into the state folder, started in a session of its own with its pid
recorded, and a readiness probe waited for with a deadline. `down` stops only the processes
whose pid files it wrote.

    process.py       pids, /proc, ports, spawning and stopping: knows no service
    service.py       the shared base: a service's quirks as data, start/wait/retry/stop once
    zookeeper.py     kafka.py     postgres.py     flink.py (JobManager, TaskManager)
    flinkhome.py     the wheel's Flink: config.yaml, lib/, environment, bin/ (stack and clients)
    orchestrator.py  Stack: the services in order, up/down/status as records
    cli.py           flinkfast up|down|status|logs: the printing
"""
from flinkfast.stack.flinkhome import FlinkHome, pyflink_home
from flinkfast.stack.orchestrator import Progress, ServiceStatus, Stack
from flinkfast.stack.process import memory_kib, port_free, port_open

__all__ = ["FlinkHome", "Progress", "ServiceStatus", "Stack", "memory_kib", "port_free", "port_open", "pyflink_home",
           "main"]


def main(argv=None, prog=None):
    from flinkfast.stack.cli import main as cli_main
    return cli_main(argv, prog)
