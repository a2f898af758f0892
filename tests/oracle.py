"""The pipeline's rules stated again in plain Python: the classification (sql/flink/002_transform.sql)
and the placement (sql/postgres/003_ingest.sql).

classify(): an independent oracle for the fuzz tests: it shares no code with the job's Java
function (udf/), and leans on Python's own strict UTF-8 decoder and json module instead of a
scanner of its own. For any message it says what the job must do with it: a row with these
exact field values, or a dead letter with this reason.

Placement: the one model of where PostgreSQL puts each classified message (processed,
superseded or dead letter), shared by the chaos kit (tests/chaos.py: the gauntlet and the walk) and the placing test.

fingerprint(): what a message is (udf/.../Fingerprint.java), from the checksums' definitions: a
table-driven CRC32C of its own, and zlib's CRC32; it shares no code with flinkfast/events/fingerprint.py.
"""
from __future__ import annotations

import json
import struct
import sys
import threading
import zlib
from dataclasses import dataclass
from typing import Any

FIELDS = ("uuid", "first_name", "last_name", "country", "age")
TEXT_FIELDS = FIELDS[:4]
MAX_TS_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
JSON_WHITESPACE = " \t\n\r"
ASCII_DIGITS = "0123456789"
# Python refuses to convert integers of more than 4,300 digits (a guard against slow int());
# JSON has no such limit, and the job accepts any length, so the oracle must too.
sys.set_int_max_str_digits(0)


@dataclass(frozen=True)
class Row:
    uuid: str
    first_name: str
    last_name: str
    country: str
    age: int


class _Object(list):
    """A JSON object as its (key, value) pairs, so duplicate keys stay visible."""


class _NotJson(Exception):
    pass


def _reject_constant(name):
    raise _NotJson(name)  # NaN, Infinity, -Infinity: Python takes them, JSON does not


def _loads(text: str):
    return json.loads(text, object_pairs_hook=_Object, parse_constant=_reject_constant)


SHALLOW = 200   # a text with fewer brackets than this cannot nest deeper than the default stack allows


def _parse(text: str):
    """json.loads on a thread with a deep stack: Python's parser recurses once per nesting level,
    and a message may nest tens of thousands deep. A text with fewer than SHALLOW opening brackets
    nests less deep than that, and is parsed here (a thread per message was most of the chaos
    check's time: 36 of 57 s at 164,000 messages)."""
    if text.count("[") + text.count("{") < SHALLOW:
        try:
            return _loads(text)
        except (ValueError, _NotJson, RecursionError) as e:
            raise _NotJson(e) from None
    return _parse_deep(text)


def _parse_deep(text: str):
    result: dict = {}

    def work():
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 200_000))
        try:
            result["value"] = _loads(text)
        except (ValueError, _NotJson, RecursionError) as e:
            result["error"] = e
        finally:
            sys.setrecursionlimit(limit)

    old = threading.stack_size(512 * 1024 * 1024)
    try:
        t = threading.Thread(target=work)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    if "error" in result:
        raise _NotJson(result["error"])
    return result["value"]


def _has_lone_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True  # Python's json joins valid \\uD83D\\uDE00 pairs; what is left cannot be encoded


def _is_blank(s: str) -> bool:
    return all(c in JSON_WHITESPACE for c in s)


def _age(value) -> int | str:
    """The age, or the reason it is not one."""
    if isinstance(value, bool) or value is None:
        return "age not an integer" if value is not None else "age missing or null"
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        body = value[1:] if value.startswith("-") else value
        if not body or any(c not in ASCII_DIGITS for c in body):
            return "age not an integer"
        number = int(value)
    else:  # float (a fraction or an exponent), list, object
        return "age not an integer"
    return number if 0 <= number <= 150 else "age out of range 0-150"


