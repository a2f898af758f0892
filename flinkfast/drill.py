"""`make drill`: faults and a rescale under a steady load, on a stack of its own with three
TaskManagers and three brokers; a JSON report, and exit 0 only if nothing was lost or doubled.

A thread produces DRILL_RATE events/s (acks=all, each event a uuid of its own) from the start to
the end; the job runs at parallelism 2 on a topic of 4 partitions (planned for the rescale: at 4
each subtask reads one partition, at 2 two each). After a steady baseline, in turn:
  1. kill -9 of a TaskManager running the job's tasks (its supervisor starts a new one): does
     the job restart on the other TaskManagers' free slots, or wait for the new one?
  2. kill -9 of a broker leading partitions of the topic (not the controller): the leaders move
     to the other replicas (RF 3, min.insync.replicas 2); then the broker is started again;
  3. the rescale in place through the adaptive scheduler is asked for (PUT
     /jobs/:id/resource-requirements) and its answer recorded; then the rescale the default
     scheduler offers: stop-with-savepoint and resubmission from the savepoint at parallelism
     4, and back to 2 the same way (no --allowNonRestoredState: every operator's state must be
     restored, the trap of FLINK-35336);
  4. kill -9 of the JobManager (its supervisor restarts it; HA on ZooKeeper brings the job back).
Per fault: the seconds until the job runs again and until every partition delivers events made
after the fault within 2 s again (recovery), p50/p99/max latency (PostgreSQL's clock minus the
Kafka timestamp) of the events made from DRILL_WINDOW_S before the fault to DRILL_WINDOW_S after
the recovery, the messages the topic took meanwhile, and reconcile up to the committed offsets.
At the end the load stops, the job drains, and the accounting must hold: reconcile OK, every
message of the topic in processed_events once (nothing superseded, no dead letter) and every
event Kafka acknowledged among them.

Results: benchmarks/<timestamp>-drill.json and a table; the stack is stopped by its own `down`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import threading
import time
import urllib.error
from pathlib import Path

from flinkfast import clients, config, flinkrest, producer, reconcile, submit
from flinkfast.command import Command
from flinkfast.config import Config
from flinkfast.errors import CheckFailed, TimedOut, Unavailable, UserError, one_line
from flinkfast.paths import REPO_ROOT
from flinkfast.sqlfiles import query

OUT_DIR = REPO_ROOT / "benchmarks"
STATE = REPO_ROOT / ".state" / "drill"
# The stack's shape and the job's: three of each; a topic of PARTITIONS partitions, planned for
# the rescale between PARALLELISM and RESCALED (a multiple of both: every subtask as busy).
SHAPE = {"FLINK_TASKMANAGERS": 3, "KAFKA_BROKERS": 3, "KAFKA_HEAP": "256m", "TASKMANAGER_SLOTS": 2}
PARALLELISM, RESCALED = 2, 4
PARTITIONS = 4
CHECKPOINT_MS = 1000
FRESH_MS = 2000          # recovered: every partition delivers events made after the fault within this
RECOVERY_S = 180         # bound on each recovery
BUDGET_S = 12 * 60       # the whole drill, up and down included


def say(msg: str) -> None:
    print(f"drill: {msg}", flush=True)


# ---------------------------------------------------------------------------------- the load
class Load:
    """DRILL_RATE events/s from a thread until stop(), each event a new uuid; a producer that
    gives up (e.g. metadata gone longer than its bound) is replaced by a new one."""

    def __init__(self, cfg: Config, rate: int, seed: int = 21):
        self.cfg, self.rate, self.seed = cfg, rate, seed
        self.summaries: list[producer.ProduceSummary] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drill-load", daemon=True)

    def start(self) -> "Load":
        self._thread.start()
        return self

    def _events(self, seed: int):
        for event in producer.generate_events(None, seed=seed):
            if self._stop.is_set():
                return
            yield event

    def _run(self) -> None:
        seed = self.seed
        while not self._stop.is_set():
            try:
                self.summaries.append(producer.produce(self.cfg, self._events(seed), rate=self.rate, progress=False))
            except Exception as e:  # noqa: BLE001 (the load must go on; the error is reported)
                self.errors.append(one_line(e, 160))
                time.sleep(1)
            if not self._stop.is_set() and self.summaries and self.summaries[-1].first_error:
                self.errors.append(self.summaries[-1].first_error)
            seed += 1_000_003  # a new producer never repeats a uuid

    def stop(self, timeout: float = 90) -> None:
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimedOut(f"the load's producer did not finish within {timeout:.0f}s")

    @property
    def acked(self) -> list[str]:
        return [u for s in self.summaries for u in s.uuids]

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.summaries)


# ---------------------------------------------------------------------------------- what is watched
def _fetch(cfg: Config, name: str, params: dict) -> list[tuple]:
    with clients.pg_connect(cfg) as conn, conn.cursor() as cur:
        cur.execute(query(f"drill/{name}"), params)
        return cur.fetchall()


def freshness(cfg: Config, since_ms: int) -> tuple[bool, int | None]:
    """(every partition delivers events made at or after since_ms within FRESH_MS, the lag of the
    stalest partition in ms) from the rows inserted in the last seconds."""
    rows = _fetch(cfg, "freshness.sql", {"topic": cfg.kafka_topic})
    if not rows:
        return False, None
    now = rows[0][2]
    lag = now - min(r[1] for r in rows)
    fresh = len(rows) == PARTITIONS and min(r[1] for r in rows) >= since_ms and lag <= FRESH_MS
    return fresh, int(lag)


def latency(cfg: Config, from_ms: int, to_ms: int) -> dict:
    """p50/p99/max of postgres_timestamp - kafka_timestamp of the events made in [from, to]."""
    rows, p50, p99, mx = _fetch(cfg, "latency_window.sql", {"topic": cfg.kafka_topic, "from_ms": from_ms,
                                                            "to_ms": to_ms})[0]
    return {"rows": rows, **{k: (round(float(v)) if v is not None else None)
                             for k, v in (("p50_ms", p50), ("p99_ms", p99), ("max_ms", mx))}}


def messages(cfg: Config) -> int:
    """Messages in the topic's log."""
    first, end, _ = reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    return sum(end[p] - first[p] for p in end)


