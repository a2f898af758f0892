"""`reconcile --deep`'s comparison (flinkfast/accounting/deep.py::compare) as a pure step: a row where a
compacted topic holds no record any more cannot be verified, and says so; elsewhere it is stray."""
from __future__ import annotations

from flinkfast.accounting import deep

ROWS = [(0, "superseded_events", "u", 11), (1, "processed_events", "u", 22), (7, "dead_letter_events", None, 33)]
MESSAGES = {1: (22, b'{"uuid": "u"}')}   # offset 0 removed by the cleaner (u's older version); 7 is past the end


def test_a_row_the_cleaner_removed_on_a_compacted_topic_cannot_be_verified_and_is_no_finding():
    r = deep.compare(0, ROWS, 0, 5, MESSAGES, compacted=True)
    assert (r.compared, r.compacted, r.compacted_offsets, r.strays, r.stray) == (1, 1, [0], 1, [7])
    assert "cannot be verified, [0]" in deep.text([r])[0] and "compacted" in deep.text([r])[0]
    assert not r.ok, "past the log's end is stray whatever the policy"
    assert deep.compare(0, ROWS[:2], 0, 5, MESSAGES, compacted=True).ok


def test_without_compaction_a_row_where_no_record_is_left_is_stray():
    r = deep.compare(0, ROWS[:2], 0, 5, MESSAGES, compacted=False)
    assert (r.strays, r.stray, r.compacted) == (1, [0], 0) and not r.ok
