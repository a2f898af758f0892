"""`python flinkfast_job.py`: the job on an embedded mini-cluster, on a loopback of its own.

PyFlink starts a gateway JVM for it (pyflink/java_gateway.py launch_gateway: Flink's
PythonGatewayServer) whose Py4J port on loopback has no authentication, for as long as the job
runs. So the script runs in a private network namespace (flinkfast/security/privatenet.py) whose only ways
out are the local stack's Kafka brokers and PostgreSQL, relayed at the same ports.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from flinkfast.security import privatenet
from flinkfast.config import Config
from flinkfast.errors import Unavailable

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def ports(cfg: Config) -> list[int]:
    """The ports the mini-cluster needs: every broker of the local stack, and PostgreSQL."""
    hosts = [(h, int(p)) for h, p in (s.strip().rsplit(":", 1) for s in cfg.kafka_bootstrap_servers.split(","))]
    hosts.append((cfg.postgres_host, cfg.postgres_port))
    far = [f"{h}:{p}" for h, p in hosts if h not in LOOPBACK]
    if far:
        raise Unavailable(f"the embedded mini-cluster reaches only the local stack on 127.0.0.1, not {', '.join(far)}: "
                          "submit to a cluster instead (flink run -py, make submit)")
    return sorted({p for _, p in hosts} | set(cfg.kafka_ports))


def rerun_private(cfg: Config) -> int:
    """Run this script again in its own network namespace; its exit code."""
    with tempfile.TemporaryDirectory(prefix="flinkfast-net-") as sock_dir:  # 0700
        cmd = [sys.executable, str(Path(sys.argv[0]).resolve()), *sys.argv[1:]]
        # umask 077: the gateway JVM's and the mini-cluster's temporary files are private too.
        return privatenet.run(cmd, ports(cfg), Path(sock_dir), env=dict(os.environ, **{privatenet.INSIDE: "1"}),
                              umask=0o077).returncode
