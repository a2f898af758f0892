"""Every Kafka client's credentials come from one place (flinkfast.clients): a principal per role,
the protocol and the CA file from the settings; kafka-python's and librdkafka's spellings agree."""
from __future__ import annotations

import json

import pytest

from flinkfast import clients, config
from flinkfast.bench import peers
from flinkfast.errors import ConfigError
from flinkfast.paths import REPO_ROOT

NO_DOTENV = REPO_ROOT / "tests" / "no-such.env"
SECRETS = {"KAFKA_ADMIN_PASSWORD": "a-secret", "KAFKA_PRODUCER_PASSWORD": "p-secret", "KAFKA_JOB_PASSWORD": "j-secret",
           "KAFKA_MONITOR_PASSWORD": "m-secret", "POSTGRES_PASSWORD": "pg-secret"}


def load(**env):
    return config.load(env={**SECRETS, **env}, dotenv_path=NO_DOTENV)


def test_each_role_is_its_own_principal_over_sasl_plaintext_by_default():
    cfg = load()
    for role, user, password in (("admin", "admin", "a-secret"), ("producer", "producer", "p-secret"),
                                 ("job", "job", "j-secret"), ("monitor", "monitor", "m-secret")):
        assert clients.kafka_auth(cfg, role) == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
                                                 "sasl_plain_username": user, "sasl_plain_password": password}


def test_sasl_ssl_trusts_the_ca_file_in_both_clients():
    cfg = load(KAFKA_SECURITY_PROTOCOL="SASL_SSL", KAFKA_SSL_CA_FILE="/etc/kafka-ca/ca.crt", KAFKA_JOB_USER="reader")
    assert clients.kafka_auth(cfg, "job")["ssl_cafile"] == "/etc/kafka-ca/ca.crt"
    assert clients.librdkafka_auth(cfg, "job") == {"security.protocol": "sasl_ssl", "sasl.mechanisms": "SCRAM-SHA-512",
                                                   "sasl.username": "reader", "sasl.password": "j-secret",
                                                   "ssl.ca.location": "/etc/kafka-ca/ca.crt"}


def test_what_only_looks_reads_as_the_monitor_and_what_commits_as_the_job():
    """The monitor's ACLs let it read the topic, its settings and the group's offsets, never
    commit or join a group (Read on a group); the job's let it commit its groups."""
    from kafka.admin import ACLOperation, ResourceType
    cfg = load()
    acls = clients.kafka_acls(cfg, "T", "G")
    rights = {(a.principal, a.operation, a.resource_pattern.resource_type) for a in acls}
    monitor = {(op, kind) for who, op, kind in rights if who == "User:monitor"}
    assert monitor == {(ACLOperation.READ, ResourceType.TOPIC), (ACLOperation.DESCRIBE, ResourceType.TOPIC),
                       (ACLOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC), (ACLOperation.DESCRIBE, ResourceType.GROUP)}
    assert ("User:job", ACLOperation.READ, ResourceType.GROUP) in rights
    import inspect
    assert inspect.signature(clients.kafka_consumer).parameters["role"].default == "monitor"


def test_the_peers_read_as_the_job():
    cfg = load(PEER_DB_PASSWORD="peer-secret")
    env = peers.environment(cfg, "t", "t-quixstreams", REPO_ROOT / "ready", REPO_ROOT / "state")
    assert json.loads(env["PEER_KAFKA_AUTH"])["sasl.username"] == "job"


@pytest.mark.parametrize("env, message", [({"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}, "KAFKA_SECURITY_PROTOCOL"),
                                          ({"KAFKA_JOB_PASSWORD": 'a"b'}, "KAFKA_JOB_PASSWORD"),
                                          ({"KAFKA_PRODUCER_USER": "x y"}, "KAFKA_PRODUCER_USER")])
def test_no_plain_text_kafka_and_no_credential_that_breaks_a_jaas_line(env, message):
    with pytest.raises(ConfigError, match=message):
        load(**env)


def test_a_missing_password_is_one_line_naming_it():
    cfg = config.load(env={}, dotenv_path=NO_DOTENV)
    with pytest.raises(ConfigError, match="KAFKA_PRODUCER_PASSWORD is not set"):
        clients.kafka_auth(cfg, "producer")
