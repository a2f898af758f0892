"""The SQL in sql/ is the one source of truth; this module loads and renders it: `query(name)`
for a statement the Python code runs (reports, reconciliation, health, the benchmark, the
dashboard), `flink_statements()` for the job's.

Flink statements use ${NAME} placeholders for configuration values. Values are rendered as
the inside of a SQL string literal (quotes doubled), so a value cannot end the literal.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from flinkfast.config import SINK_CONNECTORS, Config
from flinkfast.paths import SQL_DIR
from flinkfast.errors import ConfigError

FLINK_DIR = SQL_DIR / "flink"
REPORT_DIR = SQL_DIR / "report"


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sql"))


def query(name: str) -> str:
    """The statement in sql/NAME (e.g. "reconcile/placed.sql"), read when asked (so an edited
    file counts at once), whole-line comments dropped (psycopg2 would read a % in them as a
    parameter) and no trailing semicolon."""
    return strip_comments((SQL_DIR / name).read_text()).rstrip().rstrip(";")


PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")  # ${NAME} only: JSON paths like '$.uuid' stay as they are


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def render(text: str, values: dict[str, object]) -> str:
    missing = placeholders(text) - values.keys()
    if missing:
        raise ConfigError(f"SQL placeholder(s) without a setting: {', '.join(sorted(missing))}")
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]).replace("'", "''"), text)


def strip_comments(sql: str) -> str:
    """Drop `--` comment lines (whole-line comments only; the files keep to that)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip()


def split_statements(sql: str) -> list[str]:
    """One bare statement each (execute_sql takes one, without the semicolon). A statement ends
    with `;` at the end of a line; the files put no semicolon at a line end inside a literal."""
    return [part.strip() for part in re.split(r";[ \t]*(?:\n|$)", sql) if part.strip()]


MASK = "****"
def jdbc_tls(cfg: Config) -> str:
    """The sinks' JDBC URL parameters for TLS (POSTGRES_SSLMODE, POSTGRES_SSLROOTCERT, POSTGRES_CHANNELBINDING), each only
    when set: '&sslmode=verify-full&sslrootcert=/path/ca.crt', or '' (pgjdbc's default, prefer).
    pgjdbc URL-decodes parameter values, so the path is URL-encoded."""
    out = ""
    if cfg.postgres_sslmode:
        out += f"&sslmode={cfg.postgres_sslmode}"
    if cfg.postgres_sslrootcert:
        out += f"&sslrootcert={quote(cfg.postgres_sslrootcert, safe='/')}"
    if cfg.postgres_channelbinding:  # pgjdbc 42.7.8's channelBinding (SCRAM-SHA-256-PLUS)
        out += f"&channelBinding={cfg.postgres_channelbinding}"
    return out


# Placeholders that are not settings but follow from them (each a function of the configuration).
COMPUTED = {"SINK_CONNECTOR": lambda cfg: SINK_CONNECTORS[cfg.sink_mode], "POSTGRES_JDBC_TLS": jdbc_tls}


def flink_statements(cfg: Config, names: tuple[str, ...] | None = None, masked: bool = False) -> list[tuple[str, str]]:
    """(file name, rendered statement) for each statement of the sql/flink files, in order.

    masked=True renders secrets as **** (for printing); the real values are used otherwise.
    """
    values = {**cfg.as_env(), **{name: f(cfg) for name, f in COMPUTED.items()}}
    for secret_env in ("FLINK_DB_PASSWORD", "KAFKA_JOB_PASSWORD"):
        values[secret_env] = MASK if masked else cfg.require(secret_env)
    out = []
    for path in files(FLINK_DIR):
        if names is None or path.name in names:
            rendered = render(strip_comments(path.read_text()), values)
            out.extend((path.name, statement) for statement in split_statements(rendered))
    return out
