"""A message's fingerprint, as the job's classification computes it (udf/.../Fingerprint.java).

64 bits: CRC32C (high half) and CRC32 (low half) of the Kafka timestamp (8 bytes, big-endian,
signed; -1 when the record had none), one byte (0: no value, 1: a value) and the value. Stored as
PostgreSQL's signed BIGINT with each placed position; `reconcile --deep` and `new-generation`
compare it with the message at that position. tests/data/fingerprint_cases.json pins both sides.
"""
from __future__ import annotations

import struct
import zlib

from crc32c import crc32c


def fingerprint(value: bytes | None, kafka_ts_ms: int) -> int:
    data = struct.pack(">qB", kafka_ts_ms, 0 if value is None else 1) + (value or b"")
    unsigned = (crc32c(data) << 32) | zlib.crc32(data)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned
