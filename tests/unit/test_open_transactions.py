"""An open transaction that holds a partition's last stable offset (flinkfast/topics/transactions.py), as a
pure judgement: said once it is older than the bound, with the partition, the offset and since when."""
from __future__ import annotations

from flinkfast.accounting.health import JobHealth
from flinkfast.topics import transactions
from flinkfast.topics.transactions import Held

NOW = 1_800_000_000_000


def test_a_transaction_open_longer_than_the_bound_is_a_problem_naming_partition_offset_and_since_when():
    found = [Held(2, 7, 30, NOW - 45_000)]
    (line,) = transactions.problems_of("t", found, NOW, bound_s=30)
    assert "\n" not in line and line.startswith("partition 2 of t: an open transaction, its first record at offset 7")
    assert "(45s ago)" in line and "23 offsets wait" in line and "CurrentTransactionStartOffset 7" in line
    health = JobHealth("job", state="RUNNING", lag=0, source_rate=0.0, idle_s=1.0, held=[line])
    assert not health.ok and health.problems == [line], "lag 0 and a running job: the held partition still says NOT OK"


def test_a_young_transaction_is_no_problem_and_an_unreadable_one_is():
    assert transactions.problems_of("t", [Held(0, 3, 5, NOW - 2_000)], NOW, bound_s=30) == []
    assert "an unknown time" in transactions.problems_of("t", [Held(0, 3, 5, -1)], NOW, bound_s=30)[0]
