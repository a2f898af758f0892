"""What the Flink pods' accounts may do, on a real API server: the prod overlay applied for
real to kube-apiserver v1.34.2 (deploy/k8s/tools/apiserver, tests/deploy/apiserver.py; RBAC
authorization, the admin in system:masters), then requests sent AS the manifests'
ServiceAccounts (kubectl --as, impersonation): `kubectl auth can-i` for what RBAC grants each,
and pods and ConfigMaps with --dry-run=server (authorization and admission run, the
ValidatingAdmissionPolicies of deploy/k8s/base/admission.yaml decide, nothing is stored).

  - RBAC: each account may do exactly its Roles' verbs (the JobManagers' pods and ConfigMaps,
    the TaskManagers' ConfigMap reads, the schema step's nothing), no Secret, no pods/exec;

  - the TaskManager pod Flink builds from the FlinkDeployment (its pod templates merged, the
    labels, account and image native mode gives it) is admitted;
  - the same pod with one thing an attacker would want (the superuser's or owner's Secret as a
    volume, an env var or envFrom, another account, another image, hostPath, privileged, the host's
    network...) is refused, each with the policy's message;
  - the same requests by the admin are admitted (the policies bind the Flink accounts only);
  - the schema's ConfigMaps cannot be rewritten or deleted by a Flink account, HA's can be written;
  - a planted bug: in a namespace whose parameters list the superuser's Secret, the pod mounting
    it goes through (the test sees the policy's effect, not its text).
"""
from __future__ import annotations

import copy
import json
import shutil
import time

import pytest

from tests.deploy import apiserver
from tests.deploy import deploy_checks as dc
from tests.deploy import policy

NS = "flinkfast"
JOBMANAGER = f"system:serviceaccount:{NS}:flinkfast-flink"
ENFORCED_WITHIN_S = 60


@pytest.fixture(scope="module")
def objs() -> list[dict]:
    return dc.render("prod")


@pytest.fixture(scope="module")
def server(tmp_path_factory, objs):
    with apiserver.serving(tmp_path_factory.mktemp("apiserver")) as s:
        apiserver.prepare(s, objs)
        r = s.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                              "items": objs}))
        assert r.returncode == 0, f"the prod overlay was not applied: {r.stderr.strip()}"
        yield s


def accounts(objs: list[dict], ns: str) -> list[dict]:
    """The overlay's ServiceAccounts, Roles and RoleBindings, moved to `ns`."""
    out = [copy.deepcopy(o) for o in objs if o["kind"] in ("ServiceAccount", "Role", "RoleBinding")]
    for o in out:
        o["metadata"]["namespace"] = ns
        for subject in o.get("subjects", []):
            subject["namespace"] = ns
    return out


def namespace(name: str, enforced: bool = True) -> dict:
    labels = {"flinkfast.io/flink-admission": "enforced"} if enforced else {}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def apply(server, *items: dict):
    r = server.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                            "items": list(items)}))
    assert r.returncode == 0, r.stderr


def taskmanager_pod(objs: list[dict]) -> dict:
    """The pod Flink 2.2's native mode creates for a TaskManager of this FlinkDeployment: the
    operator's merge of the pod templates, then Flink's decorators (labels, account, image, the
    flink-config volume, the main container's start command)."""
    fd = next(o for o in objs if o["kind"] == "FlinkDeployment")
    conf = fd["spec"]["flinkConfiguration"]
    tm = policy.flink_pods(fd)["taskmanager"]
    spec = copy.deepcopy(tm["spec"])
    name = fd["metadata"]["name"]
    spec["serviceAccountName"] = conf.get("kubernetes.taskmanager.service-account", fd["spec"]["serviceAccount"])
    spec["restartPolicy"] = "Never"
    (main,) = [c for c in spec["containers"] if c["name"] == "flink-main-container"]
    main["image"] = fd["spec"]["image"]
    main["args"] = ["bash", "-c", f"kubernetes-taskmanager.sh {conf['kubernetes.taskmanager.entrypoint.args']}"]
    main.setdefault("volumeMounts", []).append({"name": "flink-config-volume", "mountPath": "/opt/flink/conf"})
    spec.setdefault("volumes", []).append({"name": "flink-config-volume",
                                           "configMap": {"name": f"flink-config-{name}"}})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{name}-taskmanager-1-1", "namespace": NS, "labels": tm["labels"]},
            "spec": spec}


