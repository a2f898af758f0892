"""The live latency dashboard (issue 13): `python -m flinkfast.dashboard`, `make dashboard`.

snapshot.py  the one poller: PostgreSQL, Flink REST, Kafka -> the snapshot dict
pgsource.py  its PostgreSQL reads (sql/report/): per-second series, window percentiles
sources.py   its Flink REST and Kafka reads
metrics.py   that snapshot as Prometheus metrics (prometheus_client)
server.py    the HTTP server: the page, /api/snapshot, /metrics
static/      the page (Plotly charts, served from the installed plotly package)
"""
