"""No other local user can run code through the submission path. `flink run -py` opens Py4J
sockets with no authentication (the Java gateway, the Python side's callback server); while a
real submission runs, every TCP socket its processes listen on is found from /proc and attacked
as uid `nobody` with Py4J's own client, directly and from inside the client's network namespace.
Nothing may run.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from flinkfast.pipeline import submit
from flinkfast.pipeline.flinkrest import cancel, running_jobs
from flinkfast.paths import REPO_ROOT
from flinkfast.stack import process

pytestmark = pytest.mark.e2e
NOBODY = ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
SYSTEM_PYTHON = "/usr/bin/python3"  # the venv's interpreter may live where nobody cannot read

# Py4J's own client, as an attacker would use it: run a command in the JVM behind the port.
ATTACK = """
import sys
from py4j.java_gateway import GatewayParameters, JavaGateway
port, marker = int(sys.argv[1]), sys.argv[2]
try:
    gateway = JavaGateway(gateway_parameters=GatewayParameters(port=port, read_timeout=5, auto_field=False))
    gateway.jvm.java.lang.Runtime.getRuntime().exec("/usr/bin/touch " + marker).waitFor()
    print("ran")
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[0][:120] if str(e) else "")
"""


def client_pids() -> list[int]:
    """The submission's processes: this test's descendants started for flinkfast_job.py (the
    `flink run` JVM, its Python driver, and what wraps them), with theirs."""
    roots = []
    for pid in process.descendants(os.getpid()):
        try:
            if b"flinkfast_job.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                roots.append(pid)
        except OSError:
            continue
    return sorted({d for r in roots for d in process.descendants(r)})


def listening(pids: list[int]) -> dict[int, int]:
    """port -> pid, for every TCP socket these processes listen on, read from each one's own
    /proc/<pid>/net (its network namespace, whichever that is)."""
    out = {}
    for pid in pids:
        inodes = process.socket_inodes(pid)
        try:
            tables = [Path(f"/proc/{pid}/net/{t}").read_text() for t in ("tcp", "tcp6")]
        except OSError:   # the process ended
            continue
        for line in "".join(tables).splitlines():
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and fields[9] in inodes:
                out[int(fields[1].split(":")[1], 16)] = pid
    return out


def gateway_port(pids: list[int]) -> int | None:
    """The Java gateway's port, once the Python driver runs (`flink run -py` gives it the port) and
    its own callback server listens too."""
    for pid in pids:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        port = next((v.split(b"=", 1)[1] for v in environ if v.startswith(b"PYFLINK_GATEWAY_PORT=")), None)
        if port and pid in listening([pid]).values():
            return int(port)
    return None


def as_nobody(cmd: list[str], cwd: str) -> str:
    r = subprocess.run([*NOBODY, *cmd], capture_output=True, text=True, timeout=60, cwd=cwd)
    lines = (r.stdout + r.stderr).strip().splitlines()
    return lines[-1] if lines else f"exit {r.returncode}"


def attack_all(ports: dict[int, int], attacker: Path, script: str, *args: str) -> dict[int, list[str]]:
    """As nobody, the attack on each port: on the machine's loopback, and from inside the network
    namespace of the process that listens on it (nsenter: what reaching a private loopback takes)."""
    attempts = {}
    for port, pid in sorted(ports.items()):
        attempts[port] = [as_nobody([SYSTEM_PYTHON, script, str(port), *args], str(attacker)),
                          as_nobody(["nsenter", f"--net=/proc/{pid}/ns/net", SYSTEM_PYTHON, script, str(port), *args],
                                    str(attacker))]
    return attempts


def temp_paths(pids: list[int]) -> set[str]:
    """Where the submission's processes keep temporary files: each JVM's java.io.tmpdir, each
    process's TMPDIR, and the folders PythonDriver laid the job's Python files out in (its
    driver's PYTHONPATH entries under .../pyflink/<uuid>)."""
    found = set()
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            environ = dict(v.split(b"=", 1) for v in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in v)
        except OSError:
            continue
        found |= {a.split(b"=", 1)[1].decode() for a in cmdline if a.startswith(b"-Djava.io.tmpdir=")}
        found |= {environ[b"TMPDIR"].decode()} if b"TMPDIR" in environ else set()
        found |= {p for p in environ.get(b"PYTHONPATH", b"").decode().split(":") if "/pyflink/" in p}
    return found


def private_to_root(path: Path, top: Path) -> bool:
    """Every folder from `top` down to `path` is root's and writable by nobody else (nobody can
    make or swap a part of the way)."""
    path = path.resolve()
    for folder in [path, *path.parents]:
        if not folder.exists():  # gone already (the driver removes its folder at the end)
            continue
        st = folder.stat()
        if st.st_uid != 0 or st.st_mode & 0o022:
            return False
        if folder == top:
            return True
    return False


@pytest.fixture
def attacker():
    """A folder nobody can read holding Py4J (the wheel's own, pure Python) and the attack."""
    folder = Path(tempfile.mkdtemp(prefix="flinkfast-attacker-"))
    import py4j
    shutil.copytree(Path(py4j.__file__).parent, folder / "py4j")
    (folder / "attack.py").write_text(ATTACK)
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    yield folder
    shutil.rmtree(folder)


def test_no_other_user_runs_code_through_a_running_submission(job_cfg, attacker, tmp_path):
    marker = tmp_path / "ran"   # the attack's command would create it (as the client's user)
    result: dict = {}

    def run_submit():
        try:
            result["job"] = submit.submit(job_cfg)
        except Exception as e:  # reported below
            result["error"] = e

    thread = threading.Thread(target=run_submit)
    thread.start()
    attempts: dict[int, list[str]] = {}
    ports: dict[int, int] = {}
    temps: set[str] = set()
    private: dict[str, bool] = {}
    gateway = None
    try:
        while thread.is_alive() and not (gateway := gateway_port(client_pids())):
            time.sleep(0.2)
        pids = client_pids()
        ports, temps = listening(pids), temp_paths(pids)
        state = Path(job_cfg.flinkfast_state_dir).resolve()
        private = {t: private_to_root(Path(t), state) for t in temps}   # while the client runs
        attempts = attack_all(ports, attacker, "attack.py", str(marker))
    finally:
        thread.join(timeout=600)
        for job in running_jobs(job_cfg, job_cfg.job_name):
            cancel(job_cfg, job["jid"])
    assert "error" not in result, f"the submission failed: {result.get('error')}"
    assert gateway and gateway in ports, f"the submission's Py4J gateway was not seen listening: {gateway}, {ports}"
    print(f"attempts as nobody (port: direct, from the client's namespace): {attempts}")
    assert not marker.exists(), f"uid nobody ran a command through the submission's sockets: {attempts}"
    assert not any("ran" == a for tries in attempts.values() for a in tries), attempts
    # Nor through the files it runs: PythonDriver lays the job's Python files out under
    # ${java.io.tmpdir}/pyflink, which in a shared /tmp another user could make first and fill
    # with a sitecustomize.py. Every temporary folder of the client is in the private state folder.
    state = Path(job_cfg.flinkfast_state_dir).resolve()
    assert any("/pyflink/" in t for t in temps), f"the driver's pyflink folder was not seen: {temps}"
    for t in temps:
        assert Path(t).resolve().is_relative_to(state), f"a temporary folder of the client outside {state}: {t}"
        assert private[t], f"a temporary folder of the client others could reach: {t}"


# The SQL Gateway's REST API, as an attacker would use it: open a session of one's own.
SQL_GATEWAY_ATTACK = """
import ssl, sys, urllib.request
port = int(sys.argv[1])
result = []
for scheme in ("http", "https"):
    try:
        request = urllib.request.Request(f"{scheme}://127.0.0.1:{port}/v1/sessions", data=b"{}", method="POST",
                                         headers={"Content-Type": "application/json"})
        body = urllib.request.urlopen(request, timeout=5, context=ssl._create_unverified_context()).read()
        result.append("answered " + body[:200].decode())
    except Exception as e:
        result.append(type(e).__name__ + " " + str(e)[:100])
print(" | ".join(result))
"""


def test_no_other_user_reaches_the_sql_clients_gateway(stack, attacker):
    """`flinkfast sql` (Flink's SQL client, embedded mode) starts a SQL Gateway on localhost, and
    no Py4J gateway. Its REST endpoint takes the `rest.` options, and the rendered configuration's
    security.ssl.rest.* (TLS with client authentication) hold for it too: while the client runs,
    no port of its processes opens a session for uid nobody, over HTTP or HTTPS."""
    (attacker / "sql_attack.py").write_text(SQL_GATEWAY_ATTACK)
    (attacker / "sql_attack.py").chmod(0o644)
    client = subprocess.Popen([sys.executable, "-m", "flinkfast.cli", "sql"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT)
    attempts: dict[int, list[str]] = {}
    ports: dict[int, int] = {}
    try:
        pids: list[int] = []
        while client.poll() is None and not ports:   # the client's JVM up and listening
            time.sleep(0.2)
            pids = process.descendants(client.pid)
            if any(b"SqlClient" in _cmdline(p) and listening([p]) for p in pids):
                ports = listening(pids)
        attempts = attack_all(ports, attacker, "sql_attack.py")
    finally:
        out, _ = client.communicate("QUIT;\n", timeout=120)
    assert ports, f"the SQL client ended before its sockets could be found: {out[-2000:]}"
    print(f"attempts as nobody (port: direct, from the client's namespace): {attempts}")
    assert not any("answered" in a for tries in attempts.values() for a in tries), attempts


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_no_other_user_runs_code_through_the_embedded_mini_cluster(job_cfg, attacker, tmp_path):
    """`python flinkfast_job.py` (the job on a mini-cluster in PyFlink's gateway JVM, for as long as
    it runs): every port its processes listen on, attacked as nobody with Py4J; nothing runs."""
    marker = tmp_path / "ran"
    env = dict(os.environ, KAFKA_TOPIC=job_cfg.kafka_topic, KAFKA_GROUP_ID=job_cfg.kafka_group_id,
               JOB_NAME=job_cfg.job_name, FLINK_PARALLELISM="1")
    proc = subprocess.Popen([sys.executable, "flinkfast_job.py"], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    ports: dict[int, int] = {}
    try:
        gateway = None
        while proc.poll() is None and not gateway:  # the gateway JVM, and its Python's callback server
            time.sleep(0.2)
            pids = process.descendants(proc.pid)
            gateway = next((p for p in pids if b"PythonGatewayServer" in _cmdline(p) and listening([p, _parent(p)])
                            and _parent(p) in listening([_parent(p)]).values()), None)
        ports = listening(process.descendants(proc.pid))
        attempts = attack_all(ports, attacker, "attack.py", str(marker))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert gateway and ports, f"the mini-cluster's gateway was not seen listening: {out[-2000:]!r}"
    print(f"attempts as nobody (port: direct, from the process's namespace): {attempts}")
    assert not marker.exists(), f"uid nobody ran a command through the mini-cluster's sockets: {attempts}"
    assert not any("ran" == a for tries in attempts.values() for a in tries), attempts


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


# The warm client's Unix socket, as an attacker would use it: ask it to submit a job.
JOBSERVER_ATTACK = """
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(sys.argv[1])
except Exception as e:
    print(type(e).__name__, str(e)[:120])
    sys.exit()
try:   # connected: the breach, whatever comes back
    s.sendall(json.dumps({"settings": {"JOB_NAME": "attacker"}}).encode() + b"\\n")
    print("connected, answered " + s.recv(4096).decode()[:200])
except Exception as e:
    print("connected, no answer yet:", type(e).__name__)
"""


def test_no_other_user_runs_code_or_submits_through_the_warm_client(jobserver, attacker, tmp_path):
    """The tests' warm client (flinkfast/pipeline/jobserver.py: one `flink run -py` for many jobs) keeps its
    Py4J sockets for the whole session: every TCP port of its processes is attacked as nobody, from
    the machine's loopback and from the client's namespace, and nothing runs; its request socket
    (0600 in a 0700 folder) refuses nobody; its temporary folders are root's, in the state folder."""
    (attacker / "jobserver_attack.py").write_text(JOBSERVER_ATTACK)
    (attacker / "jobserver_attack.py").chmod(0o644)
    marker = tmp_path / "ran"
    proc = jobserver.ensure()
    pids = [proc.pid, *process.descendants(proc.pid)]
    ports, temps = listening(pids), temp_paths(pids)
    assert ports, f"no socket of the warm client found listening: {pids}"
    attempts = attack_all(ports, attacker, "attack.py", str(marker))
    print(f"attempts as nobody (port: direct, from the client's namespace): {attempts}")
    assert not marker.exists(), f"uid nobody ran a command through the warm client's sockets: {attempts}"
    assert not any("ran" == a for tries in attempts.values() for a in tries), attempts
    asked = as_nobody([SYSTEM_PYTHON, str(attacker / "jobserver_attack.py"), str(jobserver.sock)], str(attacker))
    assert not asked.startswith("connected"), f"uid nobody reached the warm client's request socket: {asked}"
    state = jobserver.cfg.state_dir.resolve()
    assert any("/pyflink/" in t for t in temps), f"the driver's pyflink folder was not seen: {temps}"
    for t in temps:
        assert Path(t).resolve().is_relative_to(state) and private_to_root(Path(t), state), t
