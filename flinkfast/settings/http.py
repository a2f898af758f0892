"""The HTTP servers a browser opens: the live dashboard and the Web UI gate."""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.settings.option import option


@dataclass(frozen=True)
class Http:
    http_allowed_hosts: str = option("", "names besides 127.0.0.1, localhost and [::1] that the Web UI gate and the "
                                         "dashboard accept in the Host header (comma-separated)")
    dashboard_port: int = option(8050, "port of the live dashboard (127.0.0.1 only)")
    dashboard_window_s: int = option(300, "default sliding window of the dashboard, in seconds")
