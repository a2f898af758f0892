"""Several TaskManagers and brokers (issue 21), without starting any: the settings, the rules that
derive ports, bootstrap list and replication from them, the services a stack is made of, and what
`up` refuses. The stack itself is tests/e2e/test_multinode_e2e.py."""
from __future__ import annotations

import io
import signal
import subprocess
from contextlib import redirect_stdout

import pytest

from flinkfast import config
from flinkfast.config import MAX_BROKERS, replication
from flinkfast.errors import ConfigError
from flinkfast.paths import REPO_ROOT
from flinkfast.stack import Stack, process
from flinkfast.stack.cli import ProgressPrinter, summary
from flinkfast.stack.flink import rpc_port
from flinkfast.stack.isolated import isolated_env, pick_ports
from flinkfast.stack.orchestrator import Progress

NO_DOTENV = REPO_ROOT / "tests" / "no-such.env"


def load(tmp_path=None, **env):
    base = {"FLINKFAST_STATE_DIR": str(tmp_path)} if tmp_path else {}
    return config.load(env={**base, **{k: str(v) for k, v in env.items()}}, dotenv_path=NO_DOTENV)


def test_one_taskmanager_and_one_broker_by_default():
    cfg = load()
    assert (cfg.flink_taskmanagers, cfg.kafka_brokers) == (1, 1)
    assert (cfg.kafka_replication_factor, cfg.kafka_min_insync_replicas) == (1, 1)
    assert cfg.kafka_bootstrap_servers == "127.0.0.1:9092" and cfg.kafka_ports == [9092]


@pytest.mark.parametrize("brokers,factor,isr", [(1, 1, 1), (2, 2, 1), (3, 3, 2), (4, 3, 2), (9, 3, 2)])
def test_replication_follows_the_brokers(brokers, factor, isr):
    """RF = brokers up to 3; min ISR = RF - 1, at least 1: with one broker down, writes go on, and
    an acknowledged write is on a second broker (never min ISR > RF: Kafka would refuse every write)."""
    assert replication(brokers) == (factor, isr)
    cfg = load(KAFKA_BROKERS=brokers)
    assert (cfg.kafka_replication_factor, cfg.kafka_min_insync_replicas) == (factor, isr)


def test_broker_ports_and_the_bootstrap_list_follow_kafka_port():
    cfg = load(KAFKA_BROKERS=3, KAFKA_PORT=19092)
    assert cfg.kafka_ports == [19092, 19093, 19094]
    assert cfg.kafka_bootstrap_servers == "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094", "every broker"
    explicit = load(KAFKA_BROKERS=3, KAFKA_BOOTSTRAP_SERVERS="kafka-broker:29092")
    assert explicit.kafka_bootstrap_servers == "kafka-broker:29092"
    # An explicit replication within the brokers is taken as it is; the min ISR follows it.
    assert (load(KAFKA_BROKERS=3, KAFKA_REPLICATION_FACTOR=2).kafka_min_insync_replicas) == 1
    assert load(KAFKA_BROKERS=3, KAFKA_MIN_INSYNC_REPLICAS=3).kafka_min_insync_replicas == 3


@pytest.mark.parametrize("env,message", [
    ({"KAFKA_BROKERS": 0}, "KAFKA_BROKERS must be between 1 and 9"),
    ({"KAFKA_BROKERS": MAX_BROKERS + 1}, r"KAFKA_BROKERS must be between 1 and 9 \(it is 10\)"),
    ({"FLINK_TASKMANAGERS": 0}, "FLINK_TASKMANAGERS must be at least 1"),
    ({"KAFKA_REPLICATION_FACTOR": 3}, "KAFKA_REPLICATION_FACTOR=3 with KAFKA_BROKERS=1: a partition has at most one"),
    ({"KAFKA_BROKERS": 3, "KAFKA_REPLICATION_FACTOR": 0}, "KAFKA_REPLICATION_FACTOR=0 with KAFKA_BROKERS=3"),
    ({"KAFKA_BROKERS": 3, "KAFKA_REPLICATION_FACTOR": 2, "KAFKA_MIN_INSYNC_REPLICAS": 3},
     "KAFKA_MIN_INSYNC_REPLICAS=3 with KAFKA_REPLICATION_FACTOR=2: Kafka would refuse every acks=all write"),
    ({"KAFKA_BROKERS": 3, "KAFKA_MIN_INSYNC_REPLICAS": 0}, "KAFKA_MIN_INSYNC_REPLICAS=0"),
    # An extra broker's port is another setting's.
    ({"KAFKA_BROKERS": 3, "KAFKA_PORT": 8079}, r"FLINK_UI_PORT and KAFKA_PORT\+2 \(broker kafka-3\) are both 8081"),
    ({"KAFKA_BROKERS": 3, "KAFKA_PORT": 65534}, r"KAFKA_PORT\+2 \(broker kafka-3\) is 65536, not a port"),
])
def test_the_counts_and_the_replication_are_validated(env, message):
    with pytest.raises(ConfigError, match=message):
        load(**env)


