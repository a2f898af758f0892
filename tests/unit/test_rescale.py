"""The in-place rescale's pure parts (the drill runs it: `make drill`, docs/drill.md): the body of
PUT /jobs/:id/resource-requirements, reading the parallelism from GET /jobs/:id, and the adaptive
scheduler in Flink's configuration only where asked (the drill's stack), never on a test stack."""
from __future__ import annotations

import pytest

from flinkfast import config
from flinkfast.errors import ConfigError
from flinkfast.ops import drill
from flinkfast.ops.rescale import requirements, running_at
from flinkfast.paths import REPO_ROOT
from flinkfast.stack.flinkhome import scheduler
from flinkfast.stack.isolated import isolated_env

NO_DOTENV = REPO_ROOT / "tests" / "no-such.env"


def load(**env):
    return config.load(env={k: str(v) for k, v in env.items()}, dotenv_path=NO_DOTENV)


def test_the_requirements_ask_every_vertex_for_at_most_the_new_parallelism():
    body = requirements(["a1", "b2"], 4)
    assert body == {"a1": {"parallelism": {"lowerBound": 1, "upperBound": 4}},
                    "b2": {"parallelism": {"lowerBound": 1, "upperBound": 4}}}
    assert requirements(["a1"], 2)["a1"]["parallelism"]["upperBound"] == 2


def job(state="RUNNING", *vertices):
    """GET /jobs/:id's shape: per vertex its parallelism, its (aggregate) status, its subtasks per state."""
    return {"state": state, "vertices": [{"id": f"v{i}", "parallelism": p, "status": "RUNNING" if running else "DEPLOYING",
                                          "tasks": {"RUNNING": running, "INITIALIZING": p - running}}
                                         for i, (p, running) in enumerate(vertices)]}


def test_running_at_the_new_parallelism_means_every_subtask_of_every_vertex_running_at_it():
    assert running_at(job("RUNNING", (4, 4), (4, 4)), 4)
    assert not running_at(job("RUNNING", (4, 4), (2, 2)), 4), "one vertex still at the old one"
    assert not running_at(job("RUNNING", (2, 2), (2, 2)), 4), "not rescaled yet"
    assert not running_at(job("RUNNING", (4, 4), (4, 0)), 4), "a vertex not running yet"
    half = job("RUNNING", (4, 2))
    assert half["vertices"][0]["status"] == "RUNNING" and not running_at(half, 4), \
        "Flink calls the vertex RUNNING with 2 of its 4 subtasks initializing"
    assert not running_at(job("RESTARTING", (4, 4)), 4), "the job restarting"
    assert not running_at(job("RUNNING"), 4), "no vertex: nothing to say it runs"


def test_only_the_adaptive_scheduler_is_rendered_into_flinks_configuration():
    assert scheduler(load()) == {}
    adaptive = scheduler(load(FLINK_SCHEDULER="adaptive"))
    assert adaptive["jobmanager.scheduler"] == "adaptive"
    assert adaptive["jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling"] == "0 s"
    with pytest.raises(ConfigError, match="FLINK_SCHEDULER='reactive' must be default or adaptive"):
        load(FLINK_SCHEDULER="reactive")


def test_the_drills_stack_runs_the_adaptive_scheduler_and_a_test_stack_the_default(tmp_path):
    # Pinned in the stack's environment, which outranks .env: a developer's FLINK_SCHEDULER=adaptive
    # there never reaches the suite's stacks.
    assert isolated_env(tmp_path / "test")["FLINK_SCHEDULER"] == "default"
    assert isolated_env(tmp_path / "drill", **drill.SHAPE)["FLINK_SCHEDULER"] == "adaptive"
