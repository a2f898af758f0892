"""Fuzzing the classification, tier 1: generated messages through the job's transformation on
PyFlink's embedded mini-cluster, each outcome checked against tests/oracle.py.

Hypothesis generates the messages (seeded and bounded in `make test`; `make fuzz` generates
FUZZ_EXAMPLES of them with fresh randomness); they then go through Flink together, as one job,
because a mini-cluster job costs seconds and a message microseconds. A mismatch names each
message it failed on, as bytes to paste into tests/flink/test_transform.py.
"""
from __future__ import annotations

import datetime as dt

from tests import oracle
from tests.flink.fuzz_batch import CI_MESSAGES, LIMIT
from tests.helpers import fuzz_examples
from test_transform import classify_batch


def mismatches(batch, good, bad) -> list[str]:
    """What the job did differently from the oracle, one line per message."""
    this_year = dt.date.today().year
    rows = {r[8]: r for r in good}       # by kafka_offset
    letters = {r[2]: r for r in bad}
    out = []
    if len(good) + len(bad) != len(batch) or rows.keys() & letters.keys():
        out.append(f"{len(batch)} messages in, {len(good)} rows + {len(bad)} dead letters out")
    for offset, (payload, ts) in enumerate(batch):
        want = oracle.classify(payload, ts, LIMIT)
        if isinstance(want, oracle.Row):
            if offset not in rows:
                out.append(f"{payload!r} @ {ts}: want a row, got {letters.get(offset, ('',) * 4)[3]!r}")
                continue
            uuid, first, last, country, age, birth_year, *_, kafka_ms, _flink_ms = rows[offset]
            got = oracle.Row(uuid, first, last, country, age)
            if got != want or birth_year != this_year - age or kafka_ms != ts:
                out.append(f"{payload!r} @ {ts}: want {want}, got {got} born {birth_year} ts {kafka_ms}")
        else:
            if offset not in letters:
                out.append(f"{payload!r} @ {ts}: want dead letter {want!r}, got a row")
                continue
            _, _, _, reason, stored, kafka_ms, _ = letters[offset]
            stored = bytes(stored) if stored is not None else None
            if reason != want or stored != payload or kafka_ms != ts:
                out.append(f"{payload!r} @ {ts}: want {want!r}, got {reason!r} (payload kept: "
                           f"{stored == payload}, ts {kafka_ms})")
    return out


def test_every_message_gets_exactly_the_outcome_the_rules_give(fuzz_cfg, fuzz_batch):
    batch = fuzz_batch()
    assert len(batch) >= min(1000, fuzz_examples(CI_MESSAGES) // 2), "the generator ran dry"
    kinds = {oracle.classify(p, ts, LIMIT).__class__.__name__ for p, ts in batch}
    assert kinds == {"Row", "str"}, "the generator must make good events and dead letters alike"
    good, bad, _, _ = classify_batch(fuzz_cfg, [p for p, _ in batch], instants=[ts for _, ts in batch])
    wrong = mismatches(batch, good, bad)
    assert not wrong, f"{len(wrong)} of {len(batch)} messages classified unlike the rules:\n" + "\n".join(wrong[:20])
