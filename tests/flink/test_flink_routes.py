"""Flink's REST routes, from its own handler specifications: every RestHandlerSpecification in the
installed flink-dist jar (tests/data/ListRoutes.java, run by the JDK), with its HTTP method and
getTargetRestEndpointURL(). The gate's tables (flinkfast.security.webgate) and the unit tests' corpus
(tests/data/flink_rest_routes.txt) must be exactly that: a Flink upgrade that adds a route fails here.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flinkfast.security import webgate
from flinkfast.stack import pyflink_home

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def jar_routes() -> list[str]:
    lib = pyflink_home() / "lib"
    dist = next(lib.glob("flink-dist*.jar"))
    r = subprocess.run(["java", "-cp", f"{lib}/*", str(DATA / "ListRoutes.java"), str(dist)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return [line for line in r.stdout.splitlines() if line.strip()]


def test_the_route_list_is_what_the_jar_says(jar_routes):
    unknown = [line for line in jar_routes if line.startswith("UNKNOWN")]
    specs = [line for line in jar_routes if not line.startswith("UNKNOWN")]
    # Two decorators wrap another spec (no route of their own); anything else unknown would be a miss.
    assert {u.split()[-1].rsplit(".", 1)[-1] for u in unknown} <= {"UrlPrefixDecorator", "CustomHeadersDecorator"}
    assert len(specs) > 80 and any(" /jobs/:jobid/yarn-cancel " in s for s in specs)
    assert specs == (DATA / "flink_rest_routes.txt").read_text().splitlines(), \
        "Flink's routes changed: regenerate tests/data/flink_rest_routes.txt (see this file) and review the gate"


def test_the_gate_knows_every_get_route_of_flink(jar_routes):
    gets = {line.split()[1] for line in jar_routes if line.startswith("GET ")} - {"/:*"}
    known = set(webgate.READ_ROUTES) | set(webgate.OTHER_GET_ROUTES)
    assert gets == known, f"new: {sorted(gets - known)}; gone: {sorted(known - gets)}"
    assert not set(webgate.READ_ROUTES) & set(webgate.OTHER_GET_ROUTES)
