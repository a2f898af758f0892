"""The faults: kill -9 of a service (its supervisor starts a new one, or we do), a service or a process paused
(SIGSTOP) and resumed, a service stopped and started, the sink's sessions cut, a transaction aborted, records deleted (retention),
the topic deleted and re-created under its name."""
from __future__ import annotations

import os
import random
import signal
import time

from flinkfast.clients import pg_connect, wait_until
from flinkfast.config import Config
from flinkfast.errors import TimedOut, Unavailable


def kill(svc) -> int:
    """kill -9 of the service's own process (the JVM under its supervisor); its pid."""
    pid = svc.main_pid()
    if not pid:
        raise Unavailable(f"{svc.name} is not running")
    os.kill(pid, signal.SIGKILL)
    return pid


def replaced(svc, pid: int, timeout: float = 120) -> None:
    """Until a new process (not `pid`) of the service runs and is ready."""
    wait_until(lambda: svc.main_pid() not in (None, pid) and svc.ready(), timeout, f"a new {svc.name} after kill -9")


def kill_and_replace(stack, name: str, timeout: float = 120) -> int:
    """kill -9 of a service, then until its supervisor's new one is ready; the killed pid."""
    svc = stack.service(name)
    pid = kill(svc)
    replaced(svc, pid, timeout)
    return pid


_KILLED_AT: dict[int, float] = {}   # pid -> when crash() killed it (time.monotonic())


def crash(stack, name: str) -> int:
    """kill -9 of a service, supervised or not (Kafka, PostgreSQL); its pid. recovered() brings it back."""
    pid = kill(stack.service(name))
    _KILLED_AT[pid] = time.monotonic()
    return pid


def recovered(stack, name: str, pid: int, timeout: float = 120) -> None:
    """Until the crashed service runs again: its supervisor's new one, or (not restarted by a
    supervisor) started by us once the killed one is gone."""
    svc = stack.service(name)
    if svc.restart:
        replaced(svc, pid, timeout)
        return
    # Gone, and reaped: PostgreSQL refuses to start while its lock file names a pid that exists
    # (a zombie included), and while a backend of the killed one still holds its shared memory.
    wait_until(lambda: not svc.pid() and not os.path.exists(f"/proc/{pid}"), timeout, f"the killed {name} gone")
    # A broker started while ZooKeeper still holds the killed one's registration exits (NodeExists)
    # and is retried 10 s later: waiting out that session (from the kill) once is sooner.
    killed_at = _KILLED_AT.pop(pid, time.monotonic())
    time.sleep(max(0.0, killed_at + getattr(svc, "stale_after_crash_s", 0) - time.monotonic()))
    for attempt in range(3):
        try:
            stack.start(name)
            return
        except Unavailable:
            if attempt == 2:
                raise
            time.sleep(2)


def pause(service, seconds: float) -> int:
    """SIGSTOP of the service's own process (a VM freeze, a stop-the-world pause), SIGCONT after
    `seconds`; its pid."""
    pid = service.main_pid()
    if not pid:
        raise Unavailable(f"{service.name} is not running")
    pause_pid(pid)
    try:
        time.sleep(seconds)
    finally:
        resume_pid(pid)
    return pid


def restart(stack, name: str, down_s: float) -> None:
    """The service stopped, down for down_s seconds, then started (until it answers)."""
    stack.stop(name)
    time.sleep(down_s)
    stack.start(name)


def cut_sessions(cfg: Config, user: str) -> int:
    """Terminate every PostgreSQL session of a role, as the superuser (a failover in front of the
    database, an idle timeout); how many there were."""
    conn = pg_connect(cfg, "admin")
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE usename = %s", (user,))
            return cur.fetchone()[0]
    finally:
        conn.close()


def pause_pid(pid: int) -> None:
    """SIGSTOP: the process stops where it is, as in a VM freeze or a debugger's break. Its sockets
    stay open and its kernel still answers for them (TCP keepalives too): a peer sees a client that
    says nothing, not a client gone."""
    os.kill(pid, signal.SIGSTOP)


def resume_pid(pid: int) -> None:
    """SIGCONT: the paused process goes on where it stopped."""
    os.kill(pid, signal.SIGCONT)


