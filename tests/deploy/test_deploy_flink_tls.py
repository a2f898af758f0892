"""Flink's REST API and its internal connections (RPC, blob, data) are TLS, REST with client
certificates (the Flink Kubernetes Operator 1.15 presents its own when
security.ssl.rest.authentication-enabled is true: AbstractFlinkService.getOperatorRestConfig),
and the two trusts are separate: the internal stores (a self-signed keystore of their own, in
every Flink pod) are not the REST stores (the REST CA, which the operator shares, in the
JobManagers only). Each store's password is never in flinkConfiguration (a ConfigMap): it reaches
Flink as -D options of the start command, which Kubernetes expands from the pod's environment
($(VAR)), set from a Secret of its own. Hostname verification stays on and the Web UI cannot
submit or cancel jobs."""
from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy import deploy_checks as dc
from tests.deploy import policy
from tests.deploy.deploy_checks import OVERLAYS

STORES = {"keystore", "truststore"}
PASSWORDS = {"keystore-password", "key-password", "truststore-password"}
# scope -> (mount path, Secret of the stores, env var of the password, Secret of the password)
TRUST = {
    "internal": ("/opt/flink/tls-internal", "flinkfast-flink-internal-tls", "FLINK_INTERNAL_TLS_PASSWORD",
                 "flinkfast-flink-internal-tls-password"),
    "rest": ("/opt/flink/tls-rest", "flinkfast-flink-rest-tls", "FLINK_REST_TLS_PASSWORD",
             "flinkfast-flink-rest-tls-password"),
}
# Which pods hold which trust: the TaskManagers run no REST endpoint and need no REST store.
SCOPES = {"jobmanager": ("internal", "rest"), "taskmanager": ("internal",)}


def flink(objs: list[dict]) -> dict:
    return next(o for o in objs if o["kind"] == "FlinkDeployment")


def main_container(pod_spec: dict) -> dict:
    return next(c for c in pod_spec["containers"] if c["name"] == "flink-main-container")


def mounts(pod_spec: dict) -> dict[str, dict]:
    """mount path -> volume, of the main container of a pod spec (templates merged)."""
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    return {m["mountPath"]: volumes[m["name"]] for m in main_container(pod_spec).get("volumeMounts", [])}


def secrets_of(pod_spec: dict) -> set[str]:
    """Every Secret the pod's main container can read: mounted, or in its environment."""
    found = {v["secret"]["secretName"] for v in mounts(pod_spec).values() if "secret" in v}
    for e in main_container(pod_spec).get("env", []):
        ref = (e.get("valueFrom") or {}).get("secretKeyRef")
        if ref:
            found.add(ref["name"])
    return found


