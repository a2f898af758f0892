"""Processes of the local stack, by pid, from /proc: start, recognise, measure and stop them.

A pid alone can be reused after its process exits, so a pid file holds the pid and the
process's start time; together they name one process. Nothing here knows any service.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def start_time(pid: int) -> str:
    """Start time of a process in clock ticks since boot ("" when it is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def private_open(path: Path, append: bool = False):
    """Open a file for writing, readable by its owner only from the first byte (0600)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)  # an older file keeps its mode through open
    return os.fdopen(fd, "ab" if append else "w")


def write_pid(path: Path, pid: int) -> None:
    with private_open(path) as f:
        f.write(f"{pid} {start_time(pid)}\n")


def read_pid(path: Path) -> int | None:
    """The pid recorded in path, if that very process still runs (not a reused pid)."""
    try:
        pid, started = path.read_text().split()
        pid = int(pid)
    except (OSError, ValueError):
        return None
    return pid if alive(pid) and start_time(pid) == started else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return sorted(kids)


def memory_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process and its children, in KiB."""
    rss = peak = 0
    for p in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        except OSError:
            pass
    return rss, peak


def cpu_ticks(pid: int) -> int:
    """User + system CPU of a process and its children (running or reaped), in clock ticks."""
    total = 0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total


def descendants(pid: int) -> list[int]:
    """The process, its children, theirs, ... (a supervisor, its script, the JVM the script exec'd)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p not in out:
            out.append(p)
            todo.extend(children(p))
    return out


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets one process holds open (none once it ended). A descriptor closed
    between listing and reading is passed over, not the process: a JVM opens and closes them all
    the time, and one of them must not hide the others' sockets."""
    inodes: set[str] = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _socket_inodes(pids: list[int]) -> set[str]:
    """The inodes of the sockets these processes and their descendants hold open."""
    return {inode for pid in {d for p in pids for d in descendants(p)} for inode in socket_inodes(pid)}


def _tcp_sockets():
    """(local address hex, local port, state hex, inode) of every TCP socket of the host."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            addr, port = fields[1].split(":")
            yield addr, int(port, 16), fields[3], fields[9]


def listening(pids: list[int]) -> dict[int, str]:
    """port -> address (hex, as /proc/net/tcp shows it) of every TCP socket these processes and
    their descendants listen on, ephemeral ports included."""
    inodes = _socket_inodes(pids)
    return {port: addr for addr, port, state, inode in _tcp_sockets() if state == "0A" and inode in inodes}  # LISTEN


def connected_from(pids: list[int]) -> set[int]:
    """The local ports of the established TCP connections of these processes and their
    descendants (e.g. a client's side of its database sessions: pg_stat_activity's client_port)."""
    inodes = _socket_inodes(pids)
    return {port for _, port, state, inode in _tcp_sockets() if state == "01" and inode in inodes}  # ESTABLISHED


def loopback(hex_addr: str) -> bool:
    """127.0.0.1, ::1, or ::ffff:127.0.0.1 (how a JVM's IPv6 socket shows an IPv4 loopback bind)."""
    return hex_addr in ("0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F")


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def spawn(cmd: list[str], log: Path, pid_file: Path, cwd: Path, env: dict, user: str | None = None) -> int:
    """Start cmd in a session of its own (so its whole group can be stopped), output appended to
    log, files it creates private (umask 077); record its pid."""
    with private_open(log, append=True) as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env, cwd=cwd, user=user, umask=0o077)
    write_pid(pid_file, proc.pid)
    return proc.pid


def terminate(pid: int, sig: int, group: bool, timeout: float = 60) -> None:
    """Send sig (to the process group `pid` leads when group), wait until it is gone (every member
    of the group when group), SIGKILL whatever is left after timeout."""
    kill = os.killpg if group else os.kill
    try:
        kill(pid, sig)
    except ProcessLookupError:
        return
    if _gone(pid, group, timeout):
        return
    try:
        kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    _gone(pid, group, 10)


def _gone(pid: int, group: bool, timeout: float) -> bool:
    """Whether the process (or every process of its group) is gone within timeout seconds. A
    zombie is gone: its parent reaps it (and keeps its exit status: no waitpid here)."""
    deadline = time.monotonic() + timeout
    while (group_alive(pid) if group else alive(pid)):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def group_alive(pgid: int) -> bool:
    """Whether any process of the process group pgid is alive (not a zombie)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _ppid, pgrp = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue
        if int(pgrp) == pgid and state not in ("Z", "X"):
            return True
    return False


def read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")
    except OSError:
        return ""