def accounting(cfg: Config) -> dict:
    r = reconcile.reconcile(cfg)
    return {"ok": r.ok, "consumed": sum(p.consumed for p in r.partitions),
            "processed": sum(p.processed for p in r.partitions),
            "superseded": sum(p.superseded for p in r.partitions),
            "dead_letters": sum(p.dead_letters for p in r.partitions),
            "missing": sum(p.missing for p in r.partitions), "doubled": sum(p.doubled for p in r.partitions)}


def job_running(cfg: Config, job_id: str) -> str:
    """RUNNING when the job and every task run; else the job's state, or 'unreachable'."""
    try:
        info = flinkrest.rest(cfg, f"/jobs/{job_id}", timeout=3)
    except (OSError, ValueError):
        return "unreachable"
    if info["state"] == "RUNNING" and any(v["status"] != "RUNNING" for v in info["vertices"]):
        return "DEPLOYING"
    return info["state"]


def restarts(cfg: Config, job_id: str) -> int | None:
    try:
        value = flinkrest.metric(cfg, job_id, "numRestarts")
    except (OSError, ValueError):
        return None
    return int(value) if value is not None else None


def placed_on(cfg: Config, job_id: str) -> set[str]:
    """The ids of the TaskManagers running the job's tasks."""
    out = set()
    for vertex in flinkrest.rest(cfg, f"/jobs/{job_id}")["vertices"]:
        for tm in flinkrest.rest(cfg, f"/jobs/{job_id}/vertices/{vertex['id']}/taskmanagers")["taskmanagers"]:
            out.add(tm["taskmanager-id"])
    return out


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


