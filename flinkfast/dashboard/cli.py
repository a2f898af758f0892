"""`flinkfast dashboard`: serve the live latency dashboard: latency percentiles per second (Kafka -> Flink ->
PostgreSQL), throughput, dead letters, consumer lag and the job's health, updated every second.

    python -m flinkfast.dashboard        (make dashboard)

Pages and endpoints: / (the dashboard), /api/snapshot?window=300 (the same figures as JSON),
/metrics (Prometheus text format, names prefixed flinkfast_; see docs/monitoring.md).
"""
from __future__ import annotations

import argparse
import signal

from flinkfast import config
from flinkfast.cli.command import Command


def _interrupt(*_):
    raise KeyboardInterrupt


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; the compose service uses 0.0.0.0 inside "
                             "its container, published on the host's 127.0.0.1 only)")


def _run(args: argparse.Namespace) -> int:
    cfg = config.from_args(args)
    cfg.require("READER_DB_PASSWORD")  # it reads PostgreSQL as the read-only role, nothing else

    from flinkfast.dashboard.server import make_server
    from flinkfast.dashboard.snapshot import Poller
    from flinkfast.security.webgate import host_names
    poller = Poller(cfg)
    server = make_server(poller, args.host, cfg.dashboard_port, host_names(cfg.http_allowed_hosts))
    poller.start()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops it as cleanly as Ctrl-C
    print(f"dashboard on http://{args.host}:{cfg.dashboard_port}  (window {poller.default_window} s; "
          f"job {cfg.job_name!r}, topic {cfg.kafka_topic}; Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        poller.stop()
    return 0


COMMAND = Command("dashboard", "the live latency dashboard on http://127.0.0.1:8050 (/metrics for Prometheus)",
                  "flinkfast dashboard --dashboard-port 8050 --dashboard-window-s 60   (make dashboard)", _run,
                  _arguments,
                  settings=("DASHBOARD_PORT", "DASHBOARD_WINDOW_S", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB",
                            "READER_DB_USER", "FLINK_GATE_URL", "FLINK_UI_URL",
                            "HTTP_ALLOWED_HOSTS", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "KAFKA_GROUP_ID", "JOB_NAME"),
                  description=__doc__.strip())
main = COMMAND.main
