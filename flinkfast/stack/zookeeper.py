"""ZooKeeper, from the Kafka distribution's jars: Kafka's metadata and Flink's high availability."""
from __future__ import annotations

import socket

from flinkfast.stack.service import LOG4J_STDOUT, Service, jars, java


class ZooKeeper(Service):
    name = "zookeeper"
    port_env = "ZOOKEEPER_PORT"
    timeout_s = 60

    def launch(self) -> None:
        d, cfg = self.dir, self.cfg
        (d / "data").mkdir(mode=0o700, parents=True, exist_ok=True)
        self.write(d / "zookeeper.properties",
                   f"dataDir={d / 'data'}\nclientPort={self.port}\nclientPortAddress=127.0.0.1\n"
                   "maxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=ruok,srvr\n")
        self.write(d / "log4j.properties", LOG4J_STDOUT)
        self.spawn([java(), f"-Xmx{cfg.zookeeper_heap}", f"-Xms{cfg.zookeeper_heap}",
                    f"-Dlog4j.configuration=file:{d / 'log4j.properties'}", "-cp", f"{jars('kafka')}/*",
                    "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(d / "zookeeper.properties")])

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"ruok")
                return s.recv(4) == b"imok"
        except OSError:
            return False