def delete_records(cfg: Config, before: dict[int, int]) -> None:
    """What retention does: each listed partition's log starts at the given offset from now on
    (DeleteRecords, as the admin principal), whether the job has read what was before it or not."""
    from kafka import TopicPartition
    from flinkfast.clients import kafka_admin
    admin = kafka_admin(cfg)
    try:
        admin.delete_records({TopicPartition(cfg.kafka_topic, p): o for p, o in before.items()})
    finally:
        admin.close()


def recreate_topic(cfg: Config, on_deleted=None, timeout: float = 60) -> tuple[str, str]:
    """What an operator does to the topic under the pipeline: delete it and create it again under its
    name, with its partition count and the project's settings (flinkfast/clients.py create_topic).
    Kafka gives it a new topic id and its offsets start at 0 again; what was in the old one is gone,
    read or not. on_deleted(): called once the topic is gone and before it is created again (no
    acknowledgement can come from either generation then). (old topic id, new topic id)."""
    from flinkfast.clients import create_topic, delete_topics, kafka_admin
    from flinkfast.topics.generations import topic_id
    topic = cfg.kafka_topic
    old = topic_id(cfg, topic)
    if old is None:
        raise Unavailable(f"topic {topic} does not exist: nothing to re-create")
    admin = kafka_admin(cfg)
    try:
        partitions = len(admin.describe_topics([topic])[0]["partitions"])
    finally:
        admin.close()
    delete_topics(cfg, [topic])
    wait_until(lambda: topic_id(cfg, topic) is None, timeout, f"topic {topic} deleted")   # Kafka deletes asynchronously
    if on_deleted:
        on_deleted()
    wait_until(lambda: create_topic(cfg, topic, partitions) or topic_id(cfg, topic), timeout,
               f"topic {topic} created again")
    return old, topic_id(cfg, topic)


def abort_transaction(cfg: Config, records: list[tuple[bytes, int]]) -> int:
    """A transaction of these (value, partition) records written to the topic, then aborted: what a
    transactional producer leaves behind when it fails (its records and an abort marker take offsets;
    a read_committed reader sees neither). As the admin principal (a transactional id needs the
    TransactionalId and IdempotentWrite ACLs); how many records."""
    import uuid
    from flinkfast.clients import kafka_producer
    producer = kafka_producer(cfg, role="admin", transactional_id=f"abort-{uuid.uuid4().hex[:8]}",
                              enable_idempotence=True)
    try:
        producer.init_transactions()
        producer.begin_transaction()
        for value, partition in records:
            producer.send(cfg.kafka_topic, value=value, partition=partition)
        producer.flush()
        producer.abort_transaction()
    finally:
        producer.close()
    return len(records)


def pause_writer_mid_flush(stack, cfg: Config, timeout: float = 60) -> dict:
    """Pause (SIGSTOP) the TaskManager whose sink session holds the placing's partition locks: a
    flush placed and not committed. Polls PostgreSQL for such a session, pauses the TaskManager
    that owns its connection, and keeps it paused if the session, a moment later, still holds the
    locks (it did not get its COMMIT out in time); else resumes it and tries again. What it
    paused: the service's name, its pid, the held session's backend pid and state, the moment
    (ms), the attempts."""
    from flinkfast.ops import lookup
    conn = pg_connect(cfg, "admin")
    deadline, attempts = time.monotonic() + timeout, 0
    try:
        while time.monotonic() < deadline:
            held = lookup.writers_holding_locks(cfg, conn)
            if not held:
                time.sleep(0.002)
                continue
            backend, port = held[0][0], held[0][1]
            svc = lookup.taskmanager_of_port(stack, port)
            pid = svc.main_pid() if svc else None
            if not pid:
                continue
            pause_pid(pid)
            paused_ms = int(time.time() * 1000)
            attempts += 1
            try:
                time.sleep(0.3)  # the statement running when it stopped ends; a COMMIT sent in time lands
                still = [h for h in lookup.writers_holding_locks(cfg, conn) if h[0] == backend]
            except BaseException:
                resume_pid(pid)      # never leave a process paused behind an error
                raise
            if still and still[0][2] == "idle in transaction":
                return {"service": svc.name, "pid": pid, "backend": backend, "state": still[0][2],
                        "paused_ms": paused_ms, "attempts": attempts}
            resume_pid(pid)
            time.sleep(random.uniform(0.05, 0.5))
    finally:
        conn.close()
    raise TimedOut(f"no TaskManager paused between a flush's placing and its commit in {timeout:.0f}s "
                   f"({attempts} attempts): are events flowing?")