def classify(payload: bytes | None, kafka_ts_ms: int, max_chars: int,
             skipped: bool = False, timestamp_type: str = "LogAppendTime") -> Row | str:
    """A Row for a good event, else the dead-letter reason. timestamp_type: the record's (Kafka's
    'timestamp-type'); only the broker's clock, LogAppendTime, may stamp a row."""
    if skipped:
        return "skipped by operator"
    if not payload:
        return "empty message"
    try:
        text = payload.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return "not UTF-8"
    if len(text) > max_chars:
        return f"longer than {max_chars} characters"
    # Python's json accepts surrounding whitespace of its own kind only: exactly JSON's four.
    try:
        doc = _parse(text)
    except _NotJson:
        return "not JSON"
    if not isinstance(doc, _Object):
        return "JSON is not an object"
    keys = [k for k, _ in doc]
    for f in FIELDS:
        if keys.count(f) > 1:
            return f"duplicate field {f}"
    values = dict(doc)
    for f in TEXT_FIELDS:
        if values.get(f) is None:
            return f"{f} missing or null"
        if not isinstance(values[f], str):
            return f"{f} not a string"
    if _is_blank(values["uuid"]):
        return "uuid empty"
    if len(values["uuid"]) > 64:
        return "uuid longer than 64 characters"
    if any(len(values[f]) > 256 for f in TEXT_FIELDS[1:]):
        return "a name longer than 256 characters"
    if any("\x00" in values[f] for f in TEXT_FIELDS):
        return "NUL character in a text field"
    if any(_has_lone_surrogate(values[f]) for f in TEXT_FIELDS):
        return "invalid Unicode (lone surrogate) in a text field"
    age = _age(values.get("age"))
    if isinstance(age, str):
        return age
    if not 0 <= kafka_ts_ms <= MAX_TS_MS:
        return "Kafka timestamp out of range"
    if timestamp_type != "LogAppendTime":
        return "Kafka timestamp not set by the broker"
    return Row(values["uuid"], values["first_name"], values["last_name"], values["country"], age)


# ----------------------------------------------------------------------------- the placement

Position = tuple  # (kafka_topic, kafka_partition, kafka_offset)


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1   # Castagnoli, reflected
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def fingerprint(value: bytes | None, kafka_ts_ms: int) -> int:
    """CRC32C (high 32 bits) and CRC32 (low) of the timestamp (8 bytes big-endian), 0/1 for no value/a
    value, and the value; as PostgreSQL's signed BIGINT."""
    data = struct.pack(">q", kafka_ts_ms) + (b"\x00" if value is None else b"\x01" + value)
    v = (crc32c(data) << 32) | zlib.crc32(data)
    return v - 2 ** 64 if v >= 2 ** 63 else v


class OtherMessage(Exception):
    """A message at a placed position that is not the message placed there (another fingerprint)."""


@dataclass(frozen=True)
class Placed:
    """One message as classified: a good event of `uuid`, or a dead letter (uuid None); `what`
    is the test's own record of it (payload, size, Flink time, ...); fingerprint: what the message
    is (None: unknown, as a writer that sends none)."""
    pos: Position
    kafka_ts_ms: int
    uuid: str | None
    what: Any = None
    fingerprint: int | None = None

    @property
    def order(self) -> tuple:
        """The winner rule's key: (kafka_ts_ms, kafka_partition, kafka_offset, kafka_topic)."""
        topic, partition, offset = self.pos
        return (self.kafka_ts_ms, partition, offset, topic)


class Placement:
    """What the three tables must hold: the first committed classification of each position
    stands (good or dead letter); per uuid, processed_events holds the good message greatest by
    (kafka_ts_ms, kafka_partition, kafka_offset, kafka_topic), every other good one is in
    superseded_events, and every dead letter in dead_letter_events. A message at a placed position
    with another fingerprint (both known) is not a replay: it is refused (OtherMessage), and so is
    the transaction that wrote it."""

    def __init__(self):
        self.first: dict[Position, Placed] = {}

    def refuses(self, placed: Placed) -> bool:
        first = self.first.get(placed.pos)
        return (first is not None and first.fingerprint is not None and placed.fingerprint is not None
                and first.fingerprint != placed.fingerprint)

    def place(self, placed: Placed) -> None:
        if self.refuses(placed):
            raise OtherMessage(f"position {placed.pos} holds another message")
        self.first.setdefault(placed.pos, placed)

    def expected(self) -> tuple[dict[str, Placed], dict[Position, Placed], dict[Position, Placed]]:
        """(uuid -> its winner, superseded position -> its message, dead-letter position -> its message)."""
        winners: dict[str, Placed] = {}
        for p in self.first.values():
            if p.uuid is not None and (p.uuid not in winners or p.order > winners[p.uuid].order):
                winners[p.uuid] = p
        won = {w.pos for w in winners.values()}
        superseded = {pos: p for pos, p in self.first.items() if p.uuid is not None and pos not in won}
        dead = {pos: p for pos, p in self.first.items() if p.uuid is None}
        return winners, superseded, dead
