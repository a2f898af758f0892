"""flinkfast/stack/process.py's terminate: a process group is stopped whole, and the exit status
of a child of ours stays its parent's to read; its listening: a descriptor closed meanwhile hides
no other socket."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from flinkfast.stack import process
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


def test_a_descriptor_closed_while_read_hides_no_other_socket(monkeypatch):
    """A JVM closes descriptors while /proc/<pid>/fd is read; one that vanished between the listing
    and its readlink used to drop the whole process (every port of it unseen: the loopback check
    passed a socket it never saw, a test found no port). Planted: the per-process try back: fails."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    gone = open(os.devnull)       # a descriptor listed, then closed before it is read
    gone_fd = gone.fileno()
    real = os.readlink

    def readlink(path, *a, **k):
        if str(path).endswith(f"/fd/{gone_fd}"):
            raise FileNotFoundError(path)
        return real(path, *a, **k)
    try:
        monkeypatch.setattr(process.os, "readlink", readlink)
        assert port in process.listening([os.getpid()]), "the listening socket was hidden by a closed descriptor"
    finally:
        gone.close()
        server.close()
