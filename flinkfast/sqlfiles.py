"""The SQL in sql/ is the one source of truth; this module loads and renders it.

Flink statements use ${NAME} placeholders for configuration values. Values are rendered as
the inside of a SQL string literal (quotes doubled), so a value cannot end the literal.
"""
from __future__ import annotations

import re
from pathlib import Path
from string import Template

from flinkfast.config import SQL_DIR, Config
from flinkfast.errors import ConfigError

FLINK_DIR = SQL_DIR / "flink"
REPORT_DIR = SQL_DIR / "report"


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sql"))


def placeholders(text: str) -> set[str]:
    return {m.group("braced") or m.group("named") for m in Template.pattern.finditer(text)
            if m.group("braced") or m.group("named")}


def render(text: str, values: dict[str, object]) -> str:
    missing = placeholders(text) - values.keys()
    if missing:
        raise ConfigError(f"SQL placeholder(s) without a setting: {', '.join(sorted(missing))}")
    return Template(text).substitute({k: str(v).replace("'", "''") for k, v in values.items()})


def strip_comments(sql: str) -> str:
    """Drop `--` comment lines and the trailing semicolon (execute_sql takes one bare statement)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";").strip()


MASK = "****"


def flink_statements(cfg: Config, names: tuple[str, ...] | None = None, masked: bool = False) -> list[tuple[str, str]]:
    """(file name, rendered statement) for each sql/flink file, in order.

    masked=True renders secrets as **** (for printing); the real values are used otherwise.
    """
    values = cfg.as_env()
    for secret_env in ("FLINK_DB_PASSWORD",):
        values[secret_env] = MASK if masked else cfg.require(secret_env)
    out = []
    for path in files(FLINK_DIR):
        if names is None or path.name in names:
            out.append((path.name, render(strip_comments(path.read_text()), values)))
    return out


def is_select_only(sql: str) -> bool:
    return re.match(r"^\s*(WITH|SELECT)\b", strip_comments(sql), re.I) is not None
