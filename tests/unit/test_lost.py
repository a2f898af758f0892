"""Messages deleted from the topic before the job read them (flinkfast.accounting.lost), as pure judgements of
offsets: which ranges are lost, and how status, the dashboard and reconcile word them."""
from __future__ import annotations

from flinkfast.topics import retention
from flinkfast.accounting.health import JobHealth
from flinkfast.accounting.reconcile import PartitionResult, Result


def test_a_log_that_starts_past_the_committed_offset_lost_the_messages_between():
    first, committed = {0: 5, 1: 0, 2: 7}, {0: 2, 1: 0, 2: 9}
    assert retention.losses("t", first, committed) == [retention.Loss("t", 0, 2, 5)]
    assert retention.losses("t", first, committed)[0].offsets == "2-4" and retention.losses("t", first, committed)[0].count == 3


def test_no_committed_offset_is_no_loss():
    """A partition the group never committed is the first run's: submit commits its log start."""
    assert retention.losses("t", {0: 100}, {}) == []


def test_the_loss_is_one_line_that_names_partition_offsets_and_what_to_do():
    line = retention.Loss("t", 3, 10, 13).line()
    assert "\n" not in line and "partition 3 of t: offsets 10-12 (3 messages)" in line
    assert "OffsetOutOfRange" in line and "`flinkfast lost --record`" in line


def test_a_loss_is_a_problem_even_for_a_running_job():
    h = JobHealth("job", state="RUNNING", lag=0, losses=[retention.Loss("t", 0, 2, 5).line()])
    assert not h.ok and h.problems == [retention.Loss("t", 0, 2, 5).line()]


def test_reconcile_counts_recorded_losses_apart_and_unrecorded_ones_as_a_gap():
    recorded = Result("t", "g", "committed", [PartitionResult(0, 5, 7, end_offset=7, processed=2, lost_recorded=3)])
    assert recorded.ok and "OK: all 2 messages accounted for, each in exactly one place; 3 lost, recorded" in recorded.text()
    open_ = Result("t", "g", "committed", [PartitionResult(0, 5, 5, end_offset=7, lost="2-4", lost_count=3)])
    assert not open_.ok
    assert "GAP:" in open_.text() and "3 deleted before the job read them (0:2-4)" in open_.text()


def test_a_recorded_loss_leaves_out_the_offsets_the_job_placed():
    """The job placed 2 and 3, then stopped short of the checkpoint that commits them; retention cut to 7."""
    gap = retention.Loss("t", 0, 2, 7)
    assert retention.unplaced(gap, {2, 3}) == [retention.Loss("t", 0, 4, 7)]
    assert retention.unplaced(gap, {1, 3, 5, 9}) == [retention.Loss("t", 0, 2, 3), retention.Loss("t", 0, 4, 5),
                                                     retention.Loss("t", 0, 6, 7)]
    assert retention.unplaced(gap, set(range(2, 7))) == []
    assert retention.unplaced(gap, set()) == [gap]


def test_a_partition_added_to_a_topic_the_group_reads_starts_at_0_and_its_deleted_messages_are_a_loss():
    # The first run: the group has committed nothing; what was deleted before it was never the pipeline's.
    assert retention.start_offsets({0: 5, 1: 3}, {}) == {0: 5, 1: 3}
    assert retention.losses("t", {0: 5, 1: 3}, {}) == []
    # Partition 1 added since: it starts at 0, where its log began, so the 3 messages deleted unread are a loss.
    assert retention.start_offsets({0: 5, 1: 3}, {0: 9}) == {1: 0}
    assert retention.losses("t", {0: 5, 1: 3}, {0: 9}) == [retention.Loss("t", 1, 0, 3)]
    assert retention.losses("t", {0: 5, 1: 0}, {0: 9}) == []


def test_a_group_that_forgot_its_offsets_starts_where_the_database_placed_up_to():
    """The group's offsets expired (offsets.retention.minutes) or were deleted while the job was
    stopped, and retention cut the log meanwhile: the start is the offset after the last placed, so
    the deleted unread messages are a gap (named, recorded), not skipped as on a first run."""
    first = {0: 7, 1: 4, 2: 0}
    placed = {0: 5, 1: 4, 2: None}   # partition 2: nothing of it placed (read before, empty)
    assert retention.start_offsets(first, {}, placed) == {0: 5, 1: 4, 2: 0}
    start = retention.start_offsets(first, {}, placed)
    assert retention.losses("t", first, start) == [retention.Loss("t", 0, 5, 7)]
    # Only what the database holds decides: none of it placed, a first run (the log start).
    assert retention.start_offsets(first, {}, {0: None, 1: None, 2: None}) == first
    assert retention.start_offsets(first, {}, {}) == first
    # Committed offsets are never overridden here (back_to_placed judges those).
    assert retention.start_offsets(first, {0: 9}, {0: 5, 1: 2}) == {1: 2, 2: 0}


def test_a_forgotten_groups_gap_is_named_from_where_the_database_placed():
    # No committed offset (the group forgot); the database holds every message up to offset 1; the log starts at 3.
    assert retention.gaps("t", {0: 3}, {}, {0: 2}) == [retention.Loss("t", 0, 2, 3)]
    assert retention.losses("t", {0: 3}, {}, None, {0: 2}) == [retention.Loss("t", 0, 2, 3)]
    assert retention.gaps("t", {0: 3}, {}) == [], "without the database: a first run, no gap"
    assert retention.Loss("t", 0, 2, 3).line().startswith("partition 0 of t: offsets 2-2 (1 message) were deleted")


def test_a_gap_read_before_the_cut_and_seen_to_hold_only_markers_is_no_loss():
    """The group's offset 3 was on a commit marker; [3, 4) was read and held no record; retention cut at 4."""
    seen = {0: (3, 4)}
    assert retention.losses("t", {0: 4}, {0: 3}, seen) == []
    assert retention.losses("t", {0: 4}, {0: 3}) == [retention.Loss("t", 0, 3, 4)], "never seen: a loss, the safe side"
    assert retention.losses("t", {0: 6}, {0: 3}, seen) == [retention.Loss("t", 0, 3, 6)], "cut past what was seen"
    assert retention.losses("t", {0: 4}, {0: 2}, seen) == [retention.Loss("t", 0, 2, 4)], "offset 2 was not seen"
    assert "no message lost" in retention.markers_line(retention.Loss("t", 0, 3, 4))
