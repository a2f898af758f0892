"""tests/data/classification_cases.json against tests/oracle.py: plain Python, no service, no JVM.

The same file is read by udf/'s ClassificationCasesTest (JUnit, `mvn -f udf/pom.xml test`),
which runs every case through classify_row, the job's Java function. One file, two independent
statements of the rules (sql/flink/002_transform.sql): neither can change without the other.

A case: {"name", "payload_hex" (null for a tombstone), "kafka_ts_ms", "max_chars", "partition",
"offset", "skip" (SKIP_MESSAGES), "expect": {"reason": ...} or {"row": {uuid, first_name,
last_name, country, age}}}, and optionally "timestamp_type" (the record's; LogAppendTime when absent).
"""
from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import assume, given, settings, strategies as st

from flinkfast.paths import REPO_ROOT
from tests import oracle, strategies

CASES_FILE = REPO_ROOT / "tests" / "data" / "classification_cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))

# What Java's String.trim() removes: every char up to U+0020.
_JAVA_TRIM = "".join(map(chr, range(0x21)))


def _java_int(text: str, bits: int) -> int | None:
    """Integer.parseInt (bits 32) / Long.parseLong (bits 64): an optional sign and decimal digits
    of any script, in range; None where Java throws NumberFormatException."""
    sign, body = 1, text
    if text[:1] in ("+", "-"):
        sign, body = (-1 if text[0] == "-" else 1), text[1:]
    digits = [unicodedata.decimal(c, None) for c in body]
    if not digits or None in digits:
        return None
    value = sign * int("".join(map(str, digits)))
    return value if -(2 ** (bits - 1)) <= value < 2 ** (bits - 1) else None


def _java_split(text: str, sep: str) -> list[str]:
    """String.split(sep) for a one-character sep: trailing empty strings are dropped."""
    parts = text.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts if text else [""]


def skip_positions(spec: str) -> set[tuple[int, int]]:
    """The positions SKIP_MESSAGES names, read as the Java function reads it (udf/ SkipList):
    whole (partition, offset) pairs; an item that is not PARTITION:OFFSET names nothing."""
    positions = set()
    for item in ([] if not spec else _java_split(spec, ",")):
        parts = _java_split(item.strip(_JAVA_TRIM), ":")
        if len(parts) == 2:
            partition = _java_int(parts[0].strip(_JAVA_TRIM), 32)
            offset = _java_int(parts[1].strip(_JAVA_TRIM), 64)
            if partition is not None and offset is not None:
                positions.add((partition, offset))
    return positions


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_oracle_agrees_with_the_case(case):
    payload = None if case["payload_hex"] is None else bytes.fromhex(case["payload_hex"])
    # The job applies the skip list before the rules (rule 1): the oracle takes its verdict.
    skipped = (case["partition"], case["offset"]) in skip_positions(case["skip"])
    got = oracle.classify(payload, case["kafka_ts_ms"], case["max_chars"], skipped=skipped,
                          timestamp_type=case.get("timestamp_type", "LogAppendTime"))
    expect = case["expect"]
    if "reason" in expect:
        assert got == expect["reason"]
    else:
        assert got == oracle.Row(**expect["row"])


def test_the_file_covers_every_rule():
    assert len(CASES) >= 60
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "names are unique"
    keys = {"name", "payload_hex", "kafka_ts_ms", "max_chars", "partition", "offset", "skip", "expect"}
    assert all(set(c) - {"timestamp_type"} == keys for c in CASES), [c["name"] for c in CASES if set(c) - {"timestamp_type"} != keys]
    reasons = {re.sub(r"^longer than \d+ characters$", "longer than N characters", c["expect"]["reason"])
               for c in CASES if "reason" in c["expect"]}
    every = {"skipped by operator", "empty message", "not UTF-8", "longer than N characters", "not JSON",
             "JSON is not an object", "uuid empty", "uuid longer than 64 characters",
             "a name longer than 256 characters", "NUL character in a text field",
             "invalid Unicode (lone surrogate) in a text field", "age missing or null", "age not an integer",
             "age out of range 0-150", "Kafka timestamp out of range", "Kafka timestamp not set by the broker",
             *(f"duplicate field {f}" for f in oracle.FIELDS),
             *(f"{f} missing or null" for f in oracle.TEXT_FIELDS),
             *(f"{f} not a string" for f in oracle.TEXT_FIELDS)}
    assert reasons == every
    assert sum("row" in c["expect"] for c in CASES) >= 10


def test_the_skip_list_reading():
    """The mirror of udf/'s SkipList above, on the cases its JUnit test pins."""
    assert skip_positions("0:281474976710657,65536:6,2:5") == {(0, 281474976710657), (65536, 6), (2, 5)}
    assert skip_positions(" 1 : 2 ,3:4 ") == {(1, 2), (3, 4)}
    for spec in ["", "a:b", "1", "1:2:3", ":5", "5:", ":", ",", "1:x", "1;2", "1:2 3", "1.0:2", "0x1:2", "1_0:2",
                 "2147483648:1", "1:9223372036854775808", "\u00a01:2"]:
        assert skip_positions(spec) == set(), spec
    assert skip_positions("x,3:9,1:2:3,,0:1,2147483648:1") == {(3, 9), (0, 1)}
    # Java reads these leniently (flinkfast.config never lets them through); so does the mirror.
    assert skip_positions("1:2:") == skip_positions("+1:+2") == skip_positions("\u0661:\u0662") == {(1, 2)}


def _parsed(parse, text):
    """What a parse gives: the value, or that it refused."""
    try:
        return ("value", parse(text))
    except oracle._NotJson:
        return ("refused",)


@given(text=st.one_of(strategies.document(), strategies.odd_texts, strategies.near_valid_event()))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_the_oracles_fast_parse_agrees_with_its_deep_stack_one(text):
    """_parse reads a text with few brackets on the caller's stack (a thread per message was most of
    the chaos check's time); on any such text it must agree with the deep-stack parse. (A text with
    more brackets takes the deep-stack parse itself.)"""
    assume(text.count("[") + text.count("{") < oracle.SHALLOW)
    assert _parsed(oracle._parse, text) == _parsed(oracle._parse_deep, text)
