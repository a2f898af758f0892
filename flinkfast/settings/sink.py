"""The job's sinks into PostgreSQL: which connector writes, and when it flushes and retries."""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.settings.option import option

# The Flink connector behind each SINK_MODE (the sink tables of sql/flink say 'connector' = '${SINK_CONNECTOR}').
SINK_CONNECTORS = {"copy": "flinkfast-postgres", "jdbc": "jdbc"}


@dataclass(frozen=True)
class Sink:
    sink_mode: str = option("copy", "how the sinks write: copy (one binary COPY and one transaction per flush, "
                                    "the flinkfast-postgres connector in udf/) or jdbc (Flink's JDBC connector)")
    sink_flush_max_rows: int = option(5000, "sink: flush after this many buffered rows")
    sink_flush_interval_ms: int = option(200, "sink: no row waits longer than this")
    sink_flush_idle_ms: int = option(5, "copy sink: flush when no row came for this long (0: off); the jdbc sink "
                                        "flushes on the interval only")
    sink_max_retries: int = option(5, "sink: retries of a failed flush before the job fails over")
