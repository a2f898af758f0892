"""Kafka and ZooKeeper authenticate every client, and each principal may do its own part only.

The reported attack: any local process created and deleted topics, read and wrote the topic, and
rewrote or deleted Flink's HA state in ZooKeeper (/flink was world:anyone:cdrwa). Here a client
without credentials, or with another principal's, tries each of those on the suite's stack (the
root of ZooKeeper and Kafka's chroot: test_security_zookeeper_e2e.py).
"""
from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from flinkfast import clients
from flinkfast.pipeline import submit
from tests.e2e.extra_stack import up
from flinkfast.stack.service import jars, java
from flinkfast.stack.zookeeper import client_jaas

pytestmark = pytest.mark.e2e
N_TLS = 500
REFUSED = ("Insufficient permission", "client failed to authenticate", "NoAuth", "AuthFailed")


# ----------------------------------------------------------------------------- Kafka

def anonymous_admin(cfg, **auth):
    from kafka import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=clients.bootstrap(cfg), request_timeout_ms=5000,
                            bootstrap_timeout_ms=5000, **auth)


@pytest.mark.parametrize("auth", [{}, {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
                                       "sasl_plain_username": "admin", "sasl_plain_password": "not-the-password"}],
                         ids=["no-credentials", "wrong-password"])
def test_a_client_without_credentials_gets_nothing_from_kafka(stack, cfg, auth):
    from kafka.errors import KafkaError
    with pytest.raises(KafkaError):
        anonymous_admin(cfg, **auth).list_topics()
    from kafka import KafkaProducer
    with pytest.raises(KafkaError):
        KafkaProducer(bootstrap_servers=clients.bootstrap(cfg), max_block_ms=5000, bootstrap_timeout_ms=5000,
                      **auth).send(
            cfg.kafka_topic, b"forged").get(timeout=10)


def test_the_job_and_the_producer_cannot_create_or_delete_topics(stack, cfg, topic):
    from kafka.errors import TopicAuthorizationFailedError
    for role in ("job", "producer", "monitor"):
        admin = clients.kafka_admin(cfg, role=role)
        try:
            with pytest.raises(TopicAuthorizationFailedError):
                admin.create_topics({f"evil-{uuid.uuid4().hex[:6]}": {"num_partitions": 1, "replication_factor": 1}})
            with pytest.raises(TopicAuthorizationFailedError):
                admin.delete_topics([topic])
        finally:
            admin.close()
    assert topic in clients.kafka_admin(cfg).list_topics(), "the topic is still there"


