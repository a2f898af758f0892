"""The wrapper every Java service of the local stack runs under: rotated logs, restarts, stop."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flinkfast.paths import REPO_ROOT

CHATTY = "import sys\nfor i in range(20000): print(f'line {i:06d} ' + 'x' * 40)\nsys.exit(7)"


def wrap(*args: str) -> list[str]:
    return [sys.executable, "-m", "flinkfast.stack.supervise", *args]


def test_the_log_is_rotated_and_bounded(tmp_path):
    log = tmp_path / "svc.log"
    r = subprocess.run(wrap("--log", str(log), "--max-bytes", "100000", "--backups", "2", "--once", "--",
                            sys.executable, "-c", CHATTY), cwd=REPO_ROOT, timeout=60)
    assert r.returncode == 7, "--once ends with the command's exit code"
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["svc.log", "svc.log.1", "svc.log.2"]
    assert all(f.stat().st_size < 100000 + 100 for f in files)
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    last = log.read_text().splitlines()[-1]
    assert last.startswith("line 019999"), "the newest output is in the current file"
    older = Path(f"{log}.1").read_text().splitlines()
    assert older[-1] < log.read_text().splitlines()[0], "rotated in order, nothing interleaved"


def test_a_command_that_exits_is_restarted_until_stopped(tmp_path):
    log = tmp_path / "svc.log"
    marker = tmp_path / "runs"
    script = f"open({str(marker)!r}, 'a').write('run\\n'); print('started', flush=True)"
    wrapper = subprocess.Popen(wrap("--log", str(log), "--", sys.executable, "-c", script), cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not marker.exists() or marker.read_text().count("run") < 2):
            time.sleep(0.2)
        assert marker.read_text().count("run") >= 2, "restarted after it exited"
        assert "restarting in" in log.read_text()
    finally:
        wrapper.send_signal(signal.SIGTERM)
    assert wrapper.wait(timeout=30) == 0


@pytest.mark.parametrize("argv", [[], ["--"], ["--log", "x"]])
def test_usage_errors_are_one_line(argv):
    r = subprocess.run(wrap(*argv), cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "usage:" in r.stderr
