"""Submit flinkfast_job.py to the local stack's Flink cluster with `flink run -py`,
exactly as the compose deployment does with `docker exec jobmanager ./bin/flink run -py`.

    python -m flinkfast.submit        (make submit)
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import urllib.request

from flinkfast import config
from flinkfast.config import REPO_ROOT, Config
from flinkfast.clients import wait_until
from flinkfast.errors import Unavailable, run
from flinkfast.lock import stack_lock
from flinkfast.stack import FlinkHome

JOB_SCRIPT = REPO_ROOT / "flinkfast_job.py"


def rest(cfg: Config, path: str, method: str = "GET", timeout: float = 10) -> dict:
    req = urllib.request.Request(cfg.flink_rest_url.rstrip("/") + path, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        body = r.read()
    return json.loads(body) if body else {}


def running_jobs(cfg: Config, name: str | None = None) -> list[dict]:
    jobs = rest(cfg, "/jobs/overview")["jobs"]
    return [j for j in jobs if j["state"] in ("RUNNING", "CREATED", "INITIALIZING", "RESTARTING")
            and (name is None or j["name"] == name)]


def cancel(cfg: Config, job_id: str, timeout: float = 60) -> None:
    rest(cfg, f"/jobs/{job_id}?mode=cancel", method="PATCH")
    wait_until(lambda: rest(cfg, f"/jobs/{job_id}")["state"] in ("CANCELED", "FAILED", "FINISHED"), timeout,
               f"job {job_id} stopped")


def wait_running(cfg: Config, job_id: str, timeout: float = 120) -> None:
    """Until every task of the job runs (so produced events are consumed at once)."""
    def running() -> bool:
        info = rest(cfg, f"/jobs/{job_id}")
        if info["state"] in ("FAILED", "CANCELED", "FINISHED"):
            raise Unavailable(f"job {job_id} is {info['state']}; see the Flink Web UI ({cfg.flink_rest_url}) or `make logs`")
        return info["state"] == "RUNNING" and all(v["status"] == "RUNNING" for v in info["vertices"])

    wait_until(running, timeout, lambda: f"job {job_id} did not reach RUNNING within {timeout:.0f}s; "
                                         "see `make logs SERVICE=taskmanager`")


def stage_job_dir(job_dir):
    """The job's files laid out as in the compose image's /opt/src/job (script, package, SQL),
    so --pyFiles ships those and not the whole checkout with its .venv and .state."""
    job_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    job_dir.chmod(0o700)
    for name in (JOB_SCRIPT.name, "flinkfast", "sql"):
        link = job_dir / name
        if not link.is_symlink():
            link.symlink_to(REPO_ROOT / name)
    return job_dir


def first_cause(output: str) -> str:
    """The line of a client failure that says what is wrong, not the stack around it."""
    noise = ("ProgramAbortException", "Python process exits", "Py4JJavaError", "ProgramInvocationException")
    lines = [ln.strip(" :") for ln in output.splitlines()]
    for i, line in enumerate(lines):
        if re.search(r"(Exception|Error): ", line) and not any(n in line for n in noise):
            cause = next((c for c in lines[i + 1:i + 3] if c.startswith("Cause:")), "")
            return f"{line} {cause}".strip()
    return lines[-1] if lines else "no output"


def submit(cfg: Config, replace: bool = True, extra_env: dict | None = None, wait: bool = True) -> str:
    """Run `flink run -py ... -d`; return the job id. An older job of the same name is cancelled
    first. With wait, return once every task runs."""
    home = FlinkHome(cfg, cfg.state_dir.resolve())
    with stack_lock(cfg.state_dir.resolve(), "submit", cfg.lock_wait_s):
        return _submit(cfg, home, replace, extra_env, wait)


def _submit(cfg: Config, home: FlinkHome, replace: bool, extra_env: dict | None, wait: bool) -> str:
    if not home.overview():
        raise Unavailable(f"no Flink cluster answers at {cfg.flink_rest_url}: run `make up` first")
    if replace:
        for j in running_jobs(cfg, cfg.job_name):
            cancel(cfg, j["jid"])
    home.render()  # the client reads the same conf/ and lib/ as the cluster
    env = home.env()
    env.update(extra_env or {})
    job_dir = stage_job_dir(home.dir / "job")
    cmd = [home.bin("flink"), "run", "-m", f"127.0.0.1:{cfg.flink_rest_port}",
           "-py", str(job_dir / JOB_SCRIPT.name), "--pyFiles", str(job_dir), "-d"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    out = cfg.mask(r.stdout + r.stderr)
    m = re.search(r"JobID ([0-9a-f]{32})", out)
    if r.returncode != 0 or not m:
        raise Unavailable(f"flink run failed (exit {r.returncode}): {first_cause(out)}")
    job_id = m.group(1)
    if wait:
        wait_running(cfg, job_id)
    return job_id


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.submit", description=__doc__.split("\n\n")[0],
                                     epilog="example: make up && python -m flinkfast.submit")
    config.add_flags(parser, "FLINK_PARALLELISM", "CHECKPOINT_INTERVAL_MS", "SCAN_STARTUP_MODE")
    cfg = config.from_args(parser.parse_args(argv))
    job_id = submit(cfg)
    print(f"job {cfg.job_name!r} running: {job_id}  (Web UI {cfg.flink_rest_url}/#/job/running/{job_id}/overview)")
    return 0


if __name__ == "__main__":
    run(main, "submit")