def recover(cfg: Config, job_id, fault_ms: int, timeout: float = RECOVERY_S, also=None) -> dict:
    """Watch, twice a second, from a fault until the job runs and every partition is fresh again
    (events made at least 1 s after the fault, delivered within FRESH_MS). job_id may be a
    callable (the job changes in a rescale). `also(marks, seconds)` records more marks."""
    marks: dict[str, float] = {}
    worst = 0
    t0 = fault_ms / 1000
    while True:
        now = time.time()
        jid = job_id() if callable(job_id) else job_id
        state = job_running(cfg, jid) if jid else "none"
        if state != "RUNNING":
            marks.setdefault("job_interrupted_s", round(now - t0, 1))
        elif "job_interrupted_s" in marks:
            marks.setdefault("job_running_again_s", round(now - t0, 1))
        if also:
            also(marks, round(now - t0, 1))
        try:
            fresh, lag = freshness(cfg, fault_ms + 1000)
        except Exception:  # noqa: BLE001 (PostgreSQL is not at fault here; the next look counts)
            fresh, lag = False, None
        worst = max(worst, lag or 0)
        if fresh and state == "RUNNING":
            marks["recovered_s"] = round(now - t0, 1)
            marks["worst_lag_ms"] = worst
            return marks
        if now - t0 > timeout:
            raise TimedOut(f"not recovered {timeout:.0f}s after the fault (job {state}, lag {lag} ms, marks {marks})")
        time.sleep(0.5)


# ---------------------------------------------------------------------------------- the faults
def kill(svc) -> int:
    pid = svc.main_pid()
    if not pid:
        raise Unavailable(f"{svc.name} is not running")
    os.kill(pid, signal.SIGKILL)
    return pid


def kill_taskmanager(stack, cfg: Config, job_id: str) -> dict:
    """kill -9 of a TaskManager running tasks of the job; its supervisor starts a new one."""
    before = taskmanager_ids(stack)
    busy = placed_on(cfg, job_id)
    name = next(n for n, tid in sorted(before.items()) if tid in busy)
    svc = stack.service(name)
    restarts_before = restarts(cfg, job_id) or 0
    fault_ms = int(time.time() * 1000)
    pid = kill(svc)
    say(f"kill -9 {name} (pid {pid}), which ran tasks of the job; the job runs on {len(busy)} TaskManager(s)")

    def back(marks, s):
        if "taskmanager_back_s" not in marks and svc.main_pid() not in (None, pid) and svc.ready():
            marks["taskmanager_back_s"] = s

    marks = recover(cfg, job_id, fault_ms, also=back)
    now_on = placed_on(cfg, job_id)
    if "taskmanager_back_s" not in marks:
        from flinkfast.clients import wait_until
        wait_until(lambda: svc.main_pid() not in (None, pid) and svc.ready(), 120, f"a new {name} after kill -9")
        marks["taskmanager_back_s"] = round(time.time() - fault_ms / 1000, 1)
    new_id = taskmanager_ids(stack).get(name)
    others = set(before.values()) - {before[name]}
    if now_on <= others:
        how = "restarted at once on the other TaskManagers' free slots, without waiting for the new TaskManager"
    elif new_id in now_on:
        how = "waited for the supervisor's new TaskManager and placed tasks on it"
    else:
        how = f"restarted on {sorted(now_on)}"
    return {"fault": "kill -9 TaskManager", "target": name, "pid": pid, "fault_ms": fault_ms, **marks,
            "restarts": (restarts(cfg, job_id) or 0) - restarts_before, "behaviour": how,
            "taskmanagers_before": len(busy), "taskmanagers_after": len(now_on)}


def _leaders(cfg: Config) -> dict[int, int]:
    admin = clients.kafka_admin(cfg, request_timeout_ms=5000)
    try:
        parts = admin.describe_topics([cfg.kafka_topic])[0]["partitions"]
        return {p.get("partition_index", p.get("partition")): p.get("leader_id", p.get("leader")) for p in parts}
    finally:
        admin.close()


def _controller(cfg: Config) -> int:
    admin = clients.kafka_admin(cfg, request_timeout_ms=5000)
    try:
        return admin.describe_cluster()["controller_id"]
    finally:
        admin.close()


