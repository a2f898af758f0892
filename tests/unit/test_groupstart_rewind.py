"""The group's committed offsets are checked against what the database placed before a job
resumes from them (flinkfast/topics/groupstart.py rewind, a pure step): an offset moved past
messages never placed, or past the log's end, goes back to the offset after the last one placed."""
from __future__ import annotations

from flinkfast.topics.groupstart import rewind

FIRST, END = {0: 0, 1: 0, 2: 5, 3: 0}, {0: 20, 1: 20, 2: 20, 3: 20}


def records_everywhere(p, lo, hi):
    return True


def test_a_group_where_the_job_left_it_is_not_moved():
    assert rewind(FIRST, END, {0: 20, 1: 12, 2: 5, 3: 0}, {0: 20, 1: 12, 2: None, 3: None}, records_everywhere) == {}


def test_an_offset_moved_past_unplaced_records_goes_back_to_the_first_unplaced():
    assert rewind(FIRST, END, {0: 15}, {0: 12}, records_everywhere) == {0: 12}
    assert rewind(FIRST, END, {3: 7}, {3: None}, records_everywhere) == {3: 0}   # nothing placed yet
    assert rewind(FIRST, END, {2: 9}, {2: None}, records_everywhere) == {2: 5}   # never before the log start


def test_an_offset_past_the_logs_end_goes_back_even_over_markers_only():
    assert rewind(FIRST, END, {0: 1_000_020}, {0: 20}, lambda p, lo, hi: False) == {0: 20}
    assert rewind(FIRST, END, {1: 25}, {1: 3}, records_everywhere) == {1: 3}


def test_offsets_that_hold_only_transaction_markers_are_no_reason_to_move():
    assert rewind(FIRST, END, {0: 15}, {0: 12}, lambda p, lo, hi: False) == {}


def test_a_gap_retention_cut_is_left_for_lost_to_say():
    # committed before the log start: the job stops at the gap (OffsetOutOfRange), as designed
    assert rewind({0: 10}, {0: 20}, {0: 4}, {0: 4}, records_everywhere) == {}
