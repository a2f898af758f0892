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
    assert all(re.fullmatch(r"flinkfast-[a-z-]+-[a-z0-9]{10}", n) for n in configmaps), configmaps


# What the Flink pods' account may do, exactly (deploy/k8s/base/flink-rbac.yaml says why each):
# native mode's TaskManager pods, Kubernetes HA's ConfigMaps, the owner reference to the
# JobManager's Deployment. Narrower than the operator chart's `flink` account (1.15.0
# jobRbacRules: also update and patch on pods, patch on configmaps, and every verb on
# deployments). No secrets, no services, no pods/exec, no `*`.
FLINK_RBAC = {("", "pods", v) for v in ("get", "list", "watch", "create", "delete")} | \
             {("", "configmaps", v) for v in ("get", "list", "watch", "create", "update", "delete")} | \
             {("apps", "deployments", "get"), ("apps", "deployments/finalizers", "update")}


def flink_rules(objs: list[dict]) -> set[tuple[str, str, str]]:
    """(apiGroup, resource, verb) of every Role and ClusterRole bound to the Flink account."""
    flink = next(o for o in objs if o["kind"] == "FlinkDeployment")
    account = flink["spec"]["serviceAccount"]
    assert any(o["kind"] == "ServiceAccount" and o["metadata"]["name"] == account for o in objs)
    roles = {(o["roleRef"]["kind"], o["roleRef"]["name"]) for o in objs
             if o["kind"] in ("RoleBinding", "ClusterRoleBinding")
             and any(s["kind"] == "ServiceAccount" and s["name"] == account for s in o["subjects"])}
    assert roles, f"no binding for {account}"
    found = [o for o in objs if (o["kind"], o["metadata"]["name"]) in roles]
    assert len(found) == len(roles), "a binding names a role that is not rendered"
    return {(g, r, v) for role in found for rule in role["rules"] for g in rule["apiGroups"]
            for r in rule["resources"] for v in rule["verbs"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_flink_service_account_may_do_exactly_what_native_kubernetes_and_ha_need(overlay, rendered):
    allowed = flink_rules(rendered[overlay])
    assert not any("*" in rule for rule in allowed), "no wildcard"
    assert not any(r == "secrets" or "/" in r and not r.endswith("/finalizers") for _, r, _ in allowed), \
        "no secrets and no pods/exec or other subresource"
    assert allowed == FLINK_RBAC, (sorted(allowed - FLINK_RBAC), sorted(FLINK_RBAC - allowed))