def kill_broker(stack, cfg: Config, job_id: str) -> dict:
    """kill -9 of a broker that leads partitions of the topic (not the controller, when another
    leads any); the leaders move; then the broker is started again and catches up."""
    from flinkfast.stack.service import numbered
    leaders, controller = _leaders(cfg), _controller(cfg)
    leading = sorted(set(leaders.values()))
    victim = next((b for b in leading if b != controller), leading[0])
    name = numbered("kafka", victim + 1)
    svc = stack.service(name)
    fault_ms = int(time.time() * 1000)
    pid = kill(svc)
    led = sorted(p for p, b in leaders.items() if b == victim)
    say(f"kill -9 {name} (broker {victim}, pid {pid}), leader of partition(s) {led}"
        + (" and the controller" if victim == controller else f"; the controller is broker {controller}"))

    def moved(marks, s):
        if "leaders_moved_s" not in marks:
            try:
                if victim not in _leaders(cfg).values():
                    marks["leaders_moved_s"] = s
            except Exception:  # noqa: BLE001 (metadata not answered this time)
                pass

    marks = recover(cfg, job_id, fault_ms, also=moved)
    t = time.monotonic()
    stack.start(name)  # waits until it answers (retrying while ZooKeeper holds its old registration)
    marks["broker_back_after_restart_s"] = round(time.monotonic() - t, 1)
    from flinkfast.clients import wait_until
    wait_until(lambda: clients.topic_replication(cfg)[1] == SHAPE["KAFKA_BROKERS"], 120,
               f"{name} back in sync on {cfg.kafka_topic}")
    marks["in_sync_again_s"] = round(time.time() - fault_ms / 1000, 1)
    return {"fault": "kill -9 broker", "target": name, "broker_id": victim, "pid": pid, "fault_ms": fault_ms,
            "was_controller": victim == controller, "partitions_led": led, **marks,
            "behaviour": "leaders moved to in-sync replicas; the producer (acks=all) and the job went on"}


def rescale_in_place(cfg: Config, job_id: str, to: int) -> dict:
    """Ask Flink to rescale the running job in place (the adaptive scheduler's resource
    requirements); its answer. Under the default scheduler Flink refuses."""
    vertices = flinkrest.rest(cfg, f"/jobs/{job_id}")["vertices"]
    body = {v["id"]: {"parallelism": {"lowerBound": 1, "upperBound": to}} for v in vertices}
    try:
        flinkrest.rest(cfg, f"/jobs/{job_id}/resource-requirements", method="PUT", body=json.dumps(body).encode())
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            text = "\n".join(json.loads(text).get("errors", [text]))
        except ValueError:
            pass
        causes = re.findall(r"^\s*(?:Caused by: )?([\w.$]+(?:Exception|Error): .+)$", text, re.M)
        return {"accepted": False, "answer": f"HTTP {e.code}: {one_line(causes[-1] if causes else text, 200)}",
                "server_said": text[:3000]}
    return {"accepted": True, "answer": "accepted"}


def rescale(cfg: Config, job_id: str, to: int) -> tuple[str, dict]:
    """Stop the job with a savepoint and resubmit it at parallelism `to` from that savepoint
    (every operator's state restored, nothing dropped). When the restore fails (FLINK-35336:
    operator ids that change with the parallelism), the failure is recorded and the job is
    resubmitted from the group's committed offsets instead, so the drill can go on and say so.
    Returns the new job's id and what happened."""
    state_dir = cfg.state_dir.resolve() / "flink" / "savepoints"
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    before = parallelism(cfg, job_id)
    t0 = time.monotonic()
    path = flinkrest.stop_with_savepoint(cfg, job_id, state_dir)
    stopped = time.monotonic()
    info = {"from": before, "to": to, "savepoint": path, "stop_with_savepoint_s": round(stopped - t0, 1)}
    try:
        new_id = submit.submit(cfg.replace(flink_parallelism=to), savepoint=path)
        restored = flinkrest.restored_from(cfg, new_id) or {}
        info["restored_from_savepoint"] = bool(restored.get("is_savepoint")) and \
            restored.get("external_path", "").rstrip("/") == path.rstrip("/")
    except Unavailable as e:
        info["restored_from_savepoint"] = False
        info["restore_failure"] = one_line(e, 300)
        new_id = submit.submit(cfg.replace(flink_parallelism=to))
    info["resubmit_s"] = round(time.monotonic() - stopped, 1)
    info["parallelism_after"] = parallelism(cfg, new_id)
    return new_id, info