def create(server, obj: dict, as_user: str | None = JOBMANAGER, verb: str = "create"):
    who = [f"--as={as_user}"] if as_user else []
    return server.kubectl(verb, "--dry-run=server", *who, "-f", "-", stdin=json.dumps(obj))


def _main(pod: dict) -> dict:
    return next(c for c in pod["spec"]["containers"] if c["name"] == "flink-main-container")


# One thing an attacker with the JobManager's account would put into a pod, and the policy's message.
def _secret_volume(pod):
    pod["spec"]["volumes"].append({"name": "x", "secret": {"secretName": "flinkfast-pg-superuser"}})


def _projected_secret(pod):
    pod["spec"]["volumes"].append({"name": "x", "projected": {"sources": [{"secret": {"name": "flinkfast-pg-app"}}]}})


def _secret_env(pod):
    _main(pod)["env"].append({"name": "X", "valueFrom": {"secretKeyRef": {"name": "flinkfast-pg-app", "key": "password"}}})


def _secret_env_from(pod):
    _main(pod)["envFrom"] = [{"secretRef": {"name": "flinkfast-db-writer"}}]


def _rest_store(pod):  # a Secret the JobManagers have, the TaskManagers must not
    pod["spec"]["volumes"].append({"name": "x", "secret": {"secretName": "flinkfast-flink-rest-tls"}})


def _init_container_secret(pod):
    init = {k: v for k, v in _main(pod).items() if not k.endswith("Probe")}
    init.update(name="init", env=[{"name": "P", "valueFrom": {"secretKeyRef": {"name": "flinkfast-pg-superuser",
                                                                               "key": "password"}}}])
    pod["spec"]["initContainers"] = [init]


def _account(pod):
    pod["spec"]["serviceAccountName"] = "flinkfast-flink"


def _image(pod):
    _main(pod)["image"] = "docker.io/library/alpine:3.20"


def _host_path(pod):
    pod["spec"]["volumes"].append({"name": "x", "hostPath": {"path": "/"}})


def _capability(pod):  # (privileged: the test server refuses it itself, --allow-privileged is off)
    _main(pod)["securityContext"]["capabilities"]["add"] = ["SYS_PTRACE"]


def _escalation(pod):
    _main(pod)["securityContext"]["allowPrivilegeEscalation"] = True


def _host_network(pod):
    pod["spec"]["hostNetwork"] = True


def _root(pod):
    pod["spec"]["securityContext"]["runAsNonRoot"] = False


def _not_a_taskmanager(pod):
    pod["metadata"]["labels"]["component"] = "jobmanager"


# A listed Secret read beyond its listed keys: CloudNativePG's CA Secret holds ca.key (the CA's
# private key, which signs PostgreSQL's server and client certificates) beside ca.crt.
def _ca_key_whole(pod):  # no items: every key of the Secret
    pod["spec"]["volumes"].append({"name": "x", "secret": {"secretName": "flinkfast-pg-ca"}})


def _ca_key_item(pod):
    pod["spec"]["volumes"].append({"name": "x", "secret": {"secretName": "flinkfast-pg-ca",
                                                           "items": [{"key": "ca.key", "path": "ca.key"}]}})


def _ca_key_projected(pod):
    pod["spec"]["volumes"].append({"name": "x", "projected": {"sources": [{"secret": {"name": "flinkfast-pg-ca"}}]}})


def _ca_key_projected_item(pod):
    pod["spec"]["volumes"].append({"name": "x", "projected": {"sources": [
        {"secret": {"name": "flinkfast-pg-ca", "items": [{"key": "ca.crt", "path": "ca.crt"},
                                                        {"key": "ca.key", "path": "ca.key"}]}}]}})


def _ca_key_env(pod):
    _main(pod)["env"].append({"name": "K", "valueFrom": {"secretKeyRef": {"name": "flinkfast-pg-ca", "key": "ca.key"}}})


def _ca_env_from(pod):  # envFrom takes every key
    _main(pod)["envFrom"] = [{"secretRef": {"name": "flinkfast-pg-ca"}}]


