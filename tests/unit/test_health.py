"""What `make status`, the report and the dashboard call a problem (flinkfast.accounting.health), as a pure
judgement of readings: no service needed."""
from __future__ import annotations

import pytest

from flinkfast.accounting.health import LOCK_WAIT_S, STALL_S, JobHealth


def health(**readings) -> JobHealth:
    return JobHealth("job", **{"state": "RUNNING", "flink_url": "https://127.0.0.1:8082", **readings})


def test_a_running_job_that_keeps_up_is_ok():
    assert health(lag=0, idle_s=500).ok, "nothing waits: an idle pipeline is fine"
    assert health(lag=10, idle_s=1, source_rate=50).ok


@pytest.mark.parametrize("state", ["CANCELED", "FINISHED", "FAILED", "SUSPENDED", "CREATED", "INITIALIZING",
                                   "RESTARTING", "FAILING", "CANCELLING", "NOT SUBMITTED", "UNREACHABLE"])
def test_anything_but_running_is_a_problem(state):
    h = health(state=state, lag=0)
    assert not h.ok and len(h.problems) == 1, h.problems


def test_a_replay_is_progress_not_a_stall():
    """A replay reads the topic again and writes no new row (replays change nothing): the
    source's rate says the job moves."""
    assert health(lag=1_000_000, idle_s=3600, source_rate=20_000).ok


def test_messages_waiting_with_no_progress_is_a_stall_even_with_empty_tables():
    empty = health(lag=505, idle_s=None, source_rate=0)
    assert [p for p in empty.problems if "stalled" in p and "nothing written yet" in p], empty.problems
    stale = health(lag=5, idle_s=STALL_S + 1, source_rate=None)
    assert [p for p in stale.problems if "no row written for" in p], stale.problems
    assert health(lag=5, idle_s=STALL_S - 1, source_rate=0).ok, "a row written lately is progress"


def test_a_flush_waiting_long_on_a_lock_names_the_session_holding_it():
    """A flush holds its locks well under a second: a sink session waiting LOCK_WAIT_S on one is a
    writer holding them paused, named so the operator can end it (docs/guarantees.md#a-paused-writer)."""
    assert health(lag=0, lock_wait_s=LOCK_WAIT_S - 1, lock_holders=[4242]).ok, "a short wait is normal contention"
    waiting = health(lag=0, lock_wait_s=LOCK_WAIT_S + 2, lock_holders=[4242])
    assert [p for p in waiting.problems if "waited 12s" in p and "session 4242" in p], waiting.problems


def test_what_could_not_be_checked_is_never_ok():
    assert health(lag=0, errors=["Kafka: no broker"]).problems == ["could not check: Kafka: no broker"]


def test_a_recent_failure_is_reported_while_the_job_runs_again():
    h = health(lag=0, restarts=3, last_failure="PSQLException: boom", last_failure_age_s=30)
    assert h.problems == ["job job restarted 3 times, last failure 30s ago: PSQLException: boom"]
    assert health(lag=0, restarts=3, last_failure="x", last_failure_age_s=3600).ok


def test_a_topic_recreated_under_the_job_is_a_problem_saying_what_to_do():
    from flinkfast.topics.generations import refusal
    line = refusal("RandomUser", 1, "old-id", "new-id")
    h = health(lag=0, recreated=line)
    assert not h.ok and h.problems == [line] and "flinkfast new-generation" in line


def test_a_member_of_the_jobs_group_is_a_problem_named():
    from flinkfast.accounting.health import members_line
    assert members_line("flinkfast", []) == []
    [line] = members_line("flinkfast", [{"client_id": "evil", "client_host": "/127.0.0.1"}])
    assert "group flinkfast has 1 member(s) (evil at 127.0.0.1)" in line and "refuses its offset commits" in line
    assert not JobHealth("j", state="RUNNING", members=[line]).ok


def test_no_problem_line_carries_a_control_character():
    """A consumer's client id is its own to choose: ESC sequences or a carriage return in it would
    erase the line on a terminal and hide what follows (found by an attack)."""
    from flinkfast.accounting.health import members_line
    lines = members_line("g", [{"client_id": "\r\x1b[2K\x1b[8mhidden", "client_host": "/127.0.0.1\n"}])
    h = JobHealth("j", state="RUNNING", members=lines, topic_settings=["setting\x07 changed"])
    assert h.problems and all(line.isprintable() for line in h.problems), h.problems
    shown = "\n".join(h.problems)
    assert "\\x1b[2K" in shown and "\\r" in shown and "\\x07" in shown, shown


def test_a_job_with_no_offset_to_start_at_is_told_the_command():
    line = ("org.apache.flink.kafka.shaded.org.apache.kafka.clients.consumer.NoOffsetForPartitionException: "
            "Undefined offset with no reset policy for partitions: [t-1]")
    stuck = health(state="RESTARTING", restarts=40, last_failure=line, last_failure_age_s=2)
    said = [p for p in stuck.problems if "finds no offset to start a partition at" in p]
    assert len(said) == 1 and "`flinkfast submit`" in said[0], stuck.problems
    # Not when the topic was re-created (its own line and command), nor for an old failure of a running job.
    recreated = health(state="RESTARTING", last_failure=line, recreated="the topic t was re-created: run ...")
    assert not [p for p in recreated.problems if "finds no offset" in p], recreated.problems
    old = health(state="RUNNING", lag=0, last_failure=line, last_failure_age_s=3600)
    assert old.ok, old.problems