def kill_jobmanager(stack, cfg: Config, job_id: str) -> dict:
    svc = stack.service("jobmanager")
    fault_ms = int(time.time() * 1000)
    pid = kill(svc)
    say(f"kill -9 jobmanager (pid {pid}); its supervisor restarts it, HA on ZooKeeper recovers job {job_id}")

    def rest_back(marks, s):
        if "rest_back_s" not in marks and "job_interrupted_s" in marks and flinkrest.overview(cfg, timeout=1):
            marks["rest_back_s"] = s

    marks = recover(cfg, job_id, fault_ms, also=rest_back)
    return {"fault": "kill -9 JobManager", "target": "jobmanager", "pid": pid, "fault_ms": fault_ms, **marks,
            "behaviour": "the new JobManager recovered the same job (same id) from ZooKeeper and its last "
                         "checkpoint"}


# ---------------------------------------------------------------------------------- the drill
class Drill:
    def __init__(self, stack, cfg: Config, rate: int, window_s: float, deadline: float):
        self.stack, self.rate, self.window_s, self.deadline = stack, rate, window_s, deadline
        self.cfg = cfg
        self.job_id = ""
        self.baseline: dict | None = None
        self.in_place: dict | None = None
        self.faults: list[dict] = []
        self.load = Load(cfg, rate)
        self.t0 = time.time()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check_time(self, what: str) -> None:
        if self.left() <= 0:
            raise TimedOut(f"the drill's {BUDGET_S // 60}-minute budget ran out before {what}")

    def steady(self, since_ms: int) -> int:
        """Until the pipeline is fresh, then window_s seconds of steady load; when it was fresh (ms)."""
        recover(self.cfg, lambda: self.job_id, since_ms)
        fresh_ms = int(time.time() * 1000)
        time.sleep(self.window_s)
        return fresh_ms

    def measured(self, result: dict, fault_ms: int, messages_before: int) -> dict:
        """The fault's latency window, messages and accounting, once window_s passed after recovery."""
        recovered_ms = fault_ms + int(result.get("recovered_s", 0) * 1000)
        # Until its last events landed (the killed process's return may have taken that long already).
        time.sleep(max(0.0, (recovered_ms + FRESH_MS) / 1000 + self.window_s - time.time()))
        result["latency"] = latency(self.cfg, int(fault_ms - self.window_s * 1000),
                                    int(recovered_ms + self.window_s * 1000))
        result["messages"] = messages(self.cfg) - messages_before
        result["reconcile"] = accounting(self.cfg)
        lat, acc = result["latency"], result["reconcile"]
        say(f"   recovered in {result.get('recovered_s')} s (job running again at {result.get('job_running_again_s')}"
            f" s); p99 {lat['p99_ms']} ms, max {lat['max_ms']} ms over {lat['rows']:,} events; "
            f"{result['messages']:,} messages; reconcile {'OK' if acc['ok'] else 'GAP'} "
            f"({acc['consumed']:,} consumed, {acc['missing']} missing, {acc['doubled']} doubled)")
        self.faults.append(result)
        return result

    def run(self) -> dict:
        cfg = self.cfg
        say(f"job at parallelism {PARALLELISM}, checkpoints every {CHECKPOINT_MS} ms; load {self.rate:,} events/s")
        self.job_id = submit.submit(cfg)
        self.load.start()
        fresh_ms = self.steady(int(time.time() * 1000))
        time.sleep(FRESH_MS / 1000)  # the window's last events landed
        baseline = self.baseline = {"latency": latency(cfg, fresh_ms, fresh_ms + int(self.window_s * 1000)),
                                    "reconcile": accounting(cfg)}
        say(f"baseline: p99 {baseline['latency']['p99_ms']} ms over {baseline['latency']['rows']:,} events")

        self.check_time("the TaskManager's fault")
        say("1/5 kill -9 of a TaskManager")
        before = messages(cfg)
        r = kill_taskmanager(self.stack, cfg, self.job_id)
        say(f"   the job {r['behaviour']}; the new TaskManager registered after {r['taskmanager_back_s']} s")
        self.measured(r, r["fault_ms"], before)

        self.check_time("the broker's fault")
        say("2/5 kill -9 of a broker")
        before = messages(cfg)
        r = kill_broker(self.stack, cfg, self.job_id)
        say(f"   leaders moved after {r.get('leaders_moved_s')} s; the broker, started again, answered after "
            f"{r['broker_back_after_restart_s']} s and was in sync at {r['in_sync_again_s']} s")
        self.measured(r, r["fault_ms"], before)

        in_place = self.in_place = rescale_in_place(cfg, self.job_id, RESCALED)
        say(f"in-place rescale through the adaptive scheduler: {in_place['answer']}")
        for step, to in (("3/5", RESCALED), ("4/5", PARALLELISM)):
            self.check_time(f"the rescale to {to}")
            say(f"{step} rescale to parallelism {to}: stop-with-savepoint, resubmit from it")
            before = messages(cfg)
            fault_ms = int(time.time() * 1000)
            self.job_id, info = rescale(cfg, self.job_id, to)
            say(f"   savepoint in {info['stop_with_savepoint_s']} s, resubmitted in {info['resubmit_s']} s; "
                f"restored from it: {info['restored_from_savepoint']}"
                + (f" ({info['restore_failure']})" if "restore_failure" in info else ""))
            marks = recover(cfg, self.job_id, fault_ms)
            marks["job_running_again_s"] = round(info["stop_with_savepoint_s"] + info["resubmit_s"], 1)
            r = {"fault": f"rescale {','.join(map(str, info['from']))} -> {to}", "fault_ms": fault_ms, **info, **marks,
                 "in_place": in_place if to == RESCALED else None}
            self.measured(r, fault_ms, before)

        self.check_time("the JobManager's fault")
        say("5/5 kill -9 of the JobManager")
        before = messages(cfg)
        r = kill_jobmanager(self.stack, cfg, self.job_id)
        self.measured(r, r["fault_ms"], before)

        say("stopping the load; the job drains")
        self.load.stop()
        reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, max(60.0, min(180.0, self.left())))
        final = accounting(cfg)
        final["messages"] = messages(cfg)
        acked = self.load.acked
        from flinkfast.verify import Landing
        with Landing(cfg, acked) as landing:
            final["acknowledged"], final["acknowledged_landed"] = landing.expected, landing.landed()
        final["send_failures"] = self.load.failed
        final["producer_errors"] = self.load.errors[:5]
        return {"baseline": baseline, "in_place_rescale": in_place, "faults": self.faults, "final": final}


