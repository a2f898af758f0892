"""Run a command on a loopback of its own: a private network namespace that no other process of
the machine can reach, with the TCP ports it needs of the real loopback relayed in through Unix
sockets (0600, in a 0700 folder of the state).

Why: `flink run -py` opens a Py4J gateway on loopback (Flink's PythonEnvUtils.startGatewayServer,
and the Python side's callback server, pyflink/java_gateway.py) with no authentication, neither
configurable: any local user who reached it could run code as the client's user. In the private
namespace that loopback is the client's alone; its one way out is what `ports` names.

    privatenet.run(cmd, ports=[8082], sock_dir=state / "flink" / "run", env=..., timeout=...)

The part inside the namespace is this file run as a program (`python -I privatenet.py
PORT=SOCKET ... -- CMD ...`; the standard library only, so it needs no path): it brings the namespace's loopback up, listens on 127.0.0.1:PORT
there, relays each connection to SOCKET, and runs CMD.
"""
from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
PR_SET_PDEATHSIG = 1
INSIDE = "FLINKFAST_PRIVATE_NET"  # set by callers that run themselves again inside (embedded.py)


def inside() -> bool:
    return os.environ.get(INSIDE) == "1"


def unshare_prefix() -> list[str]:
    """A new network namespace; a user namespace first when not root (unprivileged user namespaces)."""
    return ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--net"]


def check_available() -> None:
    """One clear line when no private network namespace can be made here."""
    try:
        r = subprocess.run([*unshare_prefix(), "true"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        r = subprocess.CompletedProcess([], 127, "", "unshare not found (util-linux)")
    if r.returncode != 0:
        from flinkfast.errors import Unavailable
        why = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        raise Unavailable(f"cannot give `flink run -py` a private network namespace ({' '.join(unshare_prefix())}: "
                          f"{why}): run as root, or allow unprivileged user namespaces "
                          "(sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces)")


def run(cmd: list[str], ports: list[int], sock_dir: Path, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, **kwargs) in a private network namespace in which 127.0.0.1:PORT, for
    each of `ports`, leads to 127.0.0.1:PORT of the real loopback and nothing else leads out."""
    check_available()
    with ExitStack() as stack:
        return subprocess.run(_inside(cmd, ports, sock_dir, stack), **kwargs)


@contextmanager
def started(cmd: list[str], ports: list[int], sock_dir: Path, grace_s: float = 30, **kwargs):
    """subprocess.Popen(cmd, **kwargs) in a private network namespace, as `run`; the relays last
    until the block ends, and so does the process (SIGTERM, SIGKILL after grace_s)."""
    check_available()
    with ExitStack() as stack:
        # A session of its own: stopping it reaches every process under it (`flink` is a shell
        # script whose JVM, and that JVM's Python process, would outlive a signal to the first).
        proc = subprocess.Popen(_inside(cmd, ports, sock_dir, stack), start_new_session=True, **kwargs)
        try:
            yield proc
        finally:
            from flinkfast.stack.process import terminate   # here: this file also runs alone, stdlib only
            terminate(proc.pid, signal.SIGTERM, group=True, timeout=grace_s)
            proc.poll()


def _inside(cmd: list[str], ports: list[int], sock_dir: Path, stack: ExitStack) -> list[str]:
    """The command line that runs `cmd` in a new namespace, each port relayed (closed with `stack`)."""
    pairs = [f"{port}={stack.enter_context(unix_to_tcp(sock_dir / f'net-{port}.sock', port))}" for port in ports]
    return [*unshare_prefix(), sys.executable, "-I", str(Path(__file__).resolve()), *pairs, "--", *cmd]


@contextmanager
def unix_to_tcp(path: Path, port: int):
    """A Unix socket at `path` (0600; its folder must be 0700) relaying to 127.0.0.1:port."""
    path.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    path.chmod(0o600)
    server.listen(16)
    serve(server, lambda: socket.create_connection(("127.0.0.1", port), timeout=30))
    try:
        yield path
    finally:
        server.close()
        path.unlink(missing_ok=True)


def serve(server: socket.socket, connect) -> None:
    """Accept on `server` in a daemon thread; relay each connection to a new connect()."""
    def accept_loop():
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=relay, args=(client, connect), daemon=True).start()
    threading.Thread(target=accept_loop, daemon=True).start()


def relay(client: socket.socket, connect) -> None:
    try:
        upstream = connect()
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


def pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def loopback_up() -> None:
    """`ip link set lo up`, without needing iproute2: a new namespace's loopback starts down."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH22x", b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def inner(argv: list[str]) -> int:
    """Inside the namespace: loopback up, PORT -> SOCKET relays, then CMD; its exit code. CMD gets
    SIGTERM if this process dies (run's timeout kills it), so no client outlives it. The relays
    listen before CMD starts and accept after (no thread runs while CMD is forked)."""
    split = argv.index("--")
    loopback_up()
    relays = [(socket.create_server(("127.0.0.1", int(port))), path)
              for port, path in (pair.split("=", 1) for pair in argv[:split])]
    child = subprocess.Popen(argv[split + 1:], preexec_fn=_die_with_parent)
    for server, path in relays:
        serve(server, lambda path=path: _unix_connect(path))
    return child.wait()


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _unix_connect(path: str) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError:
        s.close()
        raise
    return s


if __name__ == "__main__":
    sys.exit(inner(sys.argv[1:]))