# Labels that Services and NetworkPolicies select other pods by.
def _cnpg_primary_labels(pod):
    pod["metadata"]["labels"].update({"cnpg.io/cluster": "flinkfast-pg", "cnpg.io/instanceRole": "primary",
                                      "role": "primary"})


def _strimzi_labels(pod):
    pod["metadata"]["labels"].update({"strimzi.io/cluster": "flinkfast", "strimzi.io/kind": "Kafka",
                                      "strimzi.io/name": "flinkfast-kafka", "strimzi.io/broker-role": "true"})


def _other_label_value(pod):  # a listed label with another value (the JobManagers' NetworkPolicy role)
    pod["metadata"]["labels"]["app.kubernetes.io/component"] = "jobmanager"


def _schema_label(pod):
    pod["metadata"]["labels"]["app.kubernetes.io/name"] = "flinkfast-schema"


# The pod shape: what a container's securityContext overrides, and scheduling.
def _container_root(pod):
    _main(pod)["securityContext"].update(runAsNonRoot=False, runAsUser=0)


def _container_uid0(pod):
    _main(pod)["securityContext"]["runAsUser"] = 0


def _no_drop_all(pod):
    del _main(pod)["securityContext"]["capabilities"]["drop"]


def _seccomp_unconfined_pod(pod):  # Pod Security baseline refuses it in flinkfast; the policy does too
    pod["spec"]["securityContext"]["seccompProfile"] = {"type": "Unconfined"}


def _no_seccomp(pod):
    del pod["spec"]["securityContext"]["seccompProfile"]


def _node_name(pod):
    pod["spec"]["nodeName"] = "control-plane-1"


def _tolerate_all(pod):
    pod["spec"]["tolerations"] = [{"operator": "Exists"}]


def _priority(pod):
    pod["spec"]["priorityClassName"] = "system-node-critical"


def _apparmor(pod):
    _main(pod)["securityContext"]["appArmorProfile"] = {"type": "Unconfined"}


def _selinux(pod):
    _main(pod)["securityContext"]["seLinuxOptions"] = {"type": "spc_t"}


def _proc_mount(pod):
    _main(pod)["securityContext"]["procMount"] = "Unmasked"
    pod["spec"]["hostUsers"] = False


def _sysctl(pod):
    pod["spec"]["securityContext"]["sysctls"] = [{"name": "kernel.core_pattern", "value": "|/tmp/x"}]


def _pull_secret(pod):
    pod["spec"]["imagePullSecrets"] = [{"name": "flinkfast-pg-superuser"}]


ATTACKS = {
    "secret-volume": (_secret_volume, "may mount only configMap, emptyDir, downwardAPI and the listed Secrets"),
    "projected-secret": (_projected_secret, "may mount only configMap, emptyDir, downwardAPI and the listed Secrets"),
    "secret-env": (_secret_env, "may read only the listed Secrets in its environment"),
    "secret-envfrom": (_secret_env_from, "may read only the listed Secrets in its environment"),
    "rest-store": (_rest_store, "may mount only configMap, emptyDir, downwardAPI and the listed Secrets"),
    "init-container-secret": (_init_container_secret, "may read only the listed Secrets in its environment"),
    "account": (_account, "must run as flinkfast-taskmanager"),
    "image": (_image, "must run the job image"),
    "host-path": (_host_path, "may mount only configMap, emptyDir, downwardAPI and the listed Secrets"),
    "capability": (_capability, "no added capability"),
    "escalation": (_escalation, "no privilege, no escalation"),
    "host-network": (_host_network, "no host network"),
    "root": (_root, "runs as non-root"),
    "not-a-taskmanager": (_not_a_taskmanager, "TaskManager pods of its own cluster only"),
    "ca-key-whole-secret": (_ca_key_whole, "each by its listed keys only (items)"),
    "ca-key-item": (_ca_key_item, "each by its listed keys only (items)"),
    "ca-key-projected": (_ca_key_projected, "each by its listed keys only (items)"),
    "ca-key-projected-item": (_ca_key_projected_item, "each by its listed keys only (items)"),
    "ca-key-env": (_ca_key_env, "each by its listed keys (no envFrom of a Secret)"),
    "ca-env-from": (_ca_env_from, "each by its listed keys (no envFrom of a Secret)"),
    "cnpg-primary-labels": (_cnpg_primary_labels, "carries only the labels of a TaskManager"),
    "strimzi-labels": (_strimzi_labels, "carries only the labels of a TaskManager"),
    "other-label-value": (_other_label_value, "carries only the labels of a TaskManager"),
    "schema-label": (_schema_label, "carries only the labels of a TaskManager"),
    "container-root": (_container_root, "runs every container as non-root"),
    "container-uid0": (_container_uid0, "runs every container as non-root"),
    "no-drop-all": (_no_drop_all, "drop [ALL]"),
    "seccomp-unconfined": (_seccomp_unconfined_pod, "seccomp RuntimeDefault"),
    "no-seccomp": (_no_seccomp, "seccomp RuntimeDefault"),
    "node-name": (_node_name, "no nodeName"),
    "tolerate-all": (_tolerate_all, "no toleration"),
    "priority-class": (_priority, "no priority class"),
    "pull-secret": (_pull_secret, "no image pull Secret"),
    "apparmor-unconfined": (_apparmor, "the runtime's AppArmor profile"),
    "selinux-spc_t": (_selinux, "no SELinux options"),
    "procmount-unmasked": (_proc_mount, "/proc mask"),
    "sysctl": (_sysctl, "no sysctl"),
}


