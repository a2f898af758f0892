"""Where things are on a running stack: partition leaders, the controller, the TaskManagers (and which run a job), the job's parallelism."""
from __future__ import annotations

from flinkfast import clients
from flinkfast.pipeline import flinkrest
from flinkfast.config import Config


def leaders(cfg: Config) -> dict[int, int]:
    """Partition -> the id of the broker leading it, for the configured topic."""
    admin = clients.kafka_admin(cfg, request_timeout_ms=5000)
    try:
        parts = admin.describe_topics([cfg.kafka_topic])[0]["partitions"]
        return {p.get("partition_index", p.get("partition")): p.get("leader_id", p.get("leader")) for p in parts}
    finally:
        admin.close()


def controller(cfg: Config) -> int:
    admin = clients.kafka_admin(cfg, request_timeout_ms=5000)
    try:
        return admin.describe_cluster()["controller_id"]
    finally:
        admin.close()


def registered_taskmanagers(cfg: Config) -> set[str]:
    """The ids of the TaskManagers the JobManager knows."""
    return {tm["id"] for tm in flinkrest.rest(cfg, "/taskmanagers")["taskmanagers"]}


def placement(cfg: Config, job_id: str) -> dict[str, set[str]]:
    """Each vertex's name -> the ids of the TaskManagers running its subtasks."""
    out = {}
    for vertex in flinkrest.rest(cfg, f"/jobs/{job_id}")["vertices"]:
        tms = flinkrest.rest(cfg, f"/jobs/{job_id}/vertices/{vertex['id']}/taskmanagers")["taskmanagers"]
        out[vertex["name"]] = {tm["taskmanager-id"] for tm in tms}
    return out


def placed_on(cfg: Config, job_id: str) -> set[str]:
    """The ids of the TaskManagers running any of the job's tasks."""
    return set().union(*placement(cfg, job_id).values())


def taskmanager_ids(stack) -> dict[str, str]:
    """Service name -> the id Flink knows it by (matched by the ports it listens on, as
    TaskManager.ready does)."""
    from flinkfast.stack import process
    from flinkfast.stack.flink import rpc_port
    registered = flinkrest.rest(stack.cfg, "/taskmanagers")["taskmanagers"]
    out = {}
    for svc in stack.of_kind("taskmanager"):
        pid = svc.pid()
        mine = process.listening([pid]) if pid else {}
        for tm in registered:
            if tm.get("dataPort") in mine or rpc_port(tm.get("path", "")) in mine:
                out[svc.name] = tm["id"]
    return out


def parallelism(cfg: Config, job_id: str) -> list[int]:
    return sorted({v["parallelism"] for v in flinkrest.rest(cfg, f"/jobs/{job_id}")["vertices"]})


def writers_holding_locks(cfg: Config, conn=None) -> list[tuple[int, int, str, float]]:
    """The sink's sessions holding the placing's partition locks now (a flush between its placing
    and its commit): (backend pid, client port, state, seconds in that state). As the superuser;
    `conn` an open superuser connection to reuse (the pause polls this fast)."""
    from flinkfast.pipeline.sqlfiles import query
    own = conn is None
    conn = clients.pg_connect(cfg, "admin") if own else conn
    try:
        with conn.cursor() as cur:
            cur.execute(query("drill/writer_holding_locks.sql"), {"writer": cfg.flink_db_user})
            rows = cur.fetchall()
        conn.rollback()
        return rows
    finally:
        if own:
            conn.close()


def taskmanager_of_port(stack, port: int):
    """The TaskManager service whose process has a TCP connection from this local port (the
    client side of a database session), or None."""
    from flinkfast.stack import process
    for svc in stack.of_kind("taskmanager"):
        pid = svc.main_pid()
        if pid and port in process.connected_from([pid]):
            return svc
    return None
