"""The live latency dashboard (issue 13): `python -m flinkfast.dashboard`, `make dashboard`.

snapshot.py  the one poller: PostgreSQL (sql/report/), Flink REST, Kafka -> the snapshot dict
metrics.py   that snapshot as Prometheus metrics (prometheus_client)
server.py    the HTTP server: the page, /api/snapshot, /metrics
static/      the page (Plotly charts, served from the installed plotly package)
"""
