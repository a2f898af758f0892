"""Submit flinkfast_job.py to the local stack's Flink cluster with `flink run -py`,
exactly as the compose deployment does with `docker exec jobmanager ./bin/flink run -py`.

The client runs in a private network namespace (flinkfast/security/privatenet.py): `flink run -py` talks
to its Python process over a Py4J gateway on loopback that has no authentication (Flink 2.2's
PythonEnvUtils.startGatewayServer sets no auth token, pyflink's java_gateway.py sends none, and
neither can be configured), so on the machine's loopback any local user could run code through
it. Its only way out is Flink's REST API (TLS with the client certificate), relayed through a
0600 Unix socket in the state folder.

    python -m flinkfast.pipeline.submit        (make submit)
"""
from __future__ import annotations

import re

from flinkfast import config
from flinkfast.pipeline import flinkrest
from flinkfast.security import privatenet
from flinkfast.topics import generations, groupstart, policy
from flinkfast.cli.command import Command
from flinkfast.config import Config
from flinkfast.paths import REPO_ROOT
from flinkfast.errors import Unavailable, run
from flinkfast.pipeline.job import JOB_SETTINGS
from flinkfast.stack.lock import stack_lock
from flinkfast.stack.flinkhome import FlinkHome

JOB_SCRIPT = REPO_ROOT / "flinkfast_job.py"


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


def submit(cfg: Config, replace: bool = True, extra_env: dict | None = None, wait: bool = True,
           savepoint: str | None = None) -> str:
    """Run `flink run -py ... -d`; return the job id. An older job of the same name is cancelled
    first. With wait, return once every task runs. With savepoint, the job starts from it
    (`flink run -s`; every piece of its state must find its operator: no --allowNonRestoredState)."""
    home = FlinkHome(cfg, cfg.state_dir.resolve())
    with stack_lock(cfg.state_dir.resolve(), "submit", cfg.lock_wait_s):
        return _submit(cfg, home, replace, extra_env, wait, savepoint)


def _submit(cfg: Config, home: FlinkHome, replace: bool, extra_env: dict | None, wait: bool,
            savepoint: str | None = None) -> str:
    if not flinkrest.overview(cfg):
        raise Unavailable(f"no Flink cluster answers at {cfg.flink_rest_url}: run `make up` first")
    policy.require(cfg)  # before an older job is cancelled: a refusal changes nothing
    generations.check(cfg)   # a re-created topic is refused before anything is cancelled
    if replace:
        for j in flinkrest.running_jobs(cfg, cfg.job_name):
            flinkrest.cancel(cfg, j["jid"])
    groupstart.commit_start_offsets(cfg)  # the job resets no offset: partitions never read start at the log start
    home.render()  # the client reads the same lib/ and settings as the cluster (conf-client/: without HA)
    env = home.client_env()  # conf-client/: no ZooKeeper, REST is its one way out
    env[privatenet.INSIDE] = "1"  # the job's script knows Kafka is out of its reach (its start offsets: above)
    env.update(extra_env or {})
    job_dir = stage_job_dir(home.dir / "job")
    # No -m: the cluster's address, and TLS with the client certificate, come from the rendered
    # configuration (`-m host:port` would switch the client back to plain HTTP).
    cmd = [home.bin("flink"), "run", *(["-s", savepoint] if savepoint else []),
           "-py", str(job_dir / JOB_SCRIPT.name), "--pyFiles", str(job_dir), "-d"]
    # umask 077: the client's log in .state (flink-*-client-*.log) is private from its first byte.
    r = privatenet.run(cmd, [cfg.flink_rest_port], home.dir / "run", env=env, capture_output=True, text=True,
                       cwd=REPO_ROOT, timeout=300, umask=0o077)
    out = cfg.mask(r.stdout + r.stderr)
    m = re.search(r"JobID ([0-9a-f]{32})", out)
    if r.returncode != 0 or not m:
        raise Unavailable(f"flink run failed (exit {r.returncode}): {first_cause(out)}")
    job_id = m.group(1)
    if wait:
        flinkrest.wait_running(cfg, job_id)
    return job_id


def _run(args) -> int:
    cfg = config.from_args(args)
    job_id = submit(cfg)
    print(f"job {cfg.job_name!r} running: {job_id}  (Web UI {cfg.flink_ui_url}/#/job/running/{job_id}/overview)")
    return 0


COMMAND = Command("submit", "submit the job to the local Flink cluster (flink run -py), replacing a running one",
                  "flinkfast submit --flink-parallelism 2   (make submit)", _run,
                  settings=(*JOB_SETTINGS, "FLINKFAST_STATE_DIR", "LOCK_WAIT_S", "FLINK_REST_URL", "FLINK_REST_TLS_DIR",
                            "FLINK_UI_URL"))
main = COMMAND.main


if __name__ == "__main__":
    run(main, "submit")
