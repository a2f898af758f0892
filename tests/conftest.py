"""Shared fixtures. End-to-end tests run on the real local stack (never a mock).

The suite runs on a stack of its own: its own state folder (FLINKFAST_TEST_STATE_DIR, default
.state/test) and free ports, recorded there, so a pipeline the user has running on the default
ports is never touched. The stack's settings go into this process's environment before any
test runs (the environment outranks .env), so every config.load() and every child process of
the suite talks to the test stack. The `stack` fixture starts it when it is not running and
stops it at the end of the session if it started it.
"""
from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest

from flinkfast.paths import REPO_ROOT
from flinkfast.stack.isolated import isolated_env

TEST_STATE = Path(os.environ.get("FLINKFAST_TEST_STATE_DIR") or REPO_ROOT / ".state" / "test")
# Under `pytest -n N` (pytest-xdist; `make test` runs two workers) each worker is a session of its
# own and runs on a stack of its own: .state/test-gw0, .state/test-gw1, ... (their own ports too).
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    TEST_STATE = TEST_STATE.with_name(f"{TEST_STATE.name}-{WORKER}")
os.environ.update(isolated_env(TEST_STATE))

from flinkfast import config  # noqa: E402
from flinkfast.stack import Stack  # noqa: E402
from flinkfast.pipeline.flinkrest import cancel, running_jobs  # noqa: E402


@pytest.fixture(scope="session")
def cfg():
    return config.load()


_STARTED: list[Stack] = []   # the test stack, if this session started any of it: stopped at the end


@pytest.fixture(scope="session", autouse=True)
def _stop_what_the_session_started():
    yield
    for s in _STARTED:
        s.down()


@pytest.fixture(scope="session")
def database(cfg):
    """Only PostgreSQL of the test stack, with the schema: for tests of the database alone."""
    s = Stack(cfg)
    if not s.service("postgres").pid():
        _STARTED.append(s)
        s.prepare_state()
        s.start("postgres")
    s.init_database()
    return s


@pytest.fixture(scope="session")
def stack(cfg):
    s = Stack(cfg)
    if not all(svc.pid() for svc in s.services) and not _STARTED:
        _STARTED.append(s)
    s.up()
    for job in running_jobs(cfg):  # left by an earlier run of the suite that was interrupted
        cancel(cfg, job["jid"])
    return s


@pytest.fixture
def topic(stack, cfg):
    """A fresh topic per test, so tests never read each other's events."""
    from flinkfast.clients import create_topic, delete_topics
    name = f"test-{uuid.uuid4().hex[:10]}"
    create_topic(cfg, name)
    yield name
    delete_topics(cfg, [name])


@pytest.fixture
def job_cfg(stack, topic):
    """Settings for a job of its own: this test's topic, consumer group and job name. It checkpoints
    every second (5 s by default): the group's offsets, which the tests' drains and reconcile wait
    for, are committed at each checkpoint."""
    return config.load({"KAFKA_TOPIC": topic, "KAFKA_GROUP_ID": topic, "JOB_NAME": f"e2e-{topic}",
                        "CHECKPOINT_INTERVAL_MS": 1000})


@pytest.fixture(scope="session")
def jobserver(stack, cfg):
    """One warm `flink run -py` client for the session's jobs (flinkfast/pipeline/jobserver.py): the same
    client and job code as `flinkfast submit`, about 3 s a job instead of about 11. The tests of
    `flink run -py` itself (submission, its private namespace, skip, demo, the benchmark) submit
    with flinkfast.pipeline.submit."""
    from flinkfast.pipeline.jobserver import JobServer
    with JobServer(cfg) as server:
        yield server


@pytest.fixture
def run_job(job_cfg, jobserver):
    """Submit the job (optionally with other settings or environment); cancel whatever was submitted.
    Through the warm client; with extra_env (the client's own environment) through `flink run -py`."""
    from flinkfast.pipeline import submit
    submitted = []

    def _run(overrides=None, extra_env=None, wait=True):
        cfg = job_cfg.replace(**(overrides or {}))
        submitted.append(cfg)
        if extra_env:
            return cfg, submit.submit(cfg, extra_env=extra_env, wait=wait)
        return cfg, jobserver.submit(cfg, wait=wait)

    yield _run
    for cfg in submitted:
        for job in running_jobs(cfg, cfg.job_name):
            cancel(cfg, job["jid"])


# ---- the tiers: a test's folder is its marker (unit, flink, compose, deploy, e2e), so `-m` and the
# folders agree; `make test-unit` runs tests/unit (no JVM, no service).
TIERS = ("unit", "flink", "compose", "deploy", "e2e")


# Under pytest-xdist (`--dist loadgroup`), a file's tests go to one worker together (its module
# fixtures, a browser, a job, start once), and so do the tests on the suite's one extra stack
# (tests/e2e/extra_stack.py: they share it, the one that stops it last). The files are handed out
# longest tier first, so the last file to start is a short one and the two workers end together.
PARALLEL_ORDER = ("e2e", "flink", "deploy", "compose", "unit")
EXTRA_STACK = "extra_stack"
# The longest groups start first, one on each worker (their minutes in `python -m tests.times`);
# the other files of a tier follow in their order.
LONGEST_FIRST = ("tests/e2e/test_gauntlet_e2e.py", EXTRA_STACK, "tests/e2e/test_accounting_e2e.py",
                 "tests/e2e/test_retention_e2e.py")


def pytest_itemcollected(item):
    """Each test's marks as it is collected, before any pytest_collection_modifyitems: its tier (for
    -m), and under xdist its group. xdist reads the groups in a pytest_collection_modifyitems of its
    own that runs before this conftest's: a group added there was never seen, and a file's tests
    (its module fixtures, the extra stack) were spread over both workers."""
    tier = tier_of(item)
    if tier:
        item.add_marker(getattr(pytest.mark, tier))
    if WORKER:
        item.add_marker(pytest.mark.xdist_group(group_of(item)))


