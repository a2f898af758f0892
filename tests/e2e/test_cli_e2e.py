"""The commands that need the stack, run as a user runs them."""
from __future__ import annotations

import subprocess
import sys

from flinkfast.paths import REPO_ROOT


def flinkfast(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flinkfast.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=REPO_ROOT)


def test_sql_opens_flinks_sql_client_with_the_jobs_tables(stack, cfg, tmp_path):
    """`flinkfast sql`: the real SQL client on the local cluster, tables declared, no secret shown."""
    script = tmp_path / "q.sql"
    script.write_text("SHOW TABLES;\nSHOW FUNCTIONS;\n")
    out = flinkfast("sql", "-f", str(script))
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    for table in ("random_user_source", "classified", "processed", "dead_letters", "processed_events_sink"):
        assert f"| {table} |" in out.stdout.replace("  ", " ") or table in out.stdout
    assert "classify_row" in out.stdout
    secret = cfg.require("FLINK_DB_PASSWORD")
    assert secret not in out.stdout + out.stderr
    init = stack.state / "flink" / "sql-client-init.sql"
    assert not init.exists(), "the init file holds the writer's password: deleted when the client exits"
