"""`make drill`'s run: the plan (each fault in turn under the load, its marks and figures) and the verdict, over the toolkit."""
from __future__ import annotations

import time

from flinkfast.accounting import reconcile
from flinkfast.pipeline import flinkrest, submit
from flinkfast.config import Config
from flinkfast.errors import TimedOut
from flinkfast.ops import faults, lookup
from flinkfast.ops.load import Load
from flinkfast.ops.rescale import rescale, rescale_in_place, wait_in_place
from flinkfast.ops.watch import FRESH_MS, accounting, latency, messages, recover, restarts

# The stack's shape and the job's: three of each; a topic of PARTITIONS partitions, planned for
# the rescale between PARALLELISM and RESCALED (a multiple of both: every subtask as busy); Flink's
# adaptive scheduler, so that the job can be rescaled in place as well as by a savepoint.
SHAPE = {"FLINK_TASKMANAGERS": 3, "KAFKA_BROKERS": 3, "KAFKA_HEAP": "256m", "TASKMANAGER_SLOTS": 2,
         "FLINK_SCHEDULER": "adaptive"}
PARALLELISM, RESCALED = 2, 4
PARTITIONS = 4
CHECKPOINT_MS = 1000
BUDGET_S = 15 * 60       # the whole drill, up and down included (12 minutes on two shared cores)


def say(msg: str) -> None:
    print(f"drill: {msg}", flush=True)


# ---------------------------------------------------------------------------------- the faults, measured
def kill_taskmanager(stack, cfg: Config, job_id: str) -> dict:
    """kill -9 of a TaskManager running tasks of the job; its supervisor starts a new one."""
    before = lookup.taskmanager_ids(stack)
    busy = lookup.placed_on(cfg, job_id)
    name = next(n for n, tid in sorted(before.items()) if tid in busy)
    svc = stack.service(name)
    restarts_before = restarts(cfg, job_id) or 0
    fault_ms = int(time.time() * 1000)
    pid = faults.kill(svc)
    say(f"kill -9 {name} (pid {pid}), which ran tasks of the job; the job runs on {len(busy)} TaskManager(s)")

    def back(marks, s):
        if "taskmanager_back_s" not in marks and svc.main_pid() not in (None, pid) and svc.ready():
            marks["taskmanager_back_s"] = s

    marks = recover(cfg, job_id, fault_ms, PARTITIONS, also=back)
    now_on = lookup.placed_on(cfg, job_id)
    if "taskmanager_back_s" not in marks:
        faults.replaced(svc, pid)
        marks["taskmanager_back_s"] = round(time.time() - fault_ms / 1000, 1)
    new_id = lookup.taskmanager_ids(stack).get(name)
    others = set(before.values()) - {before[name]}
    if now_on <= others:
        how = "restarted at once on the other TaskManagers' free slots, without waiting for the new TaskManager"
    elif new_id in now_on:
        how = "waited for the supervisor's new TaskManager and placed tasks on it"
    else:
        how = f"restarted on {sorted(now_on)}"
    return {"fault": "kill -9 TaskManager", "target": name, "pid": pid, "fault_ms": fault_ms, **marks,
            "restarts": (restarts(cfg, job_id) or 0) - restarts_before, "behaviour": how,
            "parallelism_after": lookup.parallelism(cfg, job_id),
            "taskmanagers_before": len(busy), "taskmanagers_after": len(now_on)}


def kill_broker(stack, cfg: Config, job_id: str) -> dict:
    """kill -9 of a broker that leads partitions of the topic (not the controller, when another
    leads any); the leaders move; then the broker is started again and catches up."""
    from flinkfast import clients
    from flinkfast.stack.service import numbered
    leaders, controller = lookup.leaders(cfg), lookup.controller(cfg)
    leading = sorted(set(leaders.values()))
    victim = next((b for b in leading if b != controller), leading[0])
    name = numbered("kafka", victim + 1)
    svc = stack.service(name)
    fault_ms = int(time.time() * 1000)
    pid = faults.kill(svc)
    led = sorted(p for p, b in leaders.items() if b == victim)
    say(f"kill -9 {name} (broker {victim}, pid {pid}), leader of partition(s) {led}"
        + (" and the controller" if victim == controller else f"; the controller is broker {controller}"))

    def moved(marks, s):
        if "leaders_moved_s" not in marks:
            try:
                if victim not in lookup.leaders(cfg).values():
                    marks["leaders_moved_s"] = s
            except Exception:  # noqa: BLE001 (metadata not answered this time)
                pass

    marks = recover(cfg, job_id, fault_ms, PARTITIONS, also=moved)
    t = time.monotonic()
    stack.start(name)  # waits until it answers (retrying while ZooKeeper holds its old registration)
    marks["broker_back_after_restart_s"] = round(time.monotonic() - t, 1)
    clients.wait_until(lambda: clients.topic_replication(cfg)[1] == SHAPE["KAFKA_BROKERS"], 120,
                       f"{name} back in sync on {cfg.kafka_topic}")
    marks["in_sync_again_s"] = round(time.time() - fault_ms / 1000, 1)
    return {"fault": "kill -9 broker", "target": name, "broker_id": victim, "pid": pid, "fault_ms": fault_ms,
            "was_controller": victim == controller, "partitions_led": led, **marks,
            "behaviour": "leaders moved to in-sync replicas; the producer (acks=all) and the job went on"}


