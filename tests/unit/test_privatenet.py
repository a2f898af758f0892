"""flinkfast/security/privatenet.py: a command on a loopback of its own, with only the named ports relayed
out (real namespaces, real sockets; no service)."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from flinkfast.security import privatenet
from flinkfast.errors import Unavailable

# Run inside the namespace: talk to the relayed port, try the other one, list loopback listeners.
PROBE = """
import socket, sys
relayed, other = int(sys.argv[1]), int(sys.argv[2])
with socket.create_connection(("127.0.0.1", relayed), timeout=5) as s:
    s.sendall(b"ping")
    print("relayed:", s.recv(100).decode())
try:
    socket.create_connection(("127.0.0.1", other), timeout=5)
    print("other: reached")
except OSError as e:
    print("other:", type(e).__name__)
"""


@pytest.fixture
def servers():
    """Two echo servers on the real loopback: one to relay, one that must stay out of reach."""
    made = []
    for _ in range(2):
        server = socket.create_server(("127.0.0.1", 0))
        made.append(server)

        def echo(server=server):
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                with conn:
                    conn.sendall(b"pong:" + conn.recv(100))
        threading.Thread(target=echo, daemon=True).start()
    yield [s.getsockname()[1] for s in made]
    for s in made:
        s.close()


def test_only_the_named_port_leads_out_through_a_private_unix_socket(servers, tmp_path):
    relayed, other = servers
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    seen = {}

    def spy():  # the Unix socket exists while the command runs: record its mode
        sock = folder / f"net-{relayed}.sock"
        while not sock.exists():
            time.sleep(0.01)
        seen["mode"] = stat.S_IMODE(sock.stat().st_mode)
    threading.Thread(target=spy, daemon=True).start()
    r = privatenet.run([sys.executable, "-c", PROBE, str(relayed), str(other)], [relayed], folder,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "relayed: pong:ping" in r.stdout
    assert "other: ConnectionRefusedError" in r.stdout, r.stdout
    assert seen.get("mode") == 0o600
    assert not list(folder.iterdir()), "the Unix socket is removed when the command ends"


def test_the_commands_own_listeners_are_not_on_the_machines_loopback():
    """What the submission relies on: a port the command listens on is not on the machine's loopback."""
    code = ("import socket, sys; s = socket.create_server(('127.0.0.1', 0)); "
            "print(s.getsockname()[1]); sys.stdout.flush(); sys.stdin.read()")
    proc = subprocess.Popen([*privatenet.unshare_prefix(), sys.executable, "-c", code],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5)
    finally:
        proc.communicate("", timeout=30)


def test_the_exit_code_is_the_commands(tmp_path):
    r = privatenet.run([sys.executable, "-c", "raise SystemExit(3)"], [], tmp_path, timeout=60)
    assert r.returncode == 3


def test_without_namespaces_one_clear_line(tmp_path, monkeypatch):
    fake = tmp_path / "unshare"
    fake.write_text("#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(Unavailable) as e:
        privatenet.run(["true"], [], tmp_path)
    assert "\n" not in str(e.value)
    assert "Operation not permitted" in str(e.value) and "private network namespace" in str(e.value)


def test_a_timeout_leaves_no_command_behind(tmp_path):
    """run's timeout kills the namespace's first process; the command then gets SIGTERM too."""
    pid_file = tmp_path / "pid"
    code = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"
    with pytest.raises(subprocess.TimeoutExpired):
        privatenet.run([sys.executable, "-c", code], [], tmp_path, timeout=5)
    pid = int(pid_file.read_text())
    for _ in range(300):
        if not os.path.exists(f"/proc/{pid}") or " Z " in open(f"/proc/{pid}/stat").read():
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail(f"the command ({pid}) outlived run's timeout")


def test_a_started_command_and_everything_it_started_stop_with_the_block(servers, tmp_path):
    """privatenet.started keeps a command in its namespace for a block; at the end the whole
    process group goes, not only its first process (`flink` is a shell script whose JVM, and the
    JVM's Python process, outlived a signal to the script). Here: a shell whose child ignores
    SIGTERM (SIGKILL after the grace time) and a grandchild in the background."""
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    pids_file = tmp_path / "pids"
    script = f"sleep 300 & echo $! > {pids_file}.1; sh -c 'trap \"\" TERM; sleep 300' & echo $! > {pids_file}.2; wait"
    with privatenet.started(["sh", "-c", script], [servers[0]], folder, grace_s=1) as proc:
        deadline = time.monotonic() + 30
        while not (pids_file.with_suffix(".2").exists() and pids_file.with_suffix(".2").read_text().strip()):
            assert proc.poll() is None and time.monotonic() < deadline, "the command did not start"
            time.sleep(0.1)
        pids = [int(pids_file.with_suffix(f".{i}").read_text()) for i in (1, 2)]
        assert all(os.path.exists(f"/proc/{p}") for p in pids)
    alive = [p for p in pids if os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read().split()[2]]
    assert not alive, f"left running after the block: {alive}"
