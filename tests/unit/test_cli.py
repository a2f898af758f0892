"""The one console command: every command runs, answers --help with an example, and is
documented (README, Makefile), as simonw/sqlite-utils checks its own."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from flinkfast.paths import REPO_ROOT

from flinkfast import cli

REPO = REPO_ROOT


def flinkfast(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flinkfast.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


COMMANDS = cli.commands()


def test_the_overview_lists_every_command_with_an_example():
    out = flinkfast("--help")
    assert out.returncode == 0
    for c in COMMANDS:
        assert re.search(rf"^  {c.name} ", out.stdout, re.M), c.name
        assert f"e.g. {c.example}" in out.stdout
        assert c.example.startswith(f"flinkfast {c.name}")


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_command_answers_help_with_an_example(name):
    out = flinkfast(name, "--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: flinkfast"), out.stdout[:200]
    assert "example" in out.stdout.lower()


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_command_is_documented_in_the_readme(name):
    readme = (REPO / "README.md").read_text()
    assert f"flinkfast {name}" in readme or f"make {name}" in readme


def test_make_targets_are_one_liners_over_the_command():
    makefile = (REPO / "Makefile").read_text()
    recipes = re.findall(r"^([a-z-]+):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.M)
    for target, recipe in recipes:
        assert recipe.count("\n") == 1, f"make {target} is more than one line"
        if target in {c.name for c in COMMANDS}:
            assert f"$(FF) {target}" in recipe or target == "setup", target


def test_an_unknown_command_is_one_line_and_exit_2():
    out = flinkfast("nonsense")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "unknown command" in out.stderr


def test_each_command_shows_its_own_options_and_every_setting_it_uses():
    """One parser tree: `reconcile --help` is reconciliation's, not the report's (it used to show
    --plot and --window); each setting a command declares is a flag of it, naming its variable."""
    reconcile = flinkfast("reconcile", "--help").stdout
    assert "--to-end" in reconcile and "--plot" not in reconcile and "--window" not in reconcile
    for c in COMMANDS:
        text = flinkfast(c.name, "--help").stdout
        for env in c.settings:
            assert f"--{env.lower().replace('_', '-')}" in text and f"[env {env};" in " ".join(text.split()), \
                (c.name, env)


def test_a_setting_the_command_uses_is_taken_as_its_flag():
    """`flinkfast up --taskmanager-slots 4` used to be refused although `up` uses the setting."""
    from flinkfast import config
    top = cli.parser()
    args, extra = top.parse_known_args(["up", "--taskmanager-slots", "4", "--kafka-partitions", "8"])
    cfg = config.from_args(args)
    assert not extra and (cfg.taskmanager_slots, cfg.kafka_partitions) == (4, 8)
    assert args._command.name == "up"


def test_version():
    out = flinkfast("--version")
    assert out.returncode == 0 and re.fullmatch(r"flinkfast \d+\.\d+\.\d+\n", out.stdout), out.stdout
