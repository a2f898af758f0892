"""How a setting is declared: `option(default, help)`, one field of a part's frozen dataclass.

The environment variable is the field's name in upper case and its type the field's annotation;
flinkfast.config reads every part's fields (one loader) and lists them as `config.SETTINGS`.
"""
from __future__ import annotations

from dataclasses import field
from typing import Callable, Mapping

Derive = Callable[[Mapping[str, object]], object]


def option(default, help: str, secret: bool = False, derive: Derive | None = None):
    """One setting: its one default (a value; None for a secret; or `derive`, computed from the
    settings already resolved, by environment name), its help text, whether it is a secret."""
    return field(default=default, metadata={"help": help, "secret": secret, "derive": derive})
