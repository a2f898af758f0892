"""ZooKeeper: every session logs in, each login keeps to its own tree, and the root is nobody's.

The reported attacks: any local process rewrote or deleted Flink's HA state (/flink was
world:anyone:cdrwa); then, with the weaker login (the brokers' `kafka`), one could still create
znodes at ZooKeeper's root, e.g. /flink before Flink did, with an ACL of one's choice (Flink's HA
state would then be the attacker's), and Kafka's znodes lived at the root beside Flink's. Now the
brokers live under their chroot /kafka, /kafka and /flink are made with their owner's ACL only
before Kafka or Flink starts, the root is closed to every login, and `up` refuses a /kafka or
/flink someone else made. Each test attacks with a real login on a real ZooKeeper (a client
without a login, and the brokers' login on /flink: test_security_kafka_e2e.py).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest

from flinkfast import config
from flinkfast.paths import REPO_ROOT
from flinkfast.stack import Stack
from flinkfast.stack.isolated import isolated_env
from flinkfast.stack.zktree import super_jaas
from tests.e2e.test_security_kafka_e2e import refused, zk

pytestmark = pytest.mark.e2e


def login(cfg, user: str) -> tuple[str, str]:
    """A login of the stack's: kafka or flink (their passwords from .env), or the launcher's super user
    (its password in the stack's .state/zookeeper)."""
    if user == "super":
        text = super_jaas(cfg.state_dir.resolve() / "zookeeper").read_text()
        return "super", re.search(r'password="([^"]+)"', text).group(1)
    return user, cfg.require(f"ZOOKEEPER_{user.upper()}_PASSWORD")


def children(output: str) -> list[str]:
    """The list `ls` printed, e.g. [flink, kafka, zookeeper]."""
    found = re.findall(r"^\[(.*)\]$", output, re.M)
    return [c.strip() for c in found[-1].split(",") if c.strip()] if found else []


# ----------------------------------------------------------------------------- the suite's stack

def test_no_login_creates_or_deletes_at_the_root(stack, cfg, tmp_path):
    """Neither the brokers' login nor Flink's can make a top-level znode (/flink2, /x), delete one
    (not even its own: delete needs the parent's right), reopen the root, or write under
    /zookeeper; the root holds the two trees and ZooKeeper's own, nothing else."""
    for user in ("kafka", "flink"):
        for command in (["create", "/flink2", "x"], ["create", "/x", "x"], ["delete", "/flink"], ["delete", "/kafka"],
                        ["setAcl", "/", "world:anyone:cdrwa"], ["create", "/zookeeper/quota/x", "x"]):
            out = zk(cfg, tmp_path, *command, login=login(cfg, user))
            assert refused(out), (user, command, out)
    assert children(zk(cfg, tmp_path, "ls", "/", login=login(cfg, "super"))) == ["flink", "kafka", "zookeeper"]


def test_kafka_lives_under_its_chroot_which_is_its_own(stack, cfg, tmp_path):
    """The brokers' znodes are under /kafka, which only the brokers' login may use: Flink's login can
    neither list it, write under it (not even /kafka/consumers, which Kafka would leave open), read
    the credentials there, nor take it over."""
    kafka = login(cfg, "kafka")
    assert children(zk(cfg, tmp_path, "ls", "/kafka/brokers/ids", login=kafka)) == ["0"]
    acl = zk(cfg, tmp_path, "getAcl", "/kafka", login=kafka)
    assert "'sasl,'kafka\n: cdrwa" in acl and "world" not in acl and "flink" not in acl, acl
    flink = login(cfg, "flink")
    for command in (["ls", "/kafka"], ["create", "/kafka/x", "x"], ["create", "/kafka/consumers/x", "x"],
                    ["get", f"/kafka/config/users/{cfg.kafka_admin_user}"], ["set", "/kafka/brokers", "x"],
                    ["delete", "/kafka/consumers"], ["setAcl", "/kafka", "world:anyone:cdrwa"]):
        out = zk(cfg, tmp_path, *command, login=flink)
        assert refused(out), (command, out)


def test_up_again_finds_the_running_stacks_tree_its_own(stack, cfg, tmp_path):
    """`up` on the running stack checks every znode Kafka and Flink have made since (the brokers',
    with world:anyone:r; Flink's, creator-only) and finds nothing foreign: it does not refuse itself."""
    assert "flinkfast" in children(zk(cfg, tmp_path, "ls", "/flink", login=login(cfg, "flink")))
    up = run_stack("up", env={"FLINKFAST_STATE_DIR": str(cfg.state_dir.resolve())})
    assert up.returncode == 0, up.stdout + up.stderr


# ----------------------------------------------------------------------------- a stack of its own

def run_stack(*args, env):
    return subprocess.run([sys.executable, "-m", "flinkfast.stack", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, env=dict(os.environ, **env), timeout=300)


@pytest.fixture
def zookeeper_alone():
    """A fresh stack of its own with only ZooKeeper started (as in the seconds before `up` lays out
    its top level): the moment an attacker holding a login could make /flink or /kafka first."""
    state = REPO_ROOT / ".state" / f"test-zk-{uuid.uuid4().hex[:8]}"   # in .state: passable for postgres
    env = isolated_env(state)
    cfg = config.load(env=dict(os.environ, **env))
    stack = Stack(cfg)
    try:
        stack.prepare_state()
        stack.start("zookeeper")
        yield cfg, env
    finally:
        run_stack("down", "--purge", env={"FLINKFAST_STATE_DIR": str(state)})


# What the attacker does with its login before `up`, and the znode `up` names in its refusal.
PRE_MADE = {
    "kafka-makes-flink": ("kafka", [["create", "/flink", "x", "sasl:kafka:cdrwa"]], "/flink"),
    "kafka-makes-open-flink": ("kafka", [["create", "/flink", "x", "world:anyone:cdrwa"]], "/flink"),
    # Flink's own ACL on /flink, but a child of the attacker's below it.
    "kafka-plants-under-flink": ("kafka", [["create", "/flink", "x"], ["create", "/flink/flinkfast", "x"],
                                           ["setAcl", "/flink", "sasl:flink:cdrwa"]], "/flink"),
    # Flink's ACL alone, but a container znode: ZooKeeper deletes it once its last child goes, and
    # Flink, the root closed, could not make it again.
    # (ZooKeeper shows a container as a plain znode: refused for having been made before / was closed.)
    "kafka-makes-container-flink": ("kafka", [["create", "-c", "/flink", "x", "sasl:flink:cdrwa"]], "/flink"),
    "flink-makes-kafka": ("flink", [["create", "/kafka", "x", "sasl:flink:cdrwa"]], "/kafka"),
    # Kafka's znodes at the root: a stack made before the chroot (issue: the upgrade refuses).
    "old-kafka-at-the-root": ("kafka", [["create", "/brokers", "x"]], "/brokers"),
}


@pytest.mark.parametrize("case", list(PRE_MADE))
def test_up_refuses_a_top_level_someone_else_made(zookeeper_alone, tmp_path, case):
    cfg, env = zookeeper_alone
    attacker, commands, named = PRE_MADE[case]
    for command in commands:
        out = zk(cfg, tmp_path, *command, login=login(cfg, attacker))
        assert not refused(out), f"the attack itself: {command}: {out}"   # the root is still open: it worked
    up = run_stack("up", env=env)
    assert up.returncode != 0, up.stdout + up.stderr
    error = up.stderr.strip().splitlines()
    assert len(error) == 1 and named in error[0] and "make clean" in error[0], up.stderr
    assert not Stack(cfg).service("kafka").pid() and not Stack(cfg).service("jobmanager").pid(), \
        "nothing ran on it"


def test_a_zookeeper_that_dies_comes_back_and_the_job_delivers(stack, run_job):
    """Another local user can flood ZooKeeper's port until it runs out of file descriptors and
    exits (an attack did, as uid nobody; docs/security.md, out of scope). It is restarted by its
    supervisor like the Flink processes: here its JVM is killed with SIGKILL, a new one answers,
    and the running job delivers and reconciles every event sent afterwards."""
    import signal
    import time
    from flinkfast.clients import wait_until
    from tests.helpers import deliver_and_reconcile
    cfg, _ = run_job()
    zookeeper = stack.service("zookeeper")
    wrapper = zookeeper.pid()
    jvm = zookeeper.main_pid()
    os.kill(jvm, signal.SIGKILL)
    wait_until(lambda: not os.path.exists(f"/proc/{jvm}") or "Z" in open(f"/proc/{jvm}/stat").read().split()[2], 30,
               "the killed ZooKeeper is gone")
    time.sleep(1)
    wait_until(lambda: zookeeper.pid() == wrapper and zookeeper.main_pid() not in (None, jvm) and zookeeper.ready(), 120,
               "ZooKeeper was not restarted by its supervisor")
    deliver_and_reconcile(cfg, 300, seed=7)