BARE = "flinkfast-bare"  # the policies' parameters and the accounts, without Pod Security's labels


@pytest.fixture(scope="module")
def bare(server, objs) -> str:
    """A namespace like flinkfast without Pod Security's labels (baseline refuses hostNetwork,
    privileged and hostPath before the policy sees them): what the policy alone refuses."""
    items = [copy.deepcopy(o) for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "flinkfast-flink-admission"]
    for o in items:
        o["metadata"]["namespace"] = BARE
    items += accounts(objs, BARE)
    r = server.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                            "items": [namespace(BARE), *items]}))
    assert r.returncode == 0, r.stderr
    return BARE


@pytest.fixture(scope="module")
def enforced(server, objs) -> dict:
    """The legitimate TaskManager pod, once the policies are enforced (the API server loads a new
    policy within a few seconds: until then a refused pod still goes through)."""
    pod = taskmanager_pod(objs)
    bad = copy.deepcopy(pod)
    _account(bad)
    deadline = time.monotonic() + ENFORCED_WITHIN_S
    while create(server, bad).returncode == 0:
        assert time.monotonic() < deadline, f"the policies were not enforced within {ENFORCED_WITHIN_S} s"
        time.sleep(1)
    return pod


def test_the_taskmanager_pod_flink_creates_is_admitted(server, enforced):
    r = create(server, enforced)
    assert r.returncode == 0, r.stderr
    assert "created (server dry run)" in r.stdout


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_pod_beyond_a_taskmanager_is_refused(attack, server, enforced, bare):
    plant, message = ATTACKS[attack]
    pod = copy.deepcopy(enforced)
    plant(pod)
    r = create(server, pod)
    assert r.returncode != 0, f"{attack}: admitted in {NS}"
    # By the policy itself, where Pod Security does not stand in front of it.
    pod["metadata"]["namespace"] = bare
    r = create(server, pod, as_user=f"system:serviceaccount:{bare}:flinkfast-flink")
    assert r.returncode != 0, f"{attack}: admitted in {bare}"
    assert "ValidatingAdmissionPolicy 'flinkfast-flink-pods'" in r.stderr and message in r.stderr, r.stderr
    # The same pod from someone else (the admin): the policy binds the Flink accounts only.
    assert create(server, pod, as_user=None).returncode == 0


def test_the_taskmanagers_account_cannot_create_a_pod_either(server, enforced, bare):
    """RBAC refuses it first; the pod policy binds that account too (where RBAC would let it)."""
    pod = copy.deepcopy(enforced)
    _secret_volume(pod)
    r = create(server, pod, as_user=f"system:serviceaccount:{NS}:flinkfast-taskmanager")
    assert r.returncode != 0 and 'cannot create resource "pods"' in r.stderr, r.stderr