def tier_of(item) -> str | None:
    """The test's tier: its folder under tests/."""
    return next((t for t in TIERS if f"/tests/{t}/" in str(item.path)), None)


def group_of(item) -> str:
    """The test's xdist group: the extra stack, or its file."""
    return EXTRA_STACK if EXTRA_STACK in getattr(item, "fixturenames", ()) else item.nodeid.split("::")[0]


@pytest.hookimpl(optionalhook=True)   # a hook of xdist's: none without it (-p no:xdist)
def pytest_xdist_node_collection_finished(node, ids):
    """In the controller, each worker's collected ids: each must end in its group (added above), which
    xdist's scheduler reads from there. pytest 9.2 with pytest-xdist 3.8.0 dropped them without a word
    (pytest-dev/pytest-xdist#1386): a file's tests went to both workers and its fixtures started twice."""
    lost = [i for i in ids if i.rfind("@") <= i.rfind("]")]
    if node.config.getvalue("dist") == "loadgroup" and lost:
        pytest.exit(f"pytest-xdist lost the group of {len(lost)} tests (e.g. {lost[0]}): use the pytest that "
                    "requirements-dev.txt pins (make setup)", returncode=4)


def pytest_collection_finish(session):
    """In one process, the fuzz batch's draw when pytest_configure did not start it."""
    if not WORKER and not _fuzz and any(item.nodeid.startswith(FUZZ_TEST) for item in session.items):
        _start_fuzz_draw()     # one process, the fuzz test chosen by a -k or -m (pytest_configure: by path)


def pytest_collection_modifyitems(config, items):   # after tests/e2e/conftest.py's ordering
    if not WORKER:
        return
    tier = {t: i for i, t in enumerate(PARALLEL_ORDER)}
    longest = {g: i for i, g in enumerate(LONGEST_FIRST)}
    # Stable: the order within a tier is kept, but its longest groups start it and the fuzz test ends
    # it (its batch is drawn in the background meanwhile).
    items.sort(key=lambda item: (tier.get(tier_of(item), len(tier)), longest.get(group_of(item), len(longest)),
                                 item.nodeid.startswith(FUZZ_TEST)))


# The flink tier's fuzz messages (tests/flink/fuzz_batch.py): drawn by a process of their own from
# the session's start, on the other core, while the tiers before them run; the test takes them
# from its file (and draws them itself when the process failed). Under pytest-xdist the
# controller starts it before its workers (whichever runs the test does not know it yet) and
# tells them its file and pid through the environment they inherit.
FUZZ_TEST = "tests/flink/test_fuzz_transform.py"
FUZZ_ENV = ("FLINKFAST_FUZZ_BATCH", "FLINKFAST_FUZZ_PID")
_fuzz: dict = {}


def _start_fuzz_draw() -> None:
    import subprocess
    import sys
    import tempfile
    _fuzz["path"] = Path(tempfile.mkdtemp(prefix="flinkfast-fuzz-")) / "batch.pickle"
    _fuzz["process"] = subprocess.Popen([sys.executable, "-m", "tests.flink.fuzz_batch", str(_fuzz["path"])],
                                        cwd=REPO_ROOT)


def _interruptible() -> None:
    """Ctrl-C stops the suite, and SIGINT reaches the children the tests send it to. A shell without
    job control (a CI runner, `setsid bash -c '... &'`) starts a command put in the background with
    SIGINT ignored, and every process under it inherits that: in such a CI run the producer the
    Ctrl-C test interrupts went on sending for the test's whole minute, and a walk under `make chaos`
    could not be stopped with SIGINT. A handler, unlike SIG_IGN, is not inherited across exec: the
    children start with SIGINT at its default, as they would from a terminal."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config):
    _interruptible()
    if WORKER or not getattr(config.option, "numprocesses", None):
        return
    fuzz = (REPO_ROOT / FUZZ_TEST).resolve()
    chosen = [Path(a.split("::")[0]).resolve() for a in config.args]
    if any(fuzz == c or c in fuzz.parents for c in chosen):
        _start_fuzz_draw()
        os.environ.update(zip(FUZZ_ENV, (str(_fuzz["path"]), str(_fuzz["process"].pid))))


def pytest_sessionfinish(session):
    import shutil
    if _fuzz:
        if _fuzz["process"].poll() is None:
            _fuzz["process"].kill()
            _fuzz["process"].wait()
        shutil.rmtree(_fuzz["path"].parent, ignore_errors=True)


@pytest.fixture
def fuzz_batch():
    """The fuzz messages: fuzz_batch() waits for the background draw and returns them."""
    from tests.flink.fuzz_batch import draw, read, read_shared
    if _fuzz:
        return lambda: read(_fuzz["path"], _fuzz["process"])
    if WORKER and os.environ.get(FUZZ_ENV[0]):
        return lambda: read_shared(Path(os.environ[FUZZ_ENV[0]]), int(os.environ[FUZZ_ENV[1]]))
    return draw


# Hypothesis profiles: seeded in `make test`, fresh randomness with FUZZ_EXAMPLES (tests/helpers.py).
from tests.helpers import load_hypothesis_profile  # noqa: E402

load_hypothesis_profile()


@pytest.fixture(scope="session")
def fuzz_cfg():
    """The job's settings for in-memory runs, with a small length limit for the fuzzer."""
    return config.load(env={"FLINK_DB_PASSWORD": "x", "POSTGRES_PASSWORD": "x", "MAX_EVENT_CHARS": "3000"})
