"""A command of `flinkfast`, declared once: its help and example, its own arguments, the settings
it uses (each one a flag of it, whose help names the variable), and what it runs.

cli.py puts every command into one parser tree (`flinkfast COMMAND --help` shows that command's
options and no other's); a module's `python -m` entry and the thin scripts (producer_api.py,
print_data_postgres.py) build the same parser from the same declaration.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Callable, Mapping

from flinkfast import config


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


@dataclass(frozen=True)
class Command:
    name: str
    help: str                                         # one line, for the overview
    example: str
    run: Callable[[argparse.Namespace], int | None]
    arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments
    settings: tuple[str, ...] = ()                    # settings it uses: each becomes a flag
    description: str = ""                             # more than the help line, for its own --help
    passthrough: bool = False                         # unknown arguments go on to another program
    flag_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # a setting's shorter flags

    def fill(self, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        # Under another name (python -m, a thin script) the examples name that.
        parser.description = (self.description or self.help).replace(f"flinkfast {self.name}", parser.prog)
        parser.epilog = f"example: {self.example}"
        if "\n" in parser.description:  # laid out by hand (a list of examples): keep it as it is
            parser.formatter_class = argparse.RawDescriptionHelpFormatter
        self.arguments(parser)
        if self.settings:
            config.add_flags(parser, *self.settings, names=self.flag_names)
        parser.set_defaults(_command=self)
        return parser

    def main(self, argv: list[str] | None = None, prog: str | None = None) -> int:
        """This command on its own (python -m, a thin script)."""
        parser = self.fill(argparse.ArgumentParser(prog=prog or f"flinkfast {self.name}"))
        args, extra = parser.parse_known_args(argv)
        return self.call(parser, args, extra)

    def call(self, parser: argparse.ArgumentParser, args: argparse.Namespace, extra: list[str]) -> int:
        if extra and not self.passthrough:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra = extra
        return self.run(args) or 0
