"""Errors a user can act on, and the exit codes that go with them.

Every script runs its main() through `run()`, so a known failure prints one line saying what
is wrong and what to do, never a stack trace. Exit codes (documented in the README):

    0  success
    1  the pipeline ran but a check failed (e.g. rows missing after the timeout)
    2  usage or configuration error (bad flag, missing password, invalid identifier)
    3  a dependency or service is unavailable (port taken, Java missing, Kafka unreachable, API down)
    4  timed out waiting for something (a service, the rows of a run)
  130  interrupted (Ctrl-C)
"""
from __future__ import annotations

import sys
from typing import Callable


class UserError(Exception):
    exit_code = 1


class CheckFailed(UserError):
    exit_code = 1


class ConfigError(UserError):
    exit_code = 2


class Unavailable(UserError):
    exit_code = 3


class TimedOut(UserError):
    exit_code = 4


def run(main: Callable[[], int | None], prog: str) -> None:
    """Call main() and turn known failures into one line and an exit code."""
    try:
        code = main()
    except UserError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)


def one_line(text: object, limit: int = 200) -> str:
    """Text from outside (an API body, an exception) squeezed onto one short line."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."
