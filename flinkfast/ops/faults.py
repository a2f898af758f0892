"""The faults: kill -9 of a service (its supervisor starts a new one, or we do), a service paused, a service
stopped and started, the sink's sessions cut."""
from __future__ import annotations

import os
import signal
import time

from flinkfast.clients import pg_connect, wait_until
from flinkfast.config import Config
from flinkfast.errors import Unavailable


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


def crash(stack, name: str) -> int:
    """kill -9 of a service, supervised or not (Kafka, PostgreSQL); its pid. recovered() brings it back."""
    return kill(stack.service(name))


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
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGCONT)
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