CAN_I = [(verb, resource) for resource in ("pods", "configmaps", "secrets", "services", "deployments.apps",
                                           "deployments.apps/finalizers", "pods/exec", "pods/log",
                                           "serviceaccounts/token", "roles.rbac.authorization.k8s.io",
                                           "networkpolicies.networking.k8s.io")
         for verb in ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")]
# What each account may do in its namespace (deploy/k8s/base/flink-rbac.yaml).
GRANTED = {
    "flinkfast-flink": {(v, "pods") for v in ("get", "list", "watch", "create", "delete")}
                       | {(v, "configmaps") for v in ("get", "list", "watch", "create", "update", "delete")}
                       | {("get", "deployments.apps"), ("update", "deployments.apps/finalizers")},
    "flinkfast-taskmanager": {(v, "configmaps") for v in ("get", "list", "watch")},
    "flinkfast-schema": set(),
}


def _rules(server, account: str) -> list[dict]:
    """What the server's RBAC authorizer lets the account do in NS (a SelfSubjectRulesReview made
    as the account: its Roles, and what the cluster's default roles give every authenticated user)."""
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {"namespace": NS}}
    r = server.kubectl("create", "-o", "json", "--validate=false", f"--as=system:serviceaccount:{NS}:{account}", "-f", "-",
                       stdin=json.dumps(review))
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)["status"]
    assert not status.get("incomplete"), status
    return status["resourceRules"]


def _allows(rules: list[dict], verb: str, resource: str) -> bool:
    name, _, sub = resource.partition("/")
    kind, _, group = name.partition(".")
    wanted = f"{kind}/{sub}" if sub else kind
    return any(({group, "*"} & set(rule.get("apiGroups", []))) and ({wanted, "*"} & set(rule.get("resources", [])))
               and ({verb, "*"} & set(rule.get("verbs", []))) for rule in rules)


@pytest.mark.parametrize("account", sorted(GRANTED))
def test_each_account_may_do_exactly_its_roles_verbs(account, server):
    """Asked of the server's RBAC authorizer as the account, over 11 resources and 8 verbs."""
    rules = _rules(server, account)
    allowed = {(verb, resource) for verb, resource in CAN_I if _allows(rules, verb, resource)}
    assert allowed == GRANTED[account], (sorted(allowed - GRANTED[account]), sorted(GRANTED[account] - allowed))
    # The same answer from `kubectl auth can-i` for two of them (the review is not the only witness).
    for verb, resource in (("create", "pods"), ("get", "secrets")):
        r = server.kubectl("auth", "can-i", verb, resource, "-n", NS, f"--as=system:serviceaccount:{NS}:{account}")
        assert r.stdout.strip() == ("yes" if (verb, resource) in GRANTED[account] else "no"), (verb, resource, r.stdout)


def test_the_taskmanagers_account_cannot_reach_the_jobmanager_or_the_schema(server, objs):
    tm = f"--as=system:serviceaccount:{NS}:flinkfast-taskmanager"
    schema = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("flinkfast-sql-postgres-"))
    r = server.kubectl("delete", "--dry-run=server", tm, "-n", NS, "pod", "flinkfast-5d9c7b9f8-abcde")
    assert r.returncode != 0 and 'cannot delete resource "pods"' in r.stderr, r.stderr
    r = server.kubectl("delete", "--dry-run=server", tm, "-n", NS, "configmap", schema["metadata"]["name"])
    assert r.returncode != 0 and 'cannot delete resource "configmaps"' in r.stderr, r.stderr
    r = server.kubectl("get", tm, "-n", NS, "secret", "flinkfast-pg-superuser")
    assert r.returncode != 0 and 'cannot get resource "secrets"' in r.stderr, r.stderr
    r = server.kubectl("get", tm, "-n", NS, "configmap", schema["metadata"]["name"], "-o", "name")
    assert r.returncode == 0, r.stderr


def _configmap(name: str, data: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": NS},
            "data": data or {"x": "y"}}


