"""udf/'s own unit tests (JUnit, `mvn -f udf/pom.xml test`): the function's (the scanner, the rules, the
skip list, and every case of tests/data/classification_cases.json, the file tests/unit/ checks against the
Python oracle) and the COPY connector's (the encoder, the options, and CopyWriter's flush, retry and timers
against a real PostgreSQL: a throwaway server started here, as the local stack starts its own)."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from flinkfast.errors import UserError
from flinkfast.paths import REPO_ROOT
from flinkfast.stack.isolated import free_port
from flinkfast.stack.postgres import Postgres

UDF = REPO_ROOT / "udf"
TEST_CLASSES = 9   # function: 6, connector-postgres: 3 (BinaryCopyEncoderTest, CopyOptionsTest, CopyWriterTest)


@pytest.fixture
def throwaway_postgres(cfg):
    """A PostgreSQL of its own in a temporary folder on a free loopback port, with a password made here."""
    with tempfile.TemporaryDirectory(prefix="flinkfast-junit-") as folder:
        Path(folder).chmod(0o711)   # the server runs as 'postgres' when we are root: it must reach its folder
        pg = Postgres(cfg.replace(postgres_port=free_port(), postgres_password=secrets.token_urlsafe(24)), Path(folder))
        try:
            pg.start()
        except UserError as e:
            pg.stop()
            pytest.fail(f"the throwaway PostgreSQL for the JUnit tests did not start: {e}")
        try:
            yield pg
        finally:
            pg.stop()


def test_junit_passes(throwaway_postgres):
    if not shutil.which("mvn"):
        pytest.fail("Maven is missing: run `make setup`")
    pg = throwaway_postgres
    for reports in UDF.glob("*/target/surefire-reports"):
        shutil.rmtree(reports)   # only this run's reports are counted
    # The password in the environment, not on a command line that ps shows.
    env = dict(os.environ, FLINKFAST_TEST_POSTGRES_PASSWORD=pg.cfg.postgres_password)
    r = subprocess.run(["mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(UDF / "pom.xml"),
                        f"-Dflinkfast.test.postgres.url=jdbc:postgresql://127.0.0.1:{pg.port}/postgres",
                        f"-Dflinkfast.test.postgres.user={pg.cfg.postgres_user}", "test"],
                       cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    reports = list(UDF.glob("*/target/surefire-reports/TEST-*.xml"))
    assert len(reports) == TEST_CLASSES, f"every test class ran: {sorted(p.name for p in reports)}"
    assert all('failures="0"' in p.read_text() and 'errors="0"' in p.read_text() and 'skipped="0"' in p.read_text()
               for p in reports)
