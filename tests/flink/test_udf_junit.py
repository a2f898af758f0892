"""The job's Java function's own unit tests (udf/src/test: the scanner, the rules, the skip list,
and every case of tests/data/classification_cases.json, the file tests/unit/ checks against the
Python oracle), run by Maven as part of the suite."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from flinkfast.paths import REPO_ROOT


def test_junit_passes():
    if not shutil.which("mvn"):
        pytest.fail("Maven is missing: run `make setup`")
    r = subprocess.run(["mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(REPO_ROOT / "udf" / "pom.xml"), "test"],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    reports = list((REPO_ROOT / "udf" / "target" / "surefire-reports").glob("TEST-*.xml"))
    assert len(reports) >= 5, "every test class ran"
    assert all('failures="0"' in p.read_text() and 'errors="0"' in p.read_text() for p in reports)