def tls_errors(fd: dict) -> list[str]:
    """Why the FlinkDeployment's TLS is not as intended; [] when it is."""
    out = []
    conf = fd["spec"]["flinkConfiguration"]
    for key, want in (("security.ssl.internal.enabled", "true"), ("security.ssl.rest.enabled", "true"),
                      ("security.ssl.rest.authentication-enabled", "true"),
                      ("security.ssl.verify-hostname", "true"),
                      ("web.submit.enable", "false"), ("web.cancel.enable", "false")):
        if conf.get(key) != want:
            out.append(f"{key} is {conf.get(key)!r}, not {want!r}")
    for scope, (path, _, _, _) in TRUST.items():
        for store in STORES:
            if conf.get(f"security.ssl.{scope}.{store}") != f"{path}/{store}.jks":
                out.append(f"security.ssl.{scope}.{store} is {conf.get(f'security.ssl.{scope}.{store}')!r}")
    if [k for k in conf if "password" in k]:
        out.append("a password in flinkConfiguration")
    pods = policy.flink_pods(fd)
    for component, scopes in SCOPES.items():
        spec = pods[component]["spec"]
        found = mounts(spec)
        env = {e["name"]: e for e in main_container(spec).get("env", [])}
        args = conf.get(f"kubernetes.{component}.entrypoint.args", "").split()
        options = dict(re.fullmatch(r"-D([a-z0-9.-]+)=(\S+)", a).groups() for a in args)
        tls = {k: v for k, v in options.items() if k.startswith("security.ssl.")}
        if set(tls) != {f"security.ssl.{scope}.{p}" for scope in scopes for p in PASSWORDS}:
            out.append(f"{component}: the start command sets {sorted(tls)}")
        if set(options) - set(tls) != {"s3.access-key", "s3.secret-key"}:
            out.append(f"{component}: the start command sets more than the stores' passwords and the bucket's keys")
        for scope, (path, secret, var, password_secret) in TRUST.items():
            volume = found.get(path)
            if scope not in scopes:
                if volume is not None or var in env or secret in secrets_of(spec) or password_secret in secrets_of(spec):
                    out.append(f"{component}: holds the {scope} stores or their password")
                continue
            if not volume or (volume.get("secret") or {}).get("secretName") != secret:
                out.append(f"{component}: {path} is not the Secret {secret}")
            elif {(i["key"], i["path"]) for i in volume["secret"].get("items", [])} != {(f"{s}.jks", f"{s}.jks")
                                                                                       for s in STORES}:
                out.append(f"{component}: {secret} does not project exactly keystore.jks and truststore.jks")
            for p in PASSWORDS:
                if tls.get(f"security.ssl.{scope}.{p}") != f"$({var})":
                    out.append(f"{component}: security.ssl.{scope}.{p} is not $({var})")
            ref = ((env.get(var) or {}).get("valueFrom") or {}).get("secretKeyRef")
            if ref != {"name": password_secret, "key": "password"}:
                out.append(f"{component}: {var} is not the Secret {password_secret}")
    if len({TRUST[s][1] for s in TRUST} | {TRUST[s][3] for s in TRUST}) != 2 * len(TRUST):
        out.append("the internal and REST trusts share a Secret")
    if dc.secret_literals(fd):
        out.append(f"secrets in clear: {dc.secret_literals(fd)}")
    return out


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_flink_tls_is_two_separate_trusts(overlay, rendered):
    assert tls_errors(flink(rendered[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_taskmanagers_hold_no_rest_store_and_no_password_but_their_own(overlay, rendered):
    tm = policy.flink_pods(flink(rendered[overlay]))["taskmanager"]["spec"]
    assert secrets_of(tm) <= {"flinkfast-pg-ca", "flinkfast-cluster-ca-cert", "flinkfast-flink-internal-tls",
                              "flinkfast-flink-internal-tls-password", "flinkfast-flink-s3"}, secrets_of(tm)


def _set(key, value):
    def plant(fd):
        fd["spec"]["flinkConfiguration"][key] = value
    return plant


def _one_store(fd):  # internal and REST from the same Secret again, at the same place
    conf = fd["spec"]["flinkConfiguration"]
    for store in STORES:
        conf[f"security.ssl.internal.{store}"] = f"/opt/flink/tls-rest/{store}.jks"


def _rest_store_in_taskmanagers(fd):
    pod = fd["spec"]["podTemplate"]["spec"]
    pod["volumes"].append({"name": "flink-rest-tls", "secret": {"secretName": "flinkfast-flink-rest-tls", "items": [
        {"key": "keystore.jks", "path": "keystore.jks"}, {"key": "truststore.jks", "path": "truststore.jks"}]}})
    main_container(pod)["volumeMounts"].append({"name": "flink-rest-tls", "mountPath": "/opt/flink/tls-rest"})


def _rest_password_everywhere(fd):
    conf = fd["spec"]["flinkConfiguration"]
    conf["kubernetes.taskmanager.entrypoint.args"] = conf["kubernetes.jobmanager.entrypoint.args"]


def _shared_password(fd):
    env = main_container(fd["spec"]["jobManager"]["podTemplate"]["spec"])["env"]
    next(e for e in env if e["name"] == "FLINK_REST_TLS_PASSWORD")["valueFrom"]["secretKeyRef"]["name"] = \
        "flinkfast-flink-internal-tls-password"


PLANTS = {
    "verify-hostname off": (_set("security.ssl.verify-hostname", "false"), "security.ssl.verify-hostname"),
    "verify-hostname unset": (lambda fd: fd["spec"]["flinkConfiguration"].pop("security.ssl.verify-hostname"),
                              "security.ssl.verify-hostname"),
    "web submit on": (_set("web.submit.enable", "true"), "web.submit.enable"),
    "web cancel on": (_set("web.cancel.enable", "true"), "web.cancel.enable"),
    "internal TLS off": (_set("security.ssl.internal.enabled", "false"), "security.ssl.internal.enabled"),
    "REST client auth off": (_set("security.ssl.rest.authentication-enabled", "false"), "authentication-enabled"),
    "one store for both": (_one_store, "security.ssl.internal.keystore"),
    "REST stores in the TaskManagers": (_rest_store_in_taskmanagers, "taskmanager: holds the rest stores"),
    "REST password in the TaskManagers": (_rest_password_everywhere, "taskmanager: the start command sets"),
    "one password Secret": (_shared_password, "FLINK_REST_TLS_PASSWORD is not the Secret"),
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_planted_tls_mistake_is_caught(plant, rendered):
    fd = copy.deepcopy(flink(rendered["prod"]))
    mistake, message = PLANTS[plant]
    mistake(fd)
    errors = tls_errors(fd)
    assert any(message in e for e in errors), errors


# ----------------------------------------------------------------------------- the documented commands

DOC = dc.REPO / "docs" / "kubernetes.md"
FAKE_KUBECTL = """#!/usr/bin/env bash
# Records `kubectl -n NS create secret generic NAME --from-file=[KEY=]PATH --from-literal=KEY=VALUE`
# as $SECRETS/NAME/KEY files.
set -euo pipefail
name=""; args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = generic ]; then name=${args[$((i + 1))]}; fi
done
[ -n "$name" ] || { echo "fake kubectl: not a create secret generic: $*" >&2; exit 2; }
mkdir -p "$SECRETS/$name"
for a in "$@"; do
  case "$a" in
    --from-file=*=*) spec=${a#--from-file=}; cp "${spec#*=}" "$SECRETS/$name/${spec%%=*}" ;;
    --from-file=*) path=${a#--from-file=}; cp "$path" "$SECRETS/$name/$(basename "$path")" ;;
    --from-literal=*) spec=${a#--from-literal=}; printf '%s' "${spec#*=}" > "$SECRETS/$name/${spec%%=*}" ;;
  esac
done
"""


def _tls_commands() -> str:
    """The bash block of docs/kubernetes.md that makes Flink's TLS Secrets."""
    blocks = re.findall(r"```bash\n(.*?)```", DOC.read_text(), re.S)
    (block,) = [b for b in blocks if "flinkfast-flink-internal-tls" in b and "keytool" in b]
    return block


def _keytool(*args: str) -> str:
    r = subprocess.run(["keytool", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr or r.stdout
    return r.stdout


def _certs(store: Path, password: str) -> dict[str, str]:
    """alias -> PEM certificate of every entry of a JKS store."""
    aliases = re.findall(r"^Alias name: (.+)$", _keytool("-list", "-v", "-keystore", str(store), "-storepass", password),
                         re.M)
    return {a: _keytool("-exportcert", "-rfc", "-alias", a, "-keystore", str(store), "-storepass", password)
            for a in aliases}


def _verifies(tmp: Path, cert: str, trusted: list[str]) -> bool:
    """openssl's chain check of `cert` against exactly the `trusted` certificates."""
    (tmp / "cert.pem").write_text(cert)
    (tmp / "trusted.pem").write_text("".join(trusted))
    r = subprocess.run(["openssl", "verify", "-CAfile", str(tmp / "trusted.pem"), str(tmp / "cert.pem")],
                       capture_output=True, text=True, timeout=60)
    return r.returncode == 0


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The documented commands run as written, with keytool and openssl, kubectl recording the Secrets."""
    for tool in ("keytool", "openssl", "shred"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is not installed (the documented commands need it)")
    root = tmp_path_factory.mktemp("tls")
    work, secrets, bin_dir = root / "work", root / "secrets", root / "bin"
    for d in (work, secrets, bin_dir):
        d.mkdir()
    (bin_dir / "kubectl").write_text(FAKE_KUBECTL)
    (bin_dir / "kubectl").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "SECRETS": str(secrets), "NS": "flinkfast"}
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", _tls_commands()], cwd=work, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not [p.name for p in work.iterdir() if p.suffix in (".key", ".p12", ".jks")], "the commands clean up"
    return secrets


def test_the_documented_commands_make_two_trusts_that_share_nothing(made, tmp_path):
    """Internal: a self-signed certificate, trusted alone; REST: a CA that signs the JobManagers'
    and the operator's certificates. Neither trust accepts the other's certificates, and each
    pair has its own password."""
    internal_pw = (made / "flinkfast-flink-internal-tls-password" / "password").read_text()
    rest_pw = (made / "flinkfast-flink-rest-tls-password" / "password").read_text()
    assert internal_pw != rest_pw
    assert (made / "operator-certificate-password" / "password").read_text() == rest_pw
    internal_key = _certs(made / "flinkfast-flink-internal-tls" / "keystore.jks", internal_pw)
    internal_trust = _certs(made / "flinkfast-flink-internal-tls" / "truststore.jks", internal_pw)
    rest_key = _certs(made / "flinkfast-flink-rest-tls" / "keystore.jks", rest_pw)
    rest_trust = _certs(made / "flinkfast-flink-rest-tls" / "truststore.jks", rest_pw)
    operator_key = _certs(made / "flink-operator-cert" / "keystore.jks", rest_pw)
    operator_trust = _certs(made / "flink-operator-cert" / "truststore.jks", rest_pw)
    assert len(internal_key) == len(internal_trust) == len(rest_key) == len(rest_trust) == len(operator_key) == 1
    (internal_cert,), (internal_trusted,) = internal_key.values(), internal_trust.values()
    (rest_cert,), (rest_ca,), (operator_cert,) = rest_key.values(), rest_trust.values(), operator_key.values()
    assert internal_trusted == internal_cert, "the internal truststore holds the internal certificate, nothing else"
    assert list(operator_trust.values()) == [rest_ca], "the operator trusts the REST CA only"
    assert _verifies(tmp_path, internal_cert, [internal_trusted])
    assert _verifies(tmp_path, rest_cert, [rest_ca]) and _verifies(tmp_path, operator_cert, [rest_ca])
    # Separate: the internal trust refuses the REST CA's certificates (the operator's too), and
    # the REST trust refuses the internal certificate.
    for cert in (rest_cert, operator_cert, rest_ca):
        assert not _verifies(tmp_path, cert, [internal_trusted])
    assert not _verifies(tmp_path, internal_cert, [rest_ca])
