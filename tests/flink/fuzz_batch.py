"""The flink tier's fuzz messages, drawn in a process of their own while the suite runs.

Drawing them is most of the fuzz test's time (Hypothesis: about 15 ms a message, 3,000 of them in
`make test`) and needs no JVM, so `make test` and `make check` start this module at the session's
start (tests/conftest.py, when the fuzz test is selected) on the machine's other core; the test
then takes the batch from its file, and draws it itself when the file is not there. Same
profile, same strategy, same messages either way (seeded in CI, FUZZ_EXAMPLES fresh ones in
`make fuzz`).

    python -m tests.flink.fuzz_batch OUT.pickle
"""
from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from hypothesis import strategies as st

from tests import oracle
from tests.helpers import fuzz_examples, generate, load_hypothesis_profile
from tests.strategies import message

LIMIT = 3000  # MAX_EVENT_CHARS of fuzz_cfg: small enough that the length rule is met often
CI_MESSAGES = 3000
# The year 10000 cannot be written as a Flink literal (TO_TIMESTAMP_LTZ gives NULL): the
# end-to-end tier sends such timestamps through Kafka instead.
TIMESTAMPS = st.one_of(st.integers(0, 4_000_000_000_000), st.sampled_from([-1, 0, oracle.MAX_TS_MS]))


def draw() -> list[tuple[bytes | None, int]]:
    """(payload, Kafka timestamp) pairs, as many as the profile asks for."""
    return generate(st.tuples(message(LIMIT), TIMESTAMPS), fuzz_examples(CI_MESSAGES))


def write(path: Path) -> None:
    """The batch into `path`, whole or not at all (written aside, then renamed)."""
    part = path.with_name(path.name + f".{os.getpid()}.part")
    part.write_bytes(pickle.dumps(draw()))
    part.replace(path)


def read(path: Path, process=None) -> list[tuple[bytes | None, int]]:
    """The batch the background process drew into `path` (waiting for it), else drawn here."""
    if process is not None:
        process.wait()
    if path.is_file():
        return pickle.loads(path.read_bytes())
    print(f"fuzz_batch: no batch at {path} (the background draw failed?): drawing it here", file=sys.stderr)
    return draw()


def read_shared(path: Path, pid: int, timeout: float = 900) -> list[tuple[bytes | None, int]]:
    """The batch another process's child (pid: pytest-xdist's controller started it) draws into
    `path`: waited for while that process runs (it is not ours to wait on), else drawn here."""
    import time
    from flinkfast.stack.process import alive   # a zombie (ended, not yet reaped by its parent) is not
    deadline = time.monotonic() + timeout
    while not path.is_file() and alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return read(path)


if __name__ == "__main__":
    load_hypothesis_profile()
    write(Path(sys.argv[1]))
