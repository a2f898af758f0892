"""The drill's verdict and table, from data (the drill itself: `make drill`, docs/drill.md)."""
from __future__ import annotations

from flinkfast.ops import drill, drill_cli

FINAL = {"ok": True, "consumed": 1000, "processed": 1000, "superseded": 0, "dead_letters": 0, "missing": 0,
         "doubled": 0, "messages": 1000, "acknowledged": 990, "acknowledged_landed": 990, "send_failures": 0,
         "producer_errors": []}


def test_nothing_lost_or_doubled_passes():
    assert drill.verdict(FINAL) is None


def test_a_gap_an_unlanded_acknowledged_event_or_a_count_off_fails_with_one_line():
    gap = drill.verdict(dict(FINAL, ok=False, missing=2))
    assert gap == "reconcile found a gap: 2 missing, 0 doubled"
    lost = drill.verdict(dict(FINAL, acknowledged_landed=989))
    assert lost == "1 of 990 acknowledged events are not in processed_events"
    superseded = drill.verdict(dict(FINAL, processed=999, superseded=1))
    assert superseded.startswith("counts differ: 1,000 messages in the topic, 1,000 consumed, 999 processed")
    assert all("\n" not in r for r in (gap, lost, superseded))


def test_the_table_has_a_line_per_fault_and_the_verdict():
    fault = {"fault": "kill -9 TaskManager", "job_running_again_s": 16.2, "recovered_s": 35.9,
             "latency": {"rows": 10, "p50_ms": 5, "p99_ms": 25762, "max_ms": 27288}, "messages": 139980,
             "reconcile": dict(FINAL)}
    broker = dict(fault, fault="kill -9 broker", recovered_s=20.5)
    del broker["job_running_again_s"]  # the job never stopped
    result = {"baseline": {"latency": {"rows": 10, "p50_ms": 5, "p99_ms": 120, "max_ms": 300},
                           "reconcile": dict(FINAL)},
              "faults": [fault, broker], "final": FINAL, "in_place_rescale": {"answer": "HTTP 500: refused"},
              "verdict": "PASS: nothing lost, nothing doubled", "elapsed_s": 561.0}
    lines = drill_cli.table(result).splitlines()
    assert lines[0].split()[0] == "fault" and len(lines) == 1 + 1 + 2 + 1 + 3
    assert "kill -9 TaskManager" in lines[2] and "139,980" in lines[2] and lines[2].rstrip().endswith("OK")
    assert lines[3].split()[3] == "-"
    assert lines[-1] == "PASS: nothing lost, nothing doubled in 561 s"


def test_a_drill_stopped_by_an_error_still_tables_what_it_measured():
    result = {"baseline": None, "faults": [], "final": None, "in_place_rescale": None, "elapsed_s": 42.0,
              "verdict": "FAILED: not recovered 180s after the fault"}
    assert drill_cli.table(result).splitlines()[-1] == "FAILED: not recovered 180s after the fault in 42 s"


def test_a_job_is_back_only_when_every_subtask_of_every_vertex_runs():
    """watch.job_running, which times every fault's "job back": a vertex Flink calls RUNNING with
    one of its subtasks running is not back yet. Planted: the vertex's status read instead: fails."""
    from flinkfast.ops import watch

    def job(*running):
        return {"state": "RUNNING", "vertices": [{"status": "RUNNING", "parallelism": 2, "tasks": {"RUNNING": r}}
                                                for r in running]}
    assert watch.every_task_running(job(2, 2))
    assert not watch.every_task_running(job(2, 1))
    assert not watch.every_task_running({"state": "RUNNING", "vertices": [{"status": "RUNNING", "parallelism": 2}]})