def test_a_flink_account_may_write_only_the_ha_configmaps(server, enforced, objs):
    schema = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("flinkfast-sql-postgres-"))
    script = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("flinkfast-schema-script-"))
    refused = "ValidatingAdmissionPolicy 'flinkfast-flink-configmaps'"
    for target in (schema, script):
        evil = copy.deepcopy(target)
        key = next(iter(evil["data"]))
        evil["data"][key] = "ALTER ROLE flink_writer SUPERUSER;"
        for verb in ("replace", "apply"):
            r = create(server, evil, verb=verb) if verb == "replace" else \
                server.kubectl("apply", "--server-side", "--force-conflicts", "--dry-run=server", f"--as={JOBMANAGER}",
                               "-f", "-", stdin=json.dumps(evil))
            # update: RBAC grants it, the policy refuses; a server-side apply is a patch, which
            # RBAC refuses already.
            assert r.returncode != 0 and (refused in r.stderr if verb == "replace"
                                          else 'cannot patch resource "configmaps"' in r.stderr), (verb, r.stderr or r.stdout)
        r = server.kubectl("delete", "--dry-run=server", f"--as={JOBMANAGER}", "-n", NS, "configmap",
                           target["metadata"]["name"])
        assert r.returncode != 0 and refused in r.stderr, r.stderr or r.stdout
    for name in ("flinkfast-flink-admission", "flink-config-flinkfast", "flinkfast-cluster-config-mapx"):
        r = create(server, _configmap(name))
        assert r.returncode != 0 and refused in r.stderr, (name, r.stderr or r.stdout)
    for name in ("flinkfast-cluster-config-map", "flinkfast-0123456789abcdef0123456789abcdef-config-map"):
        r = create(server, _configmap(name))
        assert r.returncode == 0, (name, r.stderr)
    # The admin is not bound.
    assert create(server, _configmap("flink-config-flinkfast"), as_user=None).returncode == 0


def test_a_planted_parameter_lets_the_superusers_secret_through(server, enforced, objs):
    """The test can fail: another namespace whose parameters list the superuser's Secret admits
    the pod that mounts it, where flinkfast refuses it."""
    planted_ns = "flinkfast-planted"
    params = copy.deepcopy(next(o for o in objs if o["kind"] == "ConfigMap"
                                and o["metadata"]["name"] == "flinkfast-flink-admission"))
    params["metadata"]["namespace"] = planted_ns
    params["data"]["allowedKeys"] += " flinkfast-pg-superuser/password"
    apply(server, namespace(planted_ns), params, *accounts(objs, planted_ns))
    pod = copy.deepcopy(enforced)
    pod["spec"]["volumes"].append({"name": "x", "secret": {"secretName": "flinkfast-pg-superuser",
                                                           "items": [{"key": "password", "path": "password"}]}})
    assert create(server, pod).returncode != 0
    pod["metadata"]["namespace"] = planted_ns
    r = create(server, pod, as_user=f"system:serviceaccount:{planted_ns}:flinkfast-flink")
    assert r.returncode == 0, r.stderr


def test_without_its_parameters_a_namespace_refuses_pods_and_can_be_mended(server, enforced, objs):
    """Fail closed: a labelled namespace without flinkfast-flink-admission refuses every pod (the
    parameters are resolved before the account is looked at), and the ConfigMap can still be
    created (the ConfigMap policy has no parameter), after which the TaskManager goes through."""
    ns = "flinkfast-no-params"
    apply(server, namespace(ns), *accounts(objs, ns))
    pod = copy.deepcopy(enforced)
    pod["metadata"]["namespace"] = ns
    for who in (f"system:serviceaccount:{ns}:flinkfast-flink", None):
        r = create(server, pod, as_user=who)
        assert r.returncode != 0 and "flinkfast-flink-pods" in r.stderr, r.stderr or r.stdout
    params = copy.deepcopy(next(o for o in objs if o["kind"] == "ConfigMap"
                                and o["metadata"]["name"] == "flinkfast-flink-admission"))
    params["metadata"]["namespace"] = ns
    apply(server, params)
    deadline = time.monotonic() + ENFORCED_WITHIN_S
    while (r := create(server, pod, as_user=f"system:serviceaccount:{ns}:flinkfast-flink")).returncode != 0:
        assert time.monotonic() < deadline, r.stderr
        time.sleep(1)


def test_a_namespace_without_the_label_is_not_bound(server, enforced, objs):
    """What the policies do not cover: a namespace without flinkfast.io/flink-admission (the
    overlays' namespaces carry it; test_deploy_invariants checks that)."""
    ns = "elsewhere"
    apply(server, namespace(ns, enforced=False), *accounts(objs, ns))
    pod = copy.deepcopy(enforced)
    _secret_volume(pod)
    pod["metadata"]["namespace"] = ns
    assert create(server, pod, as_user=f"system:serviceaccount:{ns}:flinkfast-flink").returncode == 0


