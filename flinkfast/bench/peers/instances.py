"""A peer's program as several instances of itself, each a child process of the program the
benchmark started (drain.drain_peer meters that process with its children: their CPU and PSS
count). For the peers whose way to use more cores is more processes (quixstreams: instances in
one consumer group; bytewax: a cluster of processes).

Standard library only: the peers' programs run in venvs without flinkfast and import this file
from its folder, put on their path. The program calls supervise() when instance() is None; the
instances are the same program again, each told PEER_INSTANCE, a ready file and a state folder
of its own, and anything else the program passes (PEER_* as in flinkfast/bench/peers/__init__.py).
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

INSTANCE = "PEER_INSTANCE"
PARENT = "PEER_PARENT"
GRACE_S = 20          # the instances' time to stop on SIGTERM: below peers.stop's 30 s before its SIGKILL
PR_SET_PDEATHSIG = 1


def instance() -> int | None:
    """This instance's number, or None in the program the benchmark started. An instance is sent
    SIGTERM when that program ends, however it ends (Linux's parent-death signal), and ends at
    once if it already has."""
    if INSTANCE not in os.environ:
        return None
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(os.environ[PARENT]):
        sys.exit("its parent ended before it started")
    return int(os.environ[INSTANCE])


def partitions(env) -> int:
    """How many partitions PEER_TOPIC has (librdkafka's metadata, as the job's principal)."""
    import json

    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": env["PEER_KAFKA_BOOTSTRAP"], **json.loads(env["PEER_KAFKA_AUTH"])})
    topic = admin.list_topics(env["PEER_TOPIC"], timeout=30).topics[env["PEER_TOPIC"]]
    if topic.error is not None:
        raise RuntimeError(f"cannot list the partitions of {env['PEER_TOPIC']}: {topic.error.str()}")
    return len(topic.partitions)


def count(env) -> int:
    """As many instances as the topic has partitions (more would sit idle), at most one a core."""
    return max(1, min(partitions(env), os.cpu_count() or 1))


def supervise(n: int, extra: dict[str, str] | None = None) -> int:
    """Run n instances of this program; touch PEER_READY_FILE once every one has touched its own;
    on SIGTERM (or SIGINT) pass it on and wait for them (GRACE_S, then SIGKILL). When one ends
    by itself, the others are stopped: a peer short of an instance would leave partitions unread
    or read them late. Returns the exit status for the program."""
    env = os.environ
    ready, state = Path(env["PEER_READY_FILE"]), Path(env["PEER_STATE_DIR"])
    procs: list[subprocess.Popen] = []
    stopping = False

    def stop(*_) -> None:
        nonlocal stopping
        stopping = True
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for i in range(n):
        if stopping:
            break
        procs.append(subprocess.Popen([sys.executable, sys.argv[0]], stdin=subprocess.DEVNULL, env={
            **env, **(extra or {}), INSTANCE: str(i), PARENT: str(os.getpid()),
            "PEER_READY_FILE": f"{ready}.{i}", "PEER_STATE_DIR": str(state / str(i))}))
    status = 0
    while not stopping:
        ended = next((i for i, p in enumerate(procs) if p.poll() is not None), None)
        if ended is not None:
            print(f"instance {ended} of {n} ended (exit {procs[ended].returncode}): stopping the others", flush=True)
            status = 1
            stop()
            break
        if not ready.exists() and all(Path(f"{ready}.{i}").exists() for i in range(n)):
            ready.touch()  # set up, every one of them: the benchmark times it from here
        time.sleep(0.05)
    deadline = time.monotonic() + GRACE_S
    for p in procs:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return status
