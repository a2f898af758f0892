"""One stack-changing command at a time: `up`, `down`, `clean` and `submit` take this lock.

Two `make up` at once would both pass the port check and then race on pid files, initdb and
Flink's lib/ links. The second waits (LOCK_WAIT_S) and then fails with one line naming the
holder. An flock is released by the kernel when its holder exits, however it exits.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from flinkfast.errors import Unavailable


@contextmanager
def stack_lock(state_dir: Path, what: str, wait_s: float):
    if not state_dir.exists():
        state_dir.mkdir(mode=0o700, parents=True)  # private from the start (the stack may widen it to 0710)
    path = state_dir / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                    raise Unavailable(f"another flinkfast command (pid {holder}) holds {path}; wait for it to "
                                      f"finish, or stop that process, and try again") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {what}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
