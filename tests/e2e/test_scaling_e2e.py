"""`make bench-scaling` end to end on a few thousand events: a stack of its own with two
TaskManagers comes up, every parallelism drains every event with its CPU per process measured,
and the stack is gone afterwards. No timing is asserted."""
import json
import os
import subprocess
import sys
import uuid

import pytest

from flinkfast.paths import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.long]


@pytest.fixture
def state():
    state = REPO_ROOT / ".state" / f"test-scaling-{uuid.uuid4().hex[:8]}"  # in .state: passable for postgres
    yield state
    subprocess.run([sys.executable, "-m", "flinkfast.stack", "down", "--purge"], cwd=REPO_ROOT, capture_output=True,
                   env=dict(os.environ, FLINKFAST_STATE_DIR=str(state)), timeout=300)


def test_every_parallelism_drains_every_event_on_a_stack_of_its_own(state, tmp_path):
    from flinkfast.stack import process
    r = subprocess.run([sys.executable, "-m", "flinkfast.bench.scaling", "--scaling-events", "3000",
                        "--state", str(state), "--out", str(tmp_path)],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    [result_file] = tmp_path.glob("*-scaling.json")
    result = json.loads(result_file.read_text())
    assert result["settings"]["FLINK_TASKMANAGERS"] == 2 and result["settings"]["KAFKA_PARTITIONS"] == 4
    assert list(result["parallelism"]) == ["1", "2", "4"]
    for p, drain in result["parallelism"].items():
        assert drain["events"] == 3000 and drain["events_per_s"] > 0, p
        assert drain["settings"] == {"FLINK_PARALLELISM": p}
        cpu = drain["cpu_us_per_event"]
        assert cpu["taskmanager"] > 0 and cpu["postgres"] > 0 and cpu["total"] >= cpu["taskmanager"], p
    assert "Drain of 3,000 events at each parallelism" in r.stdout
    # Its stack stopped: none of its ports is open any more.
    ports = dict(line.split("=", 1) for line in (state / "ports.env").read_text().split())
    assert ports and not [p for p in ports.values() if process.port_open(int(p))]
