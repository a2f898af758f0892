"""ZooKeeper's top level: Kafka's chroot and Flink's HA root made with their owners' ACLs before
either starts, and the root closed, on every `up` (flinkfast.stack.orchestrator).

ZooKeeper's root is open to every login by default (world:anyone:cdrwa): either login could make
/flink before Flink does, with an ACL of its choice, and then Flink's HA state would be theirs.
So, logged in as ZooKeeper's super user (ZooKeeper.launch makes one per start, its password in
.state/zookeeper, never a setting), ZkTree.java checks that / holds nothing but zookeeper, /kafka
and /flink, closes / to the super user, makes /kafka (the brokers' chroot) user kafka's only and
/flink user flink's only, and checks every znode under them: a tree someone else made first, or
one made before Kafka's chroot, makes `up` stop with one line instead of running on it.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from flinkfast.config import Config
from flinkfast.errors import ConfigError, Unavailable
from flinkfast.stack.process import private_open
from flinkfast.stack.service import jars, java

KAFKA_CHROOT = "/kafka"          # the brokers' zookeeper.connect ends in it; ConfigCommand's --zookeeper too
FLINK_ROOT = "/flink"            # high-availability.zookeeper.path.root
SUPER_USER = "super"             # ZooKeeper's super user (-Dzookeeper.superUser), the launcher's only
# Who owns each path (parents first); +r: world:anyone may read below it, as Kafka's zookeeper.set.acl
# gives every znode but the credentials. /kafka/consumers is made here too: Kafka would make it
# open to everyone (world:anyone:cdrwa, kept for the old consumers).
OWNERS = {KAFKA_CHROOT: "kafka+r", f"{KAFKA_CHROOT}/consumers": "kafka", FLINK_ROOT: "flink"}
SOURCE = Path(__file__).with_name("ZkTree.java")
QUIET_LOG4J = ("log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
               "log4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
               "log4j.appender.stderr.layout.ConversionPattern=%p %m (%c)%n\n")


def kafka_connect(cfg: Config) -> str:
    """zookeeper.connect for Kafka (the brokers, kafka-configs): ZooKeeper's address and the chroot."""
    return f"127.0.0.1:{cfg.zookeeper_port}{KAFKA_CHROOT}"


def super_jaas(folder: Path) -> Path:
    """The super user's client login, written by ZooKeeper.launch next to its server login."""
    return folder / "super-jaas.conf"


def lay_out(cfg: Config, folder: Path) -> None:
    """Check and make ZooKeeper's top level (ZooKeeper running, nothing else started yet); one line
    saying what is wrong and what to do when it cannot be trusted."""
    login = super_jaas(folder)
    if not login.exists():
        raise Unavailable(f"ZooKeeper runs without the super user's login ({login}): it was started by an older "
                          "version; stop the stack (`make down`) and start it again (`make up`)")
    log4j = folder / "zktree-log4j.properties"
    with private_open(log4j) as f:
        f.write(QUIET_LOG4J)
    try:
        r = subprocess.run([java(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                            f"-Djava.security.auth.login.config={login}", f"-Dlog4j.configuration=file:{log4j}",
                            "-cp", f"{jars('kafka')}/*", str(SOURCE), f"127.0.0.1:{cfg.zookeeper_port}", SUPER_USER,
                            *(f"{path}={owner}" for path, owner in OWNERS.items())],
                           capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise Unavailable(f"ZooKeeper did not answer its super user within 120 s; "
                          f"see {folder / 'zookeeper.log'}") from None
    problem = r.stdout.split("\n")[0].strip().split(" ")
    if r.returncode == 3 and problem[0] == "stray":
        raise ConfigError(f"ZooKeeper ({folder}) has {problem[1]} at its root, where only "
                          f"{', '.join(sorted({p.split('/')[1] for p in OWNERS}))} and zookeeper belong: a stack "
                          "made before Kafka moved under /kafka, or a znode someone else made; `make clean` starts "
                          "over (deletes every service's data)")
    if r.returncode == 3:
        path, what = problem[1], " ".join(problem[2:])
        raise ConfigError(f"ZooKeeper's {path} is not its owner's alone ({what}): someone made it before the stack "
                          "did, so Kafka's or Flink's state there cannot be trusted; `make clean` starts over "
                          "(deletes every service's data)")
    if r.returncode != 0:
        lines = [line for line in (r.stdout + r.stderr).splitlines() if line.strip()]
        raise Unavailable(f"could not check ZooKeeper's top level as its super user: "
                          f"{cfg.mask(lines[-1]) if lines else r.returncode}; see {folder / 'zookeeper.log'}")