def verdict(final: dict) -> str | None:
    """None when nothing was lost or doubled; else the one-line reason."""
    if not final["ok"]:
        return f"reconcile found a gap: {final['missing']} missing, {final['doubled']} doubled"
    if final["acknowledged_landed"] != final["acknowledged"]:
        return (f"{final['acknowledged'] - final['acknowledged_landed']:,} of {final['acknowledged']:,} "
                "acknowledged events are not in processed_events")
    if not (final["consumed"] == final["messages"] == final["processed"]):
        return (f"counts differ: {final['messages']:,} messages in the topic, {final['consumed']:,} consumed, "
                f"{final['processed']:,} processed ({final['superseded']} superseded, {final['dead_letters']} "
                "dead letters)")
    return None


def table(result: dict) -> str:
    lines = [f"{'fault':<26}{'job back s':>11}{'recovered s':>12}{'p99 ms':>8}{'max ms':>8}{'messages':>10}"
             f"{'reconcile':>11}"]
    if result["baseline"]:
        base = result["baseline"]["latency"]
        lines.append(f"{'(baseline)':<26}{'':>11}{'':>12}{base['p99_ms'] or 0:>8}{base['max_ms'] or 0:>8}{'':>10}"
                     f"{'OK' if result['baseline']['reconcile']['ok'] else 'GAP':>11}")
    for f in result["faults"]:
        back = f.get("job_running_again_s", "-")
        lines.append(f"{f['fault']:<26}{back!s:>11}{f['recovered_s']:>12}{f['latency']['p99_ms'] or 0:>8}"
                     f"{f['latency']['max_ms'] or 0:>8}{f['messages']:>10,}{'OK' if f['reconcile']['ok'] else 'GAP':>11}")
    final, in_place = result["final"], result["in_place_rescale"]
    lines.append("")
    if final:
        lines.append(f"final: {final['messages']:,} messages, {final['processed']:,} processed, {final['missing']} "
                     f"missing, {final['doubled']} doubled; {final['acknowledged_landed']:,} of "
                     f"{final['acknowledged']:,} acknowledged events landed ({final['send_failures']} sends failed, "
                     "never acknowledged)")
    if in_place:
        lines.append(f"in-place rescale: {in_place['answer']}")
    lines.append(f"{result['verdict']} in {result['elapsed_s']:.0f} s")
    return "\n".join(lines)