def test_only_the_producer_writes_and_only_the_job_reads(stack, cfg, topic):
    from kafka.errors import GroupAuthorizationFailedError, KafkaError, TopicAuthorizationFailedError
    for role in ("job", "monitor"):
        forger = clients.kafka_producer(cfg, role=role, max_block_ms=5000)
        try:
            with pytest.raises(KafkaError):
                forger.send(topic, b"forged").get(timeout=10)
        finally:
            forger.close(timeout=1)
    writer = clients.kafka_producer(cfg)
    writer.send(topic, b"genuine").get(timeout=30)
    writer.close()
    for group in (topic, None):   # neither with the topic's group nor without one
        reader = clients.kafka_consumer(cfg, topic, role="producer", group_id=group, auto_offset_reset="earliest",
                                        consumer_timeout_ms=5000)
        try:
            with pytest.raises((TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
                list(reader)
        finally:
            reader.close()
    job = clients.kafka_consumer(cfg, topic, role="job", group_id=topic, auto_offset_reset="earliest",
                                 consumer_timeout_ms=10000)
    try:
        assert [m.value for m in job] == [b"genuine"]
    finally:
        job.close()


def test_the_job_cannot_use_a_group_that_is_not_its_own(stack, cfg, topic):
    from kafka.errors import GroupAuthorizationFailedError
    reader = clients.kafka_consumer(cfg, topic, role="job", group_id=f"other-{uuid.uuid4().hex[:6]}",
                                    consumer_timeout_ms=5000)
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            list(reader)
    finally:
        reader.close()


def test_the_monitor_reads_the_jobs_offsets_but_can_neither_move_them_nor_join_its_group(stack, cfg, topic):
    """What only looks (status, reconcile, the dashboard) holds the monitor's password, not the
    job's: it reads the topic, its settings and the group's committed offsets, but a leak of it
    can neither commit an offset for the job's group (which would decide where the next
    submission resumes: messages skipped, or a position past the log's end that stalls it) nor
    join the group (whose member would make the broker refuse the job's own commits)."""
    from kafka import TopicPartition
    from kafka.admin import ConfigResource, ConfigResourceType
    from kafka.admin import OffsetSpec
    from kafka.errors import GroupAuthorizationFailedError, KafkaError
    from kafka.structs import OffsetAndMetadata
    writer = clients.kafka_producer(cfg)
    for i in range(3):
        writer.send(topic, f"m{i}".encode(), partition=0).get(timeout=30)
    writer.close()
    tp = TopicPartition(topic, 0)
    job = clients.kafka_consumer(cfg, role="job", group_id=topic)
    try:
        job.commit({tp: OffsetAndMetadata(1, "", -1)})
    finally:
        job.close()
    monitor = clients.kafka_consumer(cfg, group_id=topic, consumer_timeout_ms=5000)   # the default role
    try:
        monitor.assign([tp])
        assert monitor.committed(tp) == 1, "the monitor reads the job's committed offset"
        monitor.seek_to_beginning(tp)
        assert [m.value for m in monitor] == [b"m0", b"m1", b"m2"], "the monitor reads the topic"
        for offset in (3, 1_000_000):
            with pytest.raises(GroupAuthorizationFailedError):
                monitor.commit({tp: OffsetAndMetadata(offset, "", -1)})
    finally:
        monitor.close()
    joiner = clients.kafka_consumer(cfg, topic, group_id=topic, consumer_timeout_ms=5000)
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            list(joiner)
    finally:
        joiner.close()
    admin = clients.kafka_admin(cfg, role="monitor")
    try:
        assert admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)]), "it reads the settings"
        for attempt in (lambda: admin.alter_group_offsets(topic, {tp: OffsetAndMetadata(3, "", -1)}),
                        lambda: admin.reset_group_offsets(topic, {tp: OffsetSpec.LATEST}),
                        lambda: admin.delete_group_offsets(topic, [tp]),
                        lambda: admin.delete_groups([topic])):
            try:
                attempt()   # refused, by an error raised or returned: the check below is what counts
            except KafkaError:
                pass
    finally:
        admin.close()
    check = clients.kafka_consumer(cfg, group_id=topic)
    try:
        assert check.committed(tp) == 1, "the job's offset is where the job put it"
    finally:
        check.close()


def test_a_consumer_that_joins_the_jobs_group_is_named_by_status(stack, cfg, topic):
    """The job joins no group, so a member of its group is someone else's (the job's password in
    other hands): while it stays the broker refuses the job's commits. `status` and the dashboard
    name it; once it leaves, the line goes."""
    from flinkfast.accounting.health import group_members
    own = cfg.replace(kafka_topic=topic, kafka_group_id=topic)
    assert group_members(own) == []
    joiner = clients.kafka_consumer(cfg, topic, role="job", group_id=topic, client_id="intruder")
    try:
        joiner.poll(timeout_ms=10_000)
        [line] = clients.wait_until(lambda: group_members(own), 30, "the member seen")
        assert f"group {topic} has 1 member(s) (intruder at 127.0.0.1)" in line, line
    finally:
        joiner.close()
    clients.wait_until(lambda: group_members(own) == [], 30, "the member gone")


# ----------------------------------------------------------------------------- ZooKeeper

