"""One warm `flink run -py` for many jobs: the client submits each job it is asked for, a few
seconds each where a cold `flink run -py` spends about ten starting a JVM and a Python process and
warming the planner (measured: 10.1 s for the first job, then 2.5-2.9 s for each of three more).

It is the same client as `flinkfast submit`'s: `flink run -py` in a private network namespace
(flinkfast/security/privatenet.py), the job built by flinkfast.pipeline.job.submit from sql/flink, one job per
request (Flink's CLI lets a program execute several). The test suite submits through it; users
submit with `flinkfast submit`, which starts a client per job.

Requests come over a Unix socket in a 0700 folder of the state (0600): one JSON line with the job's
settings, answered with one line, {"job_id": ...} or {"error": ...}.

    with JobServer(cfg) as server:
        job_id = server.submit(cfg.replace(kafka_topic="t"))
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

SOCKET_NAME = "jobserver.sock"
START_S = 180      # the client's JVM and Python process up and listening
SUBMIT_S = 300     # one job planned and submitted


def _lines(conn: socket.socket):
    buf = b""
    while chunk := conn.recv(65536):
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line


def serve(sock_path: Path) -> int:
    """Inside `flink run -py`: answer requests until the process is stopped."""
    from flinkfast import config
    from flinkfast.pipeline import job
    from flinkfast.pipeline.submit import first_cause
    sock_path.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(sock_path))
    sock_path.chmod(0o600)
    server.listen(1)
    while True:
        conn, _ = server.accept()
        with conn:
            for line in _lines(conn):
                try:
                    cfg = config.load(json.loads(line)["settings"])
                    result = job.submit(cfg)
                    reply = {"job_id": str(result.get_job_client().get_job_id())}
                except Exception as e:  # one job's failure is its answer; the client goes on serving
                    reply = {"error": first_cause(str(e)) or type(e).__name__}
                conn.sendall(json.dumps(reply).encode() + b"\n")


class JobServer:
    """The warm client, started on first use and stopped by close() (or the `with` block)."""

    def __init__(self, cfg):
        from flinkfast.stack.flinkhome import FlinkHome
        from flinkfast.stack.service import private_dir
        self.cfg = cfg
        self.home = FlinkHome(cfg, cfg.state_dir.resolve())
        self.dir = private_dir(self.home.dir / "run-jobserver")   # its own relays: not `flink run`'s
        self.sock = self.dir / SOCKET_NAME
        self.log = self.home.dir / "log" / "jobserver.out"
        self._ctx = self._proc = None

    def __enter__(self) -> "JobServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        from flinkfast.pipeline import flinkrest
        from flinkfast.security import privatenet
        from flinkfast.errors import Unavailable
        from flinkfast.paths import REPO_ROOT
        from flinkfast.pipeline.submit import stage_job_dir
        if not flinkrest.overview(self.cfg):
            raise Unavailable(f"no Flink cluster answers at {self.cfg.flink_rest_url}: run `make up` first")
        self.home.render()
        job_dir = stage_job_dir(self.home.dir / "job")
        script = job_dir / Path(__file__).resolve().relative_to(REPO_ROOT)   # this module, as staged
        cmd = [self.home.bin("flink"), "run", "-py", str(script), "--pyFiles", str(job_dir), "-d", str(self.sock)]
        self.sock.unlink(missing_ok=True)
        old = os.umask(0o077)
        try:
            out = open(self.log, "ab")
        finally:
            os.umask(old)
        with out:
            self._ctx = privatenet.started(cmd, [self.cfg.flink_rest_port], self.dir, env=self.home.client_env(),
                                           cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, umask=0o077)
            self._proc = self._ctx.__enter__()
        deadline = time.monotonic() + START_S
        while not self._listening():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise Unavailable(f"the job server did not start (see {self.log}): {self._tail()}")
            time.sleep(0.2)

    def ensure(self) -> subprocess.Popen:
        """The running client (started, or started again if it died); its process."""
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self.start()
        return self._proc

    def _listening(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(str(self.sock))
            return True
        except OSError:
            return False

    def _tail(self) -> str:
        from flinkfast.pipeline.submit import first_cause
        try:
            return first_cause(self.cfg.mask(self.log.read_text(errors="replace")[-20000:]))
        except OSError:
            return "no output"

    def submit(self, cfg, wait: bool = True, replace: bool = True) -> str:
        """As flinkfast.pipeline.submit.submit: the job id; an older job of the same name cancelled first."""
        from flinkfast.pipeline import flinkrest
        from flinkfast.topics import generations, groupstart, policy
        from flinkfast.errors import Unavailable
        from flinkfast.stack.lock import stack_lock
        policy.require(cfg)
        self.ensure()
        with stack_lock(cfg.state_dir.resolve(), "submit", cfg.lock_wait_s):
            generations.check(cfg)   # as flinkfast.pipeline.submit: a re-created topic is refused
            if replace:
                for j in flinkrest.running_jobs(cfg, cfg.job_name):
                    flinkrest.cancel(cfg, j["jid"])
            groupstart.commit_start_offsets(cfg)  # as flinkfast.pipeline.submit: the job resets no offset
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(SUBMIT_S)
                s.connect(str(self.sock))
                s.sendall(json.dumps({"settings": cfg.as_env()}).encode() + b"\n")
                line = next(_lines(s), b"")
        reply = json.loads(line) if line else {"error": f"the job server stopped: {self._tail()}"}
        if "job_id" not in reply:
            raise Unavailable(f"flink run failed: {cfg.mask(reply['error'])}")
        if wait:
            flinkrest.wait_running(cfg, reply["job_id"])
        return reply["job_id"]

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.__exit__(None, None, None)
        self._ctx = self._proc = None


if __name__ == "__main__":   # run by `flink run -py` (JobServer.start; --pyFiles puts flinkfast on the path)
    sys.exit(serve(Path(sys.argv[-1])))
