"""Serve the live latency dashboard: latency percentiles per second (Kafka -> Flink ->
PostgreSQL), throughput, dead letters, consumer lag and the job's health, updated every second.

    python -m flinkfast.dashboard        (make dashboard)

Pages and endpoints: / (the dashboard), /api/snapshot?window=300 (the same figures as JSON),
/metrics (Prometheus text format, names prefixed flinkfast_; see docs/monitoring.md).
"""
from flinkfast.dashboard.cli import main
from flinkfast.errors import run

if __name__ == "__main__":
    run(main, "dashboard")