def test_a_stack_of_three_brokers_and_two_taskmanagers(tmp_path):
    """Named, placed and ported as the docs say; the first of each kind as before."""
    stack = Stack(load(tmp_path, KAFKA_BROKERS=3, FLINK_TASKMANAGERS=2, KAFKA_ADMIN_PASSWORD="secret-admin"))
    by_name = {s.name: s for s in stack.services}
    assert list(by_name) == ["zookeeper", "kafka", "kafka-2", "kafka-3", "postgres", "jobmanager", "taskmanager",
                             "taskmanager-2", "webui"]
    assert [(s.port, s.dir.relative_to(tmp_path).as_posix(), s.kind) for s in stack.of_kind("kafka")] == [
        (9092, "kafka", "kafka"), (9093, "kafka-2", "kafka"), (9094, "kafka-3", "kafka")]
    assert [s.properties()["broker.id"] for s in stack.of_kind("kafka")] == [0, 1, 2]
    props = by_name["kafka-2"].properties()
    assert props["listeners"] == props["advertised.listeners"] == "SASL_PLAINTEXT://127.0.0.1:9093", "loopback only"
    # Every connection authenticates, the brokers' own too; the admin alone is a super user.
    assert {k: props[k] for k in ("security.inter.broker.protocol", "sasl.mechanism.inter.broker.protocol",
                                  "allow.everyone.if.no.acl.found", "super.users", "zookeeper.set.acl")} == {
        "security.inter.broker.protocol": "SASL_PLAINTEXT", "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        "allow.everyone.if.no.acl.found": "false", "super.users": "User:admin", "zookeeper.set.acl": "true"}
    assert {k: props[k] for k in ("default.replication.factor", "offsets.topic.replication.factor",
                                  "transaction.state.log.replication.factor", "min.insync.replicas",
                                  "transaction.state.log.min.isr")} == {
        "default.replication.factor": 3, "offsets.topic.replication.factor": 3,
        "transaction.state.log.replication.factor": 3, "min.insync.replicas": 2, "transaction.state.log.min.isr": 2}
    tm2 = by_name["taskmanager-2"]
    assert tm2.dir == tmp_path / "flink" / "taskmanager-2" and tm2.log == tm2.dir / "taskmanager-2.log"
    assert by_name["taskmanager"].dir == tmp_path / "flink", "the first TaskManager keeps the cluster's folder"
    assert tm2.restart and by_name["taskmanager"].restart, "supervised: restarted when they exit"
    assert [[s.name for s in g] for g in stack.in_groups()][1] == ["kafka", "kafka-2", "kafka-3"], "start together"
    assert "127.0.0.1:9094" in summary(stack) and "taskmanager-2" in summary(stack)


def test_a_broker_or_taskmanager_left_running_is_stopped_by_down_and_refused_by_up(tmp_path):
    """A stack started with more than the settings now say: its extra processes (found by their pid
    files) are services too, so down stops them; up refuses to go on beside them."""
    big = Stack(load(tmp_path, KAFKA_BROKERS=3, FLINK_TASKMANAGERS=2))
    sleepers = []
    for svc in (big.service("kafka-3"), big.service("taskmanager-2")):
        svc.dir.mkdir(parents=True)
        sleepers.append(subprocess.Popen(["sleep", "60"], start_new_session=True))
        process.write_pid(svc.pid_file, sleepers[-1].pid)
    try:
        small = Stack(load(tmp_path))
        assert [s.name for s in small.leftovers] == ["kafka-3", "taskmanager-2"]
        assert [s.name for s in small.of_kind("kafka")] == ["kafka", "kafka-3"]
        with pytest.raises(ConfigError, match=r"kafka-3 is running, but KAFKA_BROKERS is 1: stop the stack first "
                                              r"\(`make down`\), or set KAFKA_BROKERS=3"):
            small.up()
        small.down()
        for sleeper in sleepers:
            assert sleeper.wait(timeout=10) == -signal.SIGTERM
        assert not Stack(load(tmp_path)).leftovers
    finally:
        for sleeper in sleepers:
            sleeper.kill()


def test_up_refuses_fewer_brokers_than_the_data_was_made_with(tmp_path):
    (tmp_path / "kafka-3" / "data").mkdir(parents=True)
    (tmp_path / "kafka-3" / "data" / "meta.properties").write_text("broker.id=2\n")
    with pytest.raises(ConfigError, match=r"kafka-3 holds a broker's data, but KAFKA_BROKERS is 1: the topics have "
                                          r"replicas on it; set KAFKA_BROKERS=3, or `make clean`"):
        Stack(load(tmp_path)).up()
    Stack(load(tmp_path, KAFKA_BROKERS=3)).check_shape()  # the same data with three brokers: fine


def test_the_taken_port_of_an_extra_broker_names_the_setting_that_moves_it(tmp_path):
    import socket
    from flinkfast.errors import Unavailable
    cfg = load(tmp_path, KAFKA_BROKERS=2, **{k: v for k, v in pick_ports().items()})
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", cfg.kafka_ports[1]))
        squatter.listen()
        with pytest.raises(Unavailable, match=rf"port {cfg.kafka_ports[1]} \(kafka-2\) is already in use by another "
                                              r"process: stop that process or set KAFKA_PORT to a free port "
                                              r"\(kafka-2 listens on KAFKA_PORT\+1\)"):
            Stack(cfg).check_ports()


def test_a_stack_of_its_own_pins_its_shape_and_gets_a_block_of_ports(tmp_path):
    env = isolated_env(tmp_path / "own", KAFKA_BROKERS=3)
    assert env["KAFKA_BROKERS"] == "3" and env["FLINK_TASKMANAGERS"] == "1"
    first = int(env["KAFKA_PORT"])
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == ",".join(f"127.0.0.1:{first + i}" for i in range(3))
    assert (env["KAFKA_REPLICATION_FACTOR"], env["KAFKA_MIN_INSYNC_REPLICAS"]) == ("3", "2")
    others = [int(env[k]) for k in ("ZOOKEEPER_PORT", "POSTGRES_PORT", "FLINK_UI_PORT", "FLINK_REST_PORT",
                                    "FLINK_RPC_PORT", "DASHBOARD_PORT")]
    assert not set(others) & set(range(first, first + MAX_BROKERS)) and len(set(others)) == len(others)
    again = isolated_env(tmp_path / "own")
    assert again["KAFKA_PORT"] == env["KAFKA_PORT"] and again["KAFKA_BROKERS"] == "1", "ports kept, shape as asked"


def test_a_taskmanagers_rpc_port_is_read_from_its_address():
    assert rpc_port("pekko.ssl.tcp://flink@127.0.0.1:40653/user/rpc/taskmanager_0") == 40653
    assert rpc_port("") is None


def test_services_starting_together_get_a_line_each():
    out = io.StringIO()
    printer = ProgressPrinter()
    with redirect_stdout(out):
        printer(Progress("zookeeper", "starting"))
        printer(Progress("zookeeper", "ready", 1, 0.5))
        for name in ("kafka", "kafka-2"):
            printer(Progress(name, "starting"))
        printer(Progress("kafka", "ready", 2, 6.0))
        printer(Progress("kafka-2", "ready", 3, 7.25))
    assert out.getvalue().splitlines() == [
        "  zookeeper      starting ... ready in 0.5s",
        "  kafka          starting ...",
        "  kafka-2        starting ...",
        "  kafka          ready in 6.0s",
        "  kafka-2        ready in 7.2s"]
