"""flinkfast/topics/holes.py's pure step: which offsets of a range hold no committed record."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from flinkfast.topics import holes


def test_the_offsets_between_records():
    assert holes.between(0, 6, [0, 4]) == {1, 2, 3, 5}
    assert holes.between(3, 3, []) == set()
    assert holes.between(10, 12, [10, 11]) == set()


@given(st.integers(0, 50), st.integers(0, 50), st.sets(st.integers(0, 120)))
@settings(max_examples=200, deadline=None, derandomize=True)
def test_records_and_holes_split_the_range(start, length, records):
    end = start + length
    inside = sorted(o for o in records if start <= o < end)
    found = holes.between(start, end, inside)
    assert found.isdisjoint(inside) and found | set(inside) == set(range(start, end))