def zk(cfg, tmp_path, *command: str, login: tuple[str, str] | None = None) -> str:
    """One command of ZooKeeper's own shell against the stack's ZooKeeper, logged in as `login`
    (user, password) or without any credentials; its output."""
    opts = ["-Dzookeeper.sasl.client=false"]
    if login:
        jaas = tmp_path / f"jaas-{login[0]}.conf"
        jaas.write_text(client_jaas(*login))
        jaas.chmod(0o600)
        opts = [f"-Djava.security.auth.login.config={jaas}"]
    r = subprocess.run([java(), "-Xmx64m", *opts, "-Dzookeeper.request.timeout=10000", "-cp", f"{jars('kafka')}/*",
                        "org.apache.zookeeper.ZooKeeperMain", "-server", f"127.0.0.1:{cfg.zookeeper_port}", *command],
                       capture_output=True, text=True, timeout=60)
    return r.stdout + r.stderr


def refused(output: str) -> bool:
    return any(word in output for word in REFUSED)


def test_zookeeper_refuses_a_client_without_credentials(stack, cfg, tmp_path):
    for command in (["ls", "/flink"], ["get", "/flink"], ["deleteall", "/flink"], ["ls", "/kafka/brokers/ids"],
                    ["create", "/evil"], ["deleteall", "/kafka/brokers"]):
        assert refused(zk(cfg, tmp_path, *command)), command


def test_flinks_ha_tree_is_its_own(stack, cfg, tmp_path):
    """Another principal (the brokers' login) can neither read, change nor delete /flink; Flink's own
    login can (the HA tree is there, creator-only)."""
    brokers = ("kafka", cfg.require("ZOOKEEPER_KAFKA_PASSWORD"))
    for command in (["ls", "/flink"], ["get", "/flink/flinkfast"], ["set", "/flink", "x"],
                    ["setAcl", "/flink", "world:anyone:cdrwa"], ["deleteall", "/flink"]):
        assert refused(zk(cfg, tmp_path, *command, login=brokers)), command
    flink = ("flink", cfg.require("ZOOKEEPER_FLINK_PASSWORD"))
    acl = zk(cfg, tmp_path, "getAcl", "/flink", login=flink)
    assert "'sasl,'flink\n: cdrwa" in acl and "world" not in acl, f"creator-only: {acl}"
    assert "[flinkfast]" in zk(cfg, tmp_path, "ls", "/flink", login=flink)


# ----------------------------------------------------------------------------- SASL_SSL

def test_producer_job_and_reconcile_speak_sasl_ssl_with_the_ca_file(extra_stack):
    """On the suite's extra stack (tests/e2e/extra_stack.py), whose brokers speak SASL_SSL only:
    no plain-text listener, a client not trusting the CA refused, N_TLS events produced, every one
    lands, reconcile OK -- through the multinode tests' job when it still runs (the same topic and
    settings), else one submitted here with `flink run`."""
    from kafka.errors import KafkaError
    from flinkfast.ops import watch
    from flinkfast.pipeline.flinkrest import running_jobs
    from flinkfast.accounting import reconcile
    from flinkfast.accounting.verify import Landing
    from flinkfast.events import producer
    cfg, _ = up(extra_stack)
    assert cfg.kafka_security_protocol == "SASL_SSL" and Path(cfg.kafka_ssl_ca_file).is_file()
    plain = {**clients.kafka_auth(cfg, "admin"), "security_protocol": "SASL_PLAINTEXT"}
    with pytest.raises(KafkaError):
        anonymous_admin(cfg, **plain).list_topics()   # no plain-text listener left
    with pytest.raises(KafkaError):   # TLS, but not trusting the brokers' CA: refused by the client
        anonymous_admin(cfg, **{**clients.kafka_auth(cfg, "admin"), "ssl_cafile": None}).list_topics()

    if not running_jobs(cfg, cfg.job_name):
        assert submit.submit(cfg.replace(checkpoint_interval_ms=1000))
    before = watch.accounting(cfg, to_end=True)["processed"]
    sent = producer.produce(cfg, producer.generate_events(N_TLS, seed=7), progress=False)
    assert sent.sent == N_TLS and sent.failed == 0
    with Landing(cfg, sent.uuids) as landing:
        landing.wait(timeout=120, progress=False)
        assert landing.landed() == N_TLS
    reconcile.wait_placed(cfg, cfg.kafka_topic, timeout=60)
    counts = watch.accounting(cfg, to_end=True)
    assert counts["ok"] and counts["processed"] == before + N_TLS, counts
