"""Flink's REST API and its internal connections (RPC, blob, data) are TLS, REST with client
certificates (the Flink Kubernetes Operator 1.15 presents its own when
security.ssl.rest.authentication-enabled is true: AbstractFlinkService.getOperatorRestConfig),
with the stores mounted where the configuration says, in every Flink pod, and their password
never in flinkConfiguration (a ConfigMap): it reaches Flink as -D options of the start command,
which Kubernetes expands from the pod's environment ($(VAR)), set from a Secret."""
from __future__ import annotations

import re

import pytest

from tests.deploy import deploy_checks as dc
from tests.deploy.deploy_checks import OVERLAYS

TLS_DIR = "/opt/flink/tls-cert"
STORES = {"keystore", "truststore"}
PASSWORDS = {"keystore-password", "key-password", "truststore-password"}


def flink(objs: list[dict]) -> dict:
    return next(o for o in objs if o["kind"] == "FlinkDeployment")


def mounts(spec: dict) -> dict[str, dict]:
    pod = spec["podTemplate"]["spec"]
    (container,) = pod["containers"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    return {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rest_and_internal_connections_are_tls_with_client_certificates(overlay, rendered):
    conf = flink(rendered[overlay])["spec"]["flinkConfiguration"]
    assert conf["security.ssl.internal.enabled"] == "true"
    assert conf["security.ssl.rest.enabled"] == "true"
    assert conf["security.ssl.rest.authentication-enabled"] == "true"
    for scope in ("internal", "rest"):
        for store in STORES:
            assert conf[f"security.ssl.{scope}.{store}"] == f"{TLS_DIR}/{store}.jks"
    assert not [k for k in conf if "password" in k], "a password in flinkConfiguration"
    assert not dc.secret_literals(flink(rendered[overlay]))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_stores_are_mounted_in_every_flink_pod(overlay, rendered):
    spec = flink(rendered[overlay])["spec"]
    volume = mounts(spec)[TLS_DIR]
    assert volume["secret"]["secretName"] == "flinkfast-flink-tls"
    assert {i["key"] for i in volume["secret"]["items"]} == {f"{s}.jks" for s in STORES}
    assert {i["path"] for i in volume["secret"]["items"]} == {f"{s}.jks" for s in STORES}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_store_password_reaches_both_kinds_of_pod_from_a_secret(overlay, rendered):
    spec = flink(rendered[overlay])["spec"]
    conf = spec["flinkConfiguration"]
    (container,) = spec["podTemplate"]["spec"]["containers"]  # merged into the JobManager's and the TaskManagers'
    env = {e["name"]: e for e in container["env"]}
    for component in ("jobmanager", "taskmanager"):
        args = conf[f"kubernetes.{component}.entrypoint.args"].split()
        options = dict(re.fullmatch(r"-D([a-z0-9.-]+)=(\S+)", a).groups() for a in args)
        tls = {k: v for k, v in options.items() if k.startswith("security.ssl.")}
        assert set(tls) == {f"security.ssl.{scope}.{p}" for scope in ("internal", "rest") for p in PASSWORDS}
        assert set(options) - set(tls) == {"s3.access-key", "s3.secret-key"}, "and the bucket's keys only"
        for value in tls.values():
            m = re.fullmatch(r"\$\(([A-Z_]+)\)", value)
            assert m, f"{value}: not a $(VAR) of the pod's environment (a password written out?)"
            var = m.group(1)
            assert env[var]["valueFrom"]["secretKeyRef"] == {"name": "flinkfast-flink-tls-password", "key": "password"}
