"""A second stack of its own, with several TaskManagers and brokers (issue 21): FLINK_TASKMANAGERS=2
and KAFKA_BROKERS=3 come up beside the suite's stack; the topic and the consumer groups' offsets are
replicated 3 times with min.insync.replicas 2; the job runs with parallelism 4 on both TaskManagers
and delivers every event; `status` lists every process and judges the pipeline, the dashboard's
readers count the TaskManagers and brokers; every port is on loopback; `up` twice starts nothing;
`down` leaves no process and no port behind. On the same stack, a TaskManager paused (SIGSTOP) in
the middle of a flush holds the pipeline less than the documented bound (issue 26). The other faults
(a TaskManager or broker killed, a rescale) are `make drill`'s. The stack is the suite's one extra
stack (tests/e2e/extra_stack.py: its brokers speak SASL_SSL only, the SASL_SSL test of
test_security_kafka_e2e.py runs on it too); the tests share it, in this order (the SASL_SSL test
before the last); each brings it up if it runs alone."""
from __future__ import annotations

import time

import pytest

from flinkfast import clients
from flinkfast.accounting import reconcile
from flinkfast.pipeline import submit
from flinkfast.dashboard.sources import FlinkJobReader, KafkaLagReader
from flinkfast.pipeline.flinkrest import rest
from flinkfast.ops import faults, lookup, watch
from flinkfast.ops.load import Load
from flinkfast.stack import Stack, process
from flinkfast.accounting.verify import Landing
from tests.e2e.extra_stack import run_stack, up
from tests.helpers import deliver_and_reconcile

pytestmark = pytest.mark.e2e
SERVICES = ["zookeeper", "kafka", "kafka-2", "kafka-3", "postgres", "jobmanager", "taskmanager", "taskmanager-2",
            "webui"]
N = 2000
# A writer paused mid-flush holds the pipeline at most this long (docs/guarantees.md#a-paused-writer):
# the TaskManager declared lost (heartbeat.timeout 20 s), the job restarted on the other one's slots,
# the paused session's locks freed (the writer's idle_in_transaction_session_timeout, 10 s), its
# partitions delivering again.
PAUSE_BOUND_S = 60
PAUSE_RATE = 400          # events/s while the writer is paused


def lag_read(cfg) -> dict | None:
    """One read of the dashboard's Kafka source, as the dashboard polls it: None when it failed. On a
    fresh cluster the group's coordinator may still be elected (__consumer_offsets is created at the
    first group request, 3 replicas here), and the dashboard shows Kafka unavailable until it is."""
    from kafka.errors import KafkaError
    reader = KafkaLagReader(cfg)
    try:
        return reader.read()
    except KafkaError as e:
        print(f"the dashboard's Kafka reader: {e!r}; read again")
        return None
    finally:
        reader.close()


