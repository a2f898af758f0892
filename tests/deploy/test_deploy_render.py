"""Every overlay of deploy/k8s renders with kubectl's kustomize, with no flag (as `kubectl apply -k`
builds it), into objects a cluster would take: read strictly (no key twice), every one in the
overlay's namespace, no two with one name, every ConfigMap and ServiceAccount they name there."""
from __future__ import annotations

import os
import re
import subprocess
from collections import Counter

import pytest

from tests.deploy import deploy_checks as dc
from tests.deploy.deploy_checks import K8S, OVERLAYS, REPO

DOC = REPO / "docs" / "kubernetes.md"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders(overlay, rendered):
    objs = rendered[overlay]
    assert len(objs) > 10
    kinds = Counter(o["kind"] for o in objs)
    for kind in ("FlinkDeployment", "Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "Deployment"):
        assert kinds[kind] >= 1, f"{overlay} renders no {kind}"


def test_the_schema_copy_is_sql_postgres_byte_for_byte():
    """kustomize reads no file outside the kustomization's tree by default, so the schema
    ConfigMap is generated from a copy of sql/postgres inside it: the copy must be exact."""
    source = {p.name: p.read_bytes() for p in sorted((REPO / "sql" / "postgres").glob("*.sql"))}
    copy = {p.name: p.read_bytes() for p in sorted(dc.SCHEMA_COPY.iterdir()) if p.is_file()}
    assert source, "sql/postgres has SQL files"
    stale = sorted(name for name in source.keys() | copy.keys() if source.get(name) != copy.get(name))
    assert not stale, f"deploy/k8s/base/sql/postgres differs from sql/postgres in {stale}: regenerate with " \
                      f"{dc.SCHEMA_REGENERATE}, then list any new file in deploy/k8s/base/kustomization.yaml"
    others = [p for p in (REPO / "deploy").rglob("*.sql") if p.parent != dc.SCHEMA_COPY]
    assert not others, f"SQL files under deploy/ outside the checked copy: {others}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlay_renders_with_no_flag(overlay):
    """`kubectl kustomize` with its default load restrictor (no --load-restrictor flag)."""
    assert dc.KUSTOMIZE == ("kubectl", "kustomize")
    assert "kind: FlinkDeployment" in dc.render_text(K8S / "overlays" / overlay)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubectl_apply_k_builds_the_overlay_with_no_flag(overlay, tmp_path):
    """`kubectl apply -k --dry-run=client` as written: with no cluster here it must get past the
    kustomize build and stop only at the API server (a closed port), never at the build."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: none\n"
        "clusters: [{name: none, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: none, context: {cluster: none, user: none}}]\n"
        "users: [{name: none, user: {token: none}}]\n")
    r = subprocess.run([dc.kubectl(), "apply", "-k", str(K8S / "overlays" / overlay), "--dry-run=client", "-o", "name"],
                       capture_output=True, text=True, timeout=60, env={**os.environ, "KUBECONFIG": str(kubeconfig)})
    out = r.stderr + r.stdout
    assert "accumulating resources" not in out and "security;" not in out, out
    assert "127.0.0.1:1" in out, f"kubectl stopped before asking the API server: {out}"


def test_the_documented_commands_are_the_ones_tested():
    text = DOC.read_text()
    for overlay in OVERLAYS:
        command = f"kubectl apply -k deploy/k8s/overlays/{overlay}"
        assert command in text, f"docs/kubernetes.md does not show `{command}`"
    assert "--load-restrictor" not in text, "no overlay needs the flag any more"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_objects_are_namespaced_and_unique(overlay, rendered):
    objs = rendered[overlay]
    namespaces = [o for o in objs if o["kind"] == "Namespace"]
    assert len(namespaces) == 1, "the overlay declares its namespace"
    ns = namespaces[0]["metadata"]["name"]
    for o in objs:
        if o["kind"] != "Namespace":
            assert o["metadata"].get("namespace") == ns, f"{dc.object_id(o)} is not in {ns}"
    ids = Counter((o["apiVersion"].split("/")[0], o["kind"], o["metadata"]["name"]) for o in objs)
    assert not [i for i, n in ids.items() if n > 1]
    for o in objs:
        assert o["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "flinkfast", dc.object_id(o)


def _references(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, dict) and "name" in v:
                yield v["name"]
            yield from _references(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _references(v, key)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_configmap_named_is_rendered(overlay, rendered):
    """Generated ConfigMaps carry a hash in their name; kustomize must have rewritten every
    reference, the operators' resources included (base/kustomizeconfig.yaml)."""
    objs = rendered[overlay]
    configmaps = {o["metadata"]["name"] for o in objs if o["kind"] == "ConfigMap"}
    named = set()
    for o in objs:
        named |= set(_references(o, "configMapRef")) | set(_references(o, "configMapKeyRef"))
        named |= set(_references(o, "configMap"))
    cluster = next(o for o in objs if o["kind"] == "Cluster")
    named |= {r["name"] for r in cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQLRefs"]["configMapRefs"]}
    assert named, "the check found the references"
    assert named <= configmaps, f"{overlay}: references to ConfigMaps that are not rendered: {named - configmaps}"
    # Generated, with a hash; but the admission policy's parameters, which its bindings name.
    assert all(re.fullmatch(r"flinkfast-[a-z-]+-[a-z0-9]{10}", n) for n in configmaps - {"flinkfast-flink-admission"}), \
        configmaps


# What the Flink pods' accounts may do, exactly (deploy/k8s/base/flink-rbac.yaml says why each).
# The JobManagers' (spec.serviceAccount): native mode's TaskManager pods, Kubernetes HA's
# ConfigMaps, the owner reference to the JobManager's Deployment. Narrower than the operator
# chart's `flink` account (1.15.0 jobRbacRules: also update and patch on pods, patch on configmaps,
# and every verb on deployments). What pods and which ConfigMaps is the admission policies'
# (admission.yaml, test_deploy_admission.py). The TaskManagers'
# (kubernetes.taskmanager.service-account): read ConfigMaps (HA's leader retrieval), nothing else.
# No secrets, no services, no pods/exec, no `*`.
FLINK_RBAC = {("", "pods", v) for v in ("get", "list", "watch", "create", "delete")} | \
             {("", "configmaps", v) for v in ("get", "list", "watch", "create", "update", "delete")} | \
             {("apps", "deployments", "get"), ("apps", "deployments/finalizers", "update")}
TASKMANAGER_RBAC = {("", "configmaps", v) for v in ("get", "list", "watch")}


def account_rules(objs: list[dict], account: str) -> set[tuple[str, str, str]]:
    """(apiGroup, resource, verb) of every Role and ClusterRole bound to the account."""
    assert any(o["kind"] == "ServiceAccount" and o["metadata"]["name"] == account for o in objs), account
    roles = {(o["roleRef"]["kind"], o["roleRef"]["name"]) for o in objs
             if o["kind"] in ("RoleBinding", "ClusterRoleBinding")
             and any(s["kind"] == "ServiceAccount" and s["name"] == account for s in o["subjects"])}
    found = [o for o in objs if (o["kind"], o["metadata"]["name"]) in roles]
    assert len(found) == len(roles), "a binding names a role that is not rendered"
    return {(g, r, v) for role in found for rule in role["rules"] for g in rule["apiGroups"]
            for r in rule["resources"] for v in rule["verbs"]}


def flink_accounts(objs: list[dict]) -> tuple[str, str]:
    """(the JobManagers' account, the TaskManagers' account)."""
    flink = next(o for o in objs if o["kind"] == "FlinkDeployment")
    conf = flink["spec"]["flinkConfiguration"]
    return flink["spec"]["serviceAccount"], conf.get("kubernetes.taskmanager.service-account",
                                                     flink["spec"]["serviceAccount"])


def rbac_errors(objs: list[dict]) -> list[str]:
    out = []
    jobmanager, taskmanager = flink_accounts(objs)
    if jobmanager == taskmanager:
        out.append(f"the TaskManagers run as the JobManagers' account {jobmanager}")
    for account, want in ((jobmanager, FLINK_RBAC), (taskmanager, TASKMANAGER_RBAC)):
        allowed = account_rules(objs, account)
        if any("*" in rule for rule in allowed):
            out.append(f"{account}: a wildcard")
        if any(r == "secrets" or "/" in r and not r.endswith("/finalizers") for _, r, _ in allowed):
            out.append(f"{account}: secrets, pods/exec or another subresource")
        if allowed != want:
            out.append(f"{account}: {sorted(allowed - want)} more, {sorted(want - allowed)} fewer than intended")
    # The schema step's account: no token, no role.
    schema = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "flinkfast-schema")
    pod = schema["spec"]["template"]["spec"]
    if pod.get("automountServiceAccountToken") is not False or account_rules(objs, pod["serviceAccountName"]):
        out.append("the schema step has an API token or a role")
    return out


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_flink_accounts_may_do_exactly_what_native_kubernetes_and_ha_need(overlay, rendered):
    assert rbac_errors(rendered[overlay]) == []


def _one_account(objs):  # the TaskManagers back on the JobManagers' account
    fd = next(o for o in objs if o["kind"] == "FlinkDeployment")
    del fd["spec"]["flinkConfiguration"]["kubernetes.taskmanager.service-account"]


def _taskmanager_may_delete_pods(objs):
    role = next(o for o in objs if o["kind"] == "Role" and o["metadata"]["name"] == "flinkfast-taskmanager")
    role["rules"].append({"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]})


def _taskmanager_may_write_configmaps(objs):
    role = next(o for o in objs if o["kind"] == "Role" and o["metadata"]["name"] == "flinkfast-taskmanager")
    role["rules"][0]["verbs"].append("update")


def _jobmanager_reads_secrets(objs):
    role = next(o for o in objs if o["kind"] == "Role" and o["metadata"]["name"] == "flinkfast-flink")
    role["rules"].append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})


def _schema_token(objs):
    schema = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "flinkfast-schema")
    schema["spec"]["template"]["spec"]["automountServiceAccountToken"] = True


RBAC_PLANTS = {
    "one account": (_one_account, "the TaskManagers run as the JobManagers' account"),
    "taskmanager deletes pods": (_taskmanager_may_delete_pods, "flinkfast-taskmanager: [('', 'pods', 'delete')] more"),
    "taskmanager writes configmaps": (_taskmanager_may_write_configmaps, "flinkfast-taskmanager: [('', 'configmaps', 'update')] more"),
    "jobmanager reads secrets": (_jobmanager_reads_secrets, "flinkfast-flink: secrets"),
    "schema step with a token": (_schema_token, "the schema step has an API token"),
}


@pytest.mark.parametrize("plant", sorted(RBAC_PLANTS))
def test_a_planted_rbac_mistake_is_caught(plant):
    objs = dc.render("prod")
    mistake, message = RBAC_PLANTS[plant]
    mistake(objs)
    errors = rbac_errors(objs)
    assert any(message in e for e in errors), errors
