"""A message's fingerprint: flinkfast/events/fingerprint.py (reconcile --deep, new-generation) against the
oracle's own statement of it (tests/oracle.py) and the cases udf/'s FingerprintTest runs through the
job's Java function (tests/data/fingerprint_cases.json): three statements that must agree."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from flinkfast.events.fingerprint import fingerprint
from flinkfast.paths import REPO_ROOT
from tests import oracle

CASES = json.loads((REPO_ROOT / "tests" / "data" / "fingerprint_cases.json").read_text())


def test_the_shared_cases():
    assert len(CASES) == 7
    for c in CASES:
        value = None if c["payload_hex"] is None else bytes.fromhex(c["payload_hex"])
        assert fingerprint(value, c["kafka_ts_ms"]) == c["fingerprint"] == oracle.fingerprint(value, c["kafka_ts_ms"]), c


@given(st.none() | st.binary(max_size=300), st.integers(-1, 253_402_300_799_999))
def test_the_module_and_the_oracle_agree(value, ts):
    fp = fingerprint(value, ts)
    assert fp == oracle.fingerprint(value, ts) and -2 ** 63 <= fp < 2 ** 63


def test_what_tells_messages_apart():
    assert fingerprint(None, 0) != fingerprint(b"", 0), "a tombstone is not an empty value"
    assert fingerprint(b"x", 0) != fingerprint(b"x", 1), "the same bytes sent again are another message"
    assert fingerprint(b"x", 0) != fingerprint(b"y", 0)
