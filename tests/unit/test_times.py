"""tests/times.py sums a run's JUnit XML by file and tier (the budget of `make test` is kept by looking)."""
from __future__ import annotations

from tests import times

XML = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.e2e.test_a" name="test_one" time="10.5"/>
<testcase classname="tests.e2e.test_a" name="test_two[x]" time="2.0"/>
<testcase classname="tests.e2e.test_b.TestThing" name="test_three" time="4.0"/>
<testcase classname="tests.unit.test_c" name="test_four" time="0.25"/>
</testsuite></testsuites>"""


def test_seconds_are_summed_by_file_and_tier(tmp_path):
    path = tmp_path / "test.xml"
    path.write_text(XML)
    assert times.by_file(path) == {"tests/e2e/test_a.py": 12.5, "tests/e2e/test_b.py": 4.0, "tests/unit/test_c.py": 0.25}
    text = times.summary(path)
    assert "e2e         0.3 min" in text and "12.5 s  tests/e2e/test_a.py" in text
