"""flinkfast/stack/process.py's terminate: a process group is stopped whole, and the exit status
of a child of ours stays its parent's to read."""
from __future__ import annotations

import signal
import subprocess
import sys

from flinkfast.stack.process import group_alive, terminate

# The leader exits on SIGTERM; a member of its group ignores it (a JVM busy shutting down, a
# client's Python child): only SIGKILL after the timeout ends it.
STUBBORN = """
import os, signal, subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"], stdout=sys.stdout)
time.sleep(60)
"""


def test_a_member_that_ignores_sigterm_is_killed_after_the_timeout():
    leader = subprocess.Popen([sys.executable, "-c", STUBBORN], start_new_session=True, stdout=subprocess.PIPE, text=True)
    assert leader.stdout.readline().strip() == "ready"
    assert group_alive(leader.pid)
    terminate(leader.pid, signal.SIGTERM, group=True, timeout=1)
    assert not group_alive(leader.pid), "a member of the group outlived terminate"
    assert leader.wait(timeout=10) == -signal.SIGTERM      # the status is still ours to read


def test_a_single_process_is_stopped_and_its_status_kept():
    p = subprocess.Popen(["sleep", "60"])
    terminate(p.pid, signal.SIGTERM, group=False, timeout=10)
    assert p.wait(timeout=10) == -signal.SIGTERM
