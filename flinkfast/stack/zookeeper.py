"""ZooKeeper, from the Kafka distribution's jars: Kafka's metadata and Flink's high availability.

Every client logs in (SASL/digest, enforce.auth): the brokers as user kafka, Flink's HA as user
flink (ZOOKEEPER_KAFKA_PASSWORD, ZOOKEEPER_FLINK_PASSWORD); a session without a login is closed.
Each keeps its own tree to itself: the brokers /kafka (their chroot) with zookeeper.set.acl, Flink
/flink with creator-only ACLs. The launcher alone logs in as the super user (zookeeper.superUser),
with a password made anew at each start and kept in .state/zookeeper: it makes /kafka and /flink
and closes the root (flinkfast.stack.zktree).
"""
from __future__ import annotations

import secrets
import socket

from flinkfast.config import Config
from flinkfast.stack.service import LOG4J_STDOUT, Service, jars, java
from flinkfast.stack.zktree import SUPER_USER, super_jaas

DIGEST = "org.apache.zookeeper.server.auth.DigestLoginModule"


def client_jaas(username: str, password: str, module: str = DIGEST) -> str:
    """The `Client` section a ZooKeeper client logs in with (the brokers', Flink's)."""
    return f'Client {{\n  {module} required\n  username="{username}"\n  password="{password}";\n}};\n'


def server_jaas(cfg: Config, super_password: str) -> str:
    return ("Server {\n  %s required\n  user_kafka=\"%s\"\n  user_flink=\"%s\"\n  user_%s=\"%s\";\n};\n"
            % (DIGEST, cfg.require("ZOOKEEPER_KAFKA_PASSWORD"), cfg.require("ZOOKEEPER_FLINK_PASSWORD"),
               SUPER_USER, super_password))


class ZooKeeper(Service):
    name = "zookeeper"
    port_env = "ZOOKEEPER_PORT"
    timeout_s = 60
    # Restarted when it exits: another local user can flood its port with connections until it
    # runs out of file descriptors and exits (an attack did); Flink's HA and the brokers wait for it.
    restart = True

    def launch(self) -> None:
        d, cfg = self.dir, self.cfg
        (d / "data").mkdir(mode=0o700, parents=True, exist_ok=True)
        self.write(d / "zookeeper.properties",
                   f"dataDir={d / 'data'}\nclientPort={self.port}\nclientPortAddress=127.0.0.1\n"
                   "maxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=ruok,srvr\n"
                   # every session, a refused one too, is a transaction: old logs and snapshots purged hourly
                   "autopurge.snapRetainCount=3\nautopurge.purgeInterval=1\n"
                   # SASL only: a client that has not logged in is refused (ZooKeeper 3.8's enforce.auth).
                   "authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n"
                   "enforce.auth.enabled=true\nenforce.auth.schemes=sasl\n")
        super_password = secrets.token_urlsafe(24)
        self.write(d / "jaas.conf", server_jaas(cfg, super_password))
        self.write(super_jaas(d), client_jaas(SUPER_USER, super_password))
        self.write(d / "log4j.properties", LOG4J_STDOUT)
        self.spawn([java(), f"-Xmx{cfg.zookeeper_heap}", f"-Xms{cfg.zookeeper_heap}",
                    f"-Djava.security.auth.login.config={d / 'jaas.conf'}", f"-Dzookeeper.superUser={SUPER_USER}",
                    f"-Dlog4j.configuration=file:{d / 'log4j.properties'}", "-cp", f"{jars('kafka')}/*",
                    "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(d / "zookeeper.properties")])

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"ruok")
                return s.recv(4) == b"imok"
        except OSError:
            return False