def drill(cfg: Config, rate: int, window_s: float, budget_s: float = BUDGET_S) -> dict:
    """The whole drill on the stack `cfg` describes (started here, stopped here); the result."""
    from flinkfast.stack import Stack
    from flinkfast.stack.cli import ProgressPrinter
    t0 = time.monotonic()
    deadline = t0 + budget_s
    stack = Stack(cfg)
    say(f"starting a stack of its own in {cfg.state_dir}: {cfg.flink_taskmanagers} TaskManagers "
        f"x {cfg.taskmanager_slots} slots, {cfg.kafka_brokers} brokers (RF {cfg.kafka_replication_factor}, "
        f"min ISR {cfg.kafka_min_insync_replicas})")
    try:
        stack.up(ProgressPrinter())
        topic = f"drill-{int(time.time())}"
        clients.create_topic(cfg, topic, partitions=PARTITIONS)
        job_cfg = cfg.replace(kafka_topic=topic, kafka_group_id=topic, job_name="drill",
                              flink_parallelism=PARALLELISM, checkpoint_interval_ms=CHECKPOINT_MS)
        run = Drill(stack, job_cfg, rate, window_s, deadline)
        try:
            out = run.run()
            reason = verdict(out["final"])
        except Exception as e:  # noqa: BLE001 (what was measured until then is still reported)
            reason = f"{type(e).__name__}: {one_line(e, 300)}" if not isinstance(e, UserError) else one_line(e, 300)
            out = {"baseline": run.baseline, "in_place_rescale": run.in_place, "faults": run.faults, "final": None}
        finally:
            run.load.stop()
        out["passed"] = reason is None
        out["verdict"] = "PASS: nothing lost, nothing doubled" if reason is None else f"FAILED: {reason}"
    finally:
        say("stopping the drill's stack (down)")
        stack.down(report=ProgressPrinter())
    from flinkfast.bench.results import machine
    out.update(timestamp=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               elapsed_s=round(time.monotonic() - t0, 1), topic=topic,
               settings={"FLINK_TASKMANAGERS": cfg.flink_taskmanagers, "TASKMANAGER_SLOTS": cfg.taskmanager_slots,
                         "KAFKA_BROKERS": cfg.kafka_brokers, "KAFKA_REPLICATION_FACTOR": cfg.kafka_replication_factor,
                         "KAFKA_MIN_INSYNC_REPLICAS": cfg.kafka_min_insync_replicas, "partitions": PARTITIONS,
                         "parallelism": [PARALLELISM, RESCALED, PARALLELISM], "CHECKPOINT_INTERVAL_MS": CHECKPOINT_MS,
                         "DRILL_RATE": rate, "DRILL_WINDOW_S": window_s, "SINK_MODE": cfg.sink_mode},
               machine=machine())
    return out


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", type=Path, default=STATE, help="the drill's stack's folder (default .state/drill)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the JSON (default benchmarks/)")


def _run(args: argparse.Namespace) -> int:
    from flinkfast.stack.isolated import enter_fresh
    base = config.from_args(args)
    # Every drill on an empty stack (no job of an earlier one recovered by HA), with its own ports
    # and shape for every child too.
    enter_fresh(args.state, say, **SHAPE)
    cfg = config.load({"DRILL_RATE": base.drill_rate, "DRILL_WINDOW_S": base.drill_window_s})
    result = drill(cfg, cfg.drill_rate, cfg.drill_window_s)
    from flinkfast.bench.results import stamp, write_json
    path = write_json(args.out, f"{stamp()}-drill", result)
    print()
    print(table(result))
    print(f"written: {path}")
    if not result["passed"]:
        raise CheckFailed(result["verdict"].removeprefix("FAILED: "))
    return 0


COMMAND = Command("drill", "faults and a rescale under load on a stack of its own (3 TaskManagers, 3 brokers): "
                           "exit 0 only if nothing was lost or doubled",
                  "flinkfast drill --drill-rate 2000   (make drill)", _run, _arguments,
                  settings=("DRILL_RATE", "DRILL_WINDOW_S"), description=__doc__.strip())
main = COMMAND.main


if __name__ == "__main__":
    from flinkfast.errors import run as _main_run
    _main_run(main, "drill")
