"""flinkfast/bench/peers/instances.py, with real processes: a peer's program run as several
instances of itself is set up only when every instance is, passes SIGTERM on and waits for them,
stops them all when one ends by itself, and keeps them as its own children (the benchmark meters
the program with its children: drain.drain_peer)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flinkfast.bench.peers import instances
from flinkfast.stack import process

# A peer's program in miniature: the supervisor, or an instance that touches its ready file once
# a file "go.I" exists (or at once), then waits for SIGTERM and notes it; instance FAIL exits 3
# once instance 0 is set up.
PROGRAM = f"""
import os, signal, sys, time
from pathlib import Path
sys.path.insert(0, {str(Path(instances.__file__).parent)!r})
import instances
i = instances.instance()
if i is None:
    sys.exit(instances.supervise(int(os.environ["N"]), {{"EXTRA": "x"}}))
here = Path(os.environ["PEER_READY_FILE"]).parent
def stopped(*_):
    (here / f"stopped.{{i}}.{{os.environ['EXTRA']}}").touch()
    sys.exit(0)
signal.signal(signal.SIGTERM, stopped)
while os.environ.get("GATED") and not (here / f"go.{{i}}").exists():
    time.sleep(0.02)
Path(os.environ["PEER_READY_FILE"]).touch()
if os.environ.get("FAIL") == str(i):
    while not (here / "ready.0").exists():  # the other one set up (its SIGTERM handler too)
        time.sleep(0.02)
    sys.exit(3)
while True:
    time.sleep(1)
"""


def start(tmp_path: Path, n: int, **env) -> tuple[subprocess.Popen, Path]:
    (tmp_path / "program.py").write_text(PROGRAM)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, str(tmp_path / "program.py")], env={
        "PATH": os.environ["PATH"], "N": str(n), "PEER_READY_FILE": str(ready),
        "PEER_STATE_DIR": str(tmp_path / "state"), **env})
    return proc, ready


def until(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_set_up_only_when_every_instance_is_and_stopped_whole_on_sigterm(tmp_path):
    proc, ready = start(tmp_path, 2, GATED="1")
    try:
        (tmp_path / "go.0").touch()
        until(lambda: Path(f"{ready}.0").exists(), "instance 0 set up")
        time.sleep(0.3)  # the supervisor looks every 50 ms
        assert not ready.exists(), "set up while instance 1 was not"
        assert len(process.children(proc.pid)) == 2, "the instances are the program's own children"
        (tmp_path / "go.1").touch()
        until(ready.exists, "the program set up once both were")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert {p.name for p in tmp_path.glob("stopped.*")} == {"stopped.0.x", "stopped.1.x"}, \
            "each instance got SIGTERM, and the extra settings"
    finally:
        proc.kill()


def test_an_instance_that_ends_by_itself_ends_them_all(tmp_path):
    proc, ready = start(tmp_path, 2, FAIL="1")
    try:
        assert proc.wait(timeout=30) == 1
        assert (tmp_path / "stopped.0.x").exists(), "the other instance was stopped"
    finally:
        proc.kill()