# ----------------------------------------------------------------------------- a re-apply after a schema change

def _render_with_changed_schema(tmp_path) -> list[dict]:
    """prod rendered from a copy of deploy/k8s whose schema copy has one more line (as
    `make k8s-schema` would copy an edit of sql/postgres)."""
    root = tmp_path / "k8s"
    for part in ("base", "overlays"):
        shutil.copytree(dc.K8S / part, root / part)
    sql = root / "base" / "sql" / "postgres" / "004_dashboard_indexes.sql"
    sql.write_text(sql.read_text() + "-- an edit\n")
    return dc.load_all(dc.render_text(root / "overlays" / "prod"))


def test_a_changed_schema_is_rolled_out_by_a_re_apply(server, objs, tmp_path):
    """The schema step survives a re-apply: after an edit of sql/postgres the schema Deployment's
    template names the new ConfigMap and the API server takes the change (a new rollout), and
    the FlinkDeployment names it too (the operator upgrades the job, whose JobManager waits for
    the new digest). The same change to a Job is refused: its template is immutable."""
    changed = _render_with_changed_schema(tmp_path)

    def schema_deployment(items):
        return next(o for o in items if o["kind"] == "Deployment" and o["metadata"]["name"] == "flinkfast-schema")

    def flink_volumes(items):
        fd = next(o for o in items if o["kind"] == "FlinkDeployment")
        return fd["spec"]["jobManager"]["podTemplate"]["spec"]["volumes"]

    assert schema_deployment(changed)["spec"]["template"] != schema_deployment(objs)["spec"]["template"]
    assert flink_volumes(changed) != flink_volumes(objs)
    before = json.loads(server.kubectl("get", "-n", NS, "deployment", "flinkfast-schema", "-o", "json").stdout)
    r = server.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                            "items": changed}))
    assert r.returncode == 0, r.stderr
    after = json.loads(server.kubectl("get", "-n", NS, "deployment", "flinkfast-schema", "-o", "json").stdout)
    assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
    # The former design: a Job with that template, then the same edit.
    def job(deployment):
        template = copy.deepcopy(deployment["spec"]["template"])
        template["spec"]["restartPolicy"] = "OnFailure"
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "flinkfast-schema-job", "namespace": NS},
                "spec": {"template": template}}
    apply(server, job(schema_deployment(objs)))
    r = server.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(job(schema_deployment(changed))))
    assert r.returncode != 0 and "field is immutable" in r.stderr, r.stderr or r.stdout


# ----------------------------------------------------------------------------- labels and the network model

def test_a_flink_made_pod_wears_no_label_the_network_model_gives_another_pod(server, enforced, objs):
    """NetworkPolicies and Services select pods by label: the network model (tests/deploy/netpol.py,
    test_deploy_network.py) holds only because a pod the JobManagers' account creates cannot wear
    another pod's labels (CloudNativePG's instances', Strimzi's brokers', the schema step's, the
    JobManagers'...). Each modelled pod's labels put on the TaskManager pod are refused; and the
    most a Flink-made pod may wear (Flink's three with the cluster's values, the parameters'
    podLabels) is exactly the model's TaskManager: the model has no pod admission lets out."""
    from tests.deploy import netpol
    pods = netpol.pods(objs)
    (tm,) = [p for p in pods if p.role == "taskmanager"]
    for other in pods:
        foreign = {k: v for k, v in other.labels.items() if tm.labels.get(k) != v}
        if other is tm or not foreign:
            continue
        pod = copy.deepcopy(enforced)
        pod["metadata"]["labels"].update(foreign)
        r = create(server, pod)
        assert r.returncode != 0 and "ValidatingAdmissionPolicy 'flinkfast-flink-pods'" in r.stderr, (other.role, r.stderr)
        assert ("carries only the labels of a TaskManager" in r.stderr
                or "TaskManager pods of its own cluster only" in r.stderr), (other.role, r.stderr)
    params = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "flinkfast-flink-admission")
    most = {"type": "flink-native-kubernetes", "component": "taskmanager", "app": params["data"]["clusterId"],
            **dict(kv.split("=", 1) for kv in params["data"]["podLabels"].split(" "))}
    assert most == tm.labels