def test_two_taskmanagers_and_three_brokers_deliver_everything(extra_stack):
    env = extra_stack
    cfg, stack = up(env)
    assert [s.name for s in stack.services] == SERVICES
    pids = {s.name: s.pid() for s in stack.services}
    assert all(pids.values()), pids
    assert set(stack.stack_memory()) == {"zookeeper", "kafka", "postgres", "jobmanager", "taskmanager", "webui"}

    # Each process its own ports, all on loopback (the extra brokers and TaskManagers too).
    ports = process.listening(list(pids.values()))
    assert set(cfg.kafka_ports) <= set(ports) and len(cfg.kafka_ports) == 3
    exposed = {p: a for p, a in ports.items() if not process.loopback(a)}
    assert not exposed, f"ports bound beyond loopback: {exposed}"
    # Both TaskManagers joined over the cluster's internal TLS (one configuration for all).
    registered = rest(cfg, "/taskmanagers")["taskmanagers"]
    assert len(registered) == 2 and all(t["path"].startswith("pekko.ssl.tcp://") for t in registered), registered
    assert rest(cfg, "/overview")["slots-total"] == 4

    assert clients.brokers(cfg) == [0, 1, 2]
    assert clients.topic_replication(cfg) == (3, 3, 2), "(replicas, in sync, min.insync.replicas) of the topic"
    # What the dashboard shows of them.
    assert FlinkJobReader(cfg, cfg.flink_ui_url).read()["taskmanagers"] == 2
    seen = clients.wait_until(lambda: lag_read(cfg), 60, "the dashboard's Kafka reader")
    assert (seen["brokers"], seen["replicas"], seen["in_sync"]) == (3, 3, 3)
    status = run_stack("status", env=env)
    assert status.returncode == 1 and "PROBLEM: no job" in status.stdout, "up, but nothing is delivered"
    assert run_stack("up", env=env).returncode == 0
    assert {s.name: s.pid() for s in stack.services} == pids, "up twice must not start anything again"

    job_cfg = cfg.replace(flink_parallelism=4, checkpoint_interval_ms=1000)
    job_id = submit.submit(job_cfg)
    assert lookup.parallelism(cfg, job_id) == [4]
    for vertex, placed in lookup.placement(cfg, job_id).items():
        assert placed == {t["id"] for t in registered}, vertex

    deliver_and_reconcile(cfg, N, seed=21)
    assert clients.topic_replication(cfg, "__consumer_offsets") == (3, 3, 2), "the job's committed offsets"

    status = run_stack("status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    listed = [line.split()[0] for line in status.stdout.splitlines()[1:len(SERVICES) + 1]]
    assert listed == SERVICES and "OK: the pipeline is delivering" in status.stdout


def test_a_taskmanager_paused_mid_flush_holds_the_pipeline_less_than_the_bound(extra_stack):
    """SIGSTOP of the TaskManager whose sink session has placed a flush and not committed it: the
    session holds its partitions' locks, and its kernel still answers for its sockets. Within
    PAUSE_BOUND_S every partition delivers events made after the pause again (the job restarted on
    the other TaskManager's slots, the paused session ended by the writer's idle timeout), and once
    the paused TaskManager goes on, every acknowledged event is in its place exactly once."""
    cfg, stack = up(extra_stack)
    job_cfg = cfg.replace(flink_parallelism=2, checkpoint_interval_ms=1000)
    assert job_cfg.flink_parallelism <= cfg.taskmanager_slots, "the job must fit on the TaskManager left"
    job_id = submit.submit(job_cfg)   # replaces the first test's job, whose parallelism 4 fills every slot
    before = watch.accounting(cfg, to_end=True)["processed"]   # the first test's rows: every record placed
    load = Load(cfg, PAUSE_RATE, seed=26).start()
    paused = None
    try:
        clients.wait_until(lambda: watch.freshness(cfg, int(time.time() * 1000) - 1500, cfg.kafka_partitions)[0],
                           60, "events flowing in every partition before the pause")
        paused = faults.pause_writer_mid_flush(stack, cfg)
        print(f"\npaused {paused['service']} (pid {paused['pid']}) after {paused['attempts']} attempt(s): its "
              f"session {paused['backend']} {paused['state']}, holding the placing's locks")

        def holder(marks, s):
            if "paused_session_ended_s" not in marks and not any(
                    h[0] == paused["backend"] for h in lookup.writers_holding_locks(cfg)):
                marks["paused_session_ended_s"] = s

        marks = watch.recover(cfg, job_id, paused["paused_ms"], cfg.kafka_partitions, timeout=PAUSE_BOUND_S,
                              also=holder)
        print(f"recovered {marks['recovered_s']} s after the pause (bound {PAUSE_BOUND_S} s): {marks}")
    finally:
        if paused:
            faults.resume_pid(paused["pid"])
        load.stop()
    assert load.failed == 0 and not load.errors, load.errors
    with Landing(cfg, load.acked) as landing:
        landing.wait(timeout=120, progress=False)
        assert landing.landed() == len(load.acked)
    reconcile.wait_placed(cfg, cfg.kafka_topic, timeout=60)
    counts = watch.accounting(cfg, to_end=True)
    assert counts["ok"] and counts["missing"] == 0 and counts["doubled"] == 0, counts
    assert counts["processed"] == before + len(set(load.acked)), counts   # each uuid once


def test_down_leaves_no_process_and_no_port(extra_stack):
    env = extra_stack
    cfg, stack = up(env)
    pids = {s.name: s.pid() for s in stack.services}
    every = {d for pid in pids.values() for d in process.descendants(pid)}  # wrappers, scripts, JVMs
    down = run_stack("down", env=env)
    assert down.returncode == 0, down.stderr
    assert not [pid for pid in every if process.alive(pid)], "every process stopped"
    fixed = [*cfg.kafka_ports, cfg.zookeeper_port, cfg.postgres_port, cfg.flink_rest_port, cfg.flink_rpc_port,
             cfg.flink_ui_port]
    assert not any(process.port_open(p) for p in fixed) and all(process.port_free(p) for p in fixed)
    stopped = run_stack("status", env=env)
    assert stopped.returncode == 3 and "the local stack is not running" in stopped.stderr, "a code of its own"


def test_status_names_a_topic_replicated_less_than_the_settings(stack, cfg):
    """The suite's stack made its topic with one broker; asked with three brokers' settings (as after
    raising KAFKA_BROKERS on a stack with data), `status` says the topic keeps its one replica."""
    raised = Stack(cfg.replace(kafka_brokers=3, kafka_replication_factor=3, kafka_min_insync_replicas=2))
    problems = raised.replication_problems()
    assert problems == [f"topic {cfg.kafka_topic} has 1 replica(s) per partition, KAFKA_REPLICATION_FACTOR is 3: it "
                        "was created by a stack with fewer brokers (`make clean` starts over; or reassign its "
                        "partitions with kafka-reassign-partitions)"], problems
    assert stack.replication_problems() == [], "as made, nothing to say"