def kill_jobmanager(stack, cfg: Config, job_id: str) -> dict:
    svc = stack.service("jobmanager")
    fault_ms = int(time.time() * 1000)
    pid = faults.kill(svc)
    say(f"kill -9 jobmanager (pid {pid}); its supervisor restarts it, HA on ZooKeeper recovers job {job_id}")

    def rest_back(marks, s):
        if "rest_back_s" not in marks and "job_interrupted_s" in marks and flinkrest.overview(cfg, timeout=1):
            marks["rest_back_s"] = s

    marks = recover(cfg, job_id, fault_ms, PARTITIONS, also=rest_back)
    return {"fault": "kill -9 JobManager", "target": "jobmanager", "pid": pid, "fault_ms": fault_ms, **marks,
            "behaviour": "the new JobManager recovered the same job (same id) from ZooKeeper and its last "
                         "checkpoint"}


def in_place(cfg: Config, job_id: str, to: int) -> dict:
    """The rescale in place: PUT /jobs/:id/resource-requirements, then the same job (same id) watched
    until every subtask of its vertices runs at `to`, then until every partition is fresh again: events made from
    1 s after it ran at `to` on, delivered within 2 s. A refusal (the default scheduler) is returned
    with refused=True and nothing measured."""
    before = lookup.parallelism(cfg, job_id)
    restarts_before = restarts(cfg, job_id) or 0
    fault_ms = int(time.time() * 1000)
    answer = rescale_in_place(cfg, job_id, to)
    if not answer["accepted"]:
        return {"refused": True, **answer}
    marks = wait_in_place(cfg, job_id, to, fault_ms)
    fresh = recover(cfg, job_id, fault_ms + int(marks["job_running_again_s"] * 1000), PARTITIONS)
    marks["recovered_s"] = round(marks["job_running_again_s"] + fresh["recovered_s"], 1)
    marks["worst_lag_ms"] = fresh["worst_lag_ms"]
    restored = flinkrest.restored_from(cfg, job_id) or {}
    marks["restored_checkpoint"] = {k: restored.get(k) for k in ("id", "is_savepoint", "restore_timestamp")}
    return {"fault": f"rescale {','.join(map(str, before))} -> {to} (in place)", "fault_ms": fault_ms, "from": before,
            "to": to, **answer, **marks, "parallelism_after": lookup.parallelism(cfg, job_id),
            "restarts": (restarts(cfg, job_id) or 0) - restarts_before,
            "behaviour": "the adaptive scheduler restarted the same job at the new parallelism from its last "
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
        recover(self.cfg, lambda: self.job_id, since_ms, PARTITIONS)
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
        say("1/7 kill -9 of a TaskManager")
        before = messages(cfg)
        r = kill_taskmanager(self.stack, cfg, self.job_id)
        say(f"   the job {r['behaviour']}; the new TaskManager registered after {r['taskmanager_back_s']} s")
        self.measured(r, r["fault_ms"], before)

        self.check_time("the broker's fault")
        say("2/7 kill -9 of a broker")
        before = messages(cfg)
        r = kill_broker(self.stack, cfg, self.job_id)
        say(f"   leaders moved after {r.get('leaders_moved_s')} s; the broker, started again, answered after "
            f"{r['broker_back_after_restart_s']} s and was in sync at {r['in_sync_again_s']} s")
        self.measured(r, r["fault_ms"], before)

        for step, to in (("3/7", RESCALED), ("4/7", PARALLELISM)):
            self.check_time(f"the in-place rescale to {to}")
            say(f"{step} rescale to parallelism {to} in place: PUT /jobs/:id/resource-requirements")
            before = messages(cfg)
            r = in_place(cfg, self.job_id, to)
            if self.in_place is None:
                self.in_place = {k: r[k] for k in ("accepted", "answer", "server_said") if k in r}
            if r.get("refused"):
                say(f"   refused: {r['answer']}; only the savepoint's way is measured")
                break
            say(f"   accepted; the job ran at parallelism {to} after {r['job_running_again_s']} s "
                f"(the same job id, from checkpoint {r['restored_checkpoint']['id']})")
            self.measured(r, r["fault_ms"], before)
        for step, to in (("5/7", RESCALED), ("6/7", PARALLELISM)):
            self.check_time(f"the rescale to {to}")
            say(f"{step} rescale to parallelism {to}: stop-with-savepoint, resubmit from it")
            before = messages(cfg)
            fault_ms = int(time.time() * 1000)
            self.job_id, info = rescale(cfg, self.job_id, to)
            say(f"   savepoint in {info['stop_with_savepoint_s']} s, resubmitted in {info['resubmit_s']} s; "
                f"restored from it: {info['restored_from_savepoint']}"
                + (f" ({info['restore_failure']})" if "restore_failure" in info else ""))
            marks = recover(cfg, self.job_id, fault_ms, PARTITIONS)
            marks["job_running_again_s"] = round(info["stop_with_savepoint_s"] + info["resubmit_s"], 1)
            r = {"fault": f"rescale {','.join(map(str, info['from']))} -> {to} (savepoint)", "fault_ms": fault_ms,
                 **info, **marks}
            self.measured(r, fault_ms, before)

        self.check_time("the JobManager's fault")
        say("7/7 kill -9 of the JobManager")
        before = messages(cfg)
        r = kill_jobmanager(self.stack, cfg, self.job_id)
        self.measured(r, r["fault_ms"], before)

        say("stopping the load; the job drains")
        self.load.stop()
        reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, max(60.0, min(180.0, self.left())))
        final = accounting(cfg)
        final["messages"] = messages(cfg)
        acked = self.load.acked
        from flinkfast.accounting.verify import Landing
        with Landing(cfg, acked) as landing:
            final["acknowledged"], final["acknowledged_landed"] = landing.expected, landing.landed()
        final["send_failures"] = self.load.failed
        final["producer_errors"] = self.load.errors[:5]
        return {"baseline": baseline, "in_place_rescale": self.in_place, "faults": self.faults, "final": final}


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


