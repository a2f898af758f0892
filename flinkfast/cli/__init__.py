"""`flinkfast`: one console command for everything the project does, one parser tree.

    flinkfast COMMAND [ARGS ...]        flinkfast COMMAND --help        flinkfast --version

Each command is declared once, in its module (a flinkfast.cli.command.Command: help, example, its own
arguments, the settings it uses as flags, what it runs); COMMANDS below is the one list of
them. The Makefile's targets call them; tests/unit/test_cli.py checks each is documented.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module

from flinkfast.cli.command import Command
from flinkfast.errors import run

# Where each command is declared, in the order the overview lists them.
COMMAND_PATHS = (
    "flinkfast.cli:SETUP",
    "flinkfast.stack.cli:UP", "flinkfast.stack.cli:DOWN", "flinkfast.stack.cli:STATUS", "flinkfast.stack.cli:LOGS",
    "flinkfast.stack.cli:CLEAN",
    "flinkfast.cli.demo:COMMAND", "flinkfast.pipeline.submit:COMMAND", "flinkfast.cli.producer:COMMAND",
    "flinkfast.cli.report:REPORT", "flinkfast.cli.report:RECONCILE", "flinkfast.pipeline.skip:COMMAND", "flinkfast.accounting.lost:COMMAND",
    "flinkfast.topics.newgeneration:COMMAND",
    "flinkfast.bench:COMMAND", "flinkfast.bench.growth:COMMAND", "flinkfast.bench.scaling:COMMAND",
    "flinkfast.ops.drill_cli:COMMAND",
    "flinkfast.dashboard.cli:COMMAND", "flinkfast.cli.shells:SQL", "flinkfast.cli.shells:PSQL",
)


def _setup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tests", action="store_true",
                        help="also what only the tests use: Debian's chromium and kubeconform (make test does this)")


def _setup(args: argparse.Namespace) -> int:
    from flinkfast import bootstrap
    return bootstrap.main(["--tests"] if args.tests else [])


SETUP = Command("setup", "install what is missing: apt packages, .venv, jars, the job's function, .env (idempotent)",
                "flinkfast setup   (make setup)", _setup, _setup_arguments)


def commands() -> list[Command]:
    out = []
    for path in COMMAND_PATHS:
        module, name = path.split(":")
        out.append(getattr(import_module(module), name))
    return out


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as installed
    try:
        return installed("flinkfast")
    except PackageNotFoundError:  # a checkout not installed: read it where the package declares it
        import re

        from flinkfast.paths import REPO_ROOT
        return re.search(r'^version = "([^"]+)"', (REPO_ROOT / "pyproject.toml").read_text(), re.M).group(1)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="flinkfast", description="The flinkfast pipeline: RandomUser -> Kafka -> "
                                  "Flink -> PostgreSQL, on the local stack.", epilog="flinkfast COMMAND --help: a "
                                  "command's own options, each with an example")
    top.add_argument("--version", action="version", version=f"flinkfast {version()}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for c in commands():
        c.fill(sub.add_parser(c.name, help=c.help))
    return top


def usage() -> str:
    cmds = commands()
    width = max(len(c.name) for c in cmds)
    lines = ["usage: flinkfast COMMAND [ARGS ...]   (flinkfast COMMAND --help for its options; flinkfast --version)",
             "", "The flinkfast pipeline: RandomUser -> Kafka -> Flink -> PostgreSQL, on the local stack.", "",
             "commands:"]
    for c in cmds:
        lines.append(f"  {c.name:<{width}}  {c.help}")
        lines.append(f"  {'':<{width}}    e.g. {c.example}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    names = {c.name for c in commands()}
    if not argv[0].startswith("-") and argv[0] not in names:
        print(f"flinkfast: error: unknown command {argv[0]!r}; one of: {', '.join(sorted(names))}", file=sys.stderr)
        return 2
    top = parser()
    args, extra = top.parse_known_args(argv)
    return args._command.call(top, args, extra)


def entry() -> None:
    """The console script: one-line errors and exit codes, as every command of the project."""
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    run(main, f"flinkfast {command}".strip())

