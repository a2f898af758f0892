"""The one console command: every command runs, answers --help with an example, and is
documented (README, Makefile), as simonw/sqlite-utils checks its own."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from flinkfast import cli

REPO = Path(__file__).resolve().parent.parent


def flinkfast(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flinkfast.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def test_the_overview_lists_every_command_with_an_example():
    out = flinkfast("--help")
    assert out.returncode == 0
    for c in cli.COMMANDS:
        assert re.search(rf"^  {c.name} ", out.stdout, re.M), c.name
        assert f"e.g. {c.example}" in out.stdout
        assert c.example.startswith(f"flinkfast {c.name}")


@pytest.mark.parametrize("name", [c.name for c in cli.COMMANDS])
def test_every_command_answers_help_with_an_example(name):
    out = flinkfast(name, "--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: flinkfast"), out.stdout[:200]
    assert "example" in out.stdout.lower()


@pytest.mark.parametrize("name", [c.name for c in cli.COMMANDS])
def test_every_command_is_documented_in_the_readme(name):
    readme = (REPO / "README.md").read_text()
    assert f"flinkfast {name}" in readme or f"make {name}" in readme


def test_make_targets_are_one_liners_over_the_command():
    makefile = (REPO / "Makefile").read_text()
    recipes = re.findall(r"^([a-z-]+):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.M)
    for target, recipe in recipes:
        assert recipe.count("\n") == 1, f"make {target} is more than one line"
        if target in cli.BY_NAME:
            assert f"$(FF) {target}" in recipe or target == "setup", target


def test_an_unknown_command_is_one_line_and_exit_2():
    out = flinkfast("nonsense")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "unknown command" in out.stderr


@pytest.mark.e2e
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
