"""Every overlay of deploy/k8s renders with kubectl's kustomize, with the flag docs/kubernetes.md
shows, into objects a cluster would take: read strictly (no key twice), every one in the
overlay's namespace, no two with one name, every ConfigMap and ServiceAccount they name there."""
from __future__ import annotations

import re
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
    for kind in ("FlinkDeployment", "Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "Deployment", "Job"):
        assert kinds[kind] >= 1, f"{overlay} renders no {kind}"


def test_the_flag_is_needed_because_the_schema_is_not_copied():
    """Without --load-restrictor LoadRestrictionsNone kustomize refuses to read sql/postgres: the
    proof that the ConfigMap comes from the repository's files, not from a copy under deploy/."""
    with pytest.raises(dc.RenderError, match=r"security; file .*sql/postgres/001_schema\.sql' is not in or below"):
        dc.render_text(K8S / "overlays" / "dev", restrictor=False)
    copies = [p for p in (REPO / "deploy").rglob("*.sql")]
    assert not copies, f"SQL files under deploy/ ({copies}): generate from sql/postgres instead"


def test_the_documented_commands_are_the_ones_tested():
    text = DOC.read_text()
    for overlay in OVERLAYS:
        command = f"kubectl kustomize --load-restrictor LoadRestrictionsNone deploy/k8s/overlays/{overlay} | kubectl apply"
        assert command in text, f"docs/kubernetes.md does not show `{command} ...`"
    assert " ".join(dc.KUSTOMIZE) == "kubectl kustomize --load-restrictor LoadRestrictionsNone"
    # `kubectl apply -k` has no load-restrictor flag: it cannot apply these overlays, so the doc
    # must not tell anyone to run it on them.
    assert not re.search(r"kubectl apply -k deploy/k8s", text)


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


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_flink_service_account_may_do_what_native_kubernetes_and_ha_need(overlay, rendered):
    objs = rendered[overlay]
    flink = next(o for o in objs if o["kind"] == "FlinkDeployment")
    account = flink["spec"]["serviceAccount"]
    assert any(o["kind"] == "ServiceAccount" and o["metadata"]["name"] == account for o in objs)
    binding = next(o for o in objs if o["kind"] == "RoleBinding"
                   and any(s["name"] == account for s in o["subjects"]))
    role = next(o for o in objs if o["kind"] == "Role" and o["metadata"]["name"] == binding["roleRef"]["name"])
    allowed = {(g, r, v) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]
               for v in rule["verbs"]}
    for resource in ("pods", "configmaps"):  # TaskManager pods; HA leader election and pointers
        for verb in ("get", "list", "watch", "create", "update", "delete"):
            assert ("", resource, verb) in allowed, (resource, verb)
    assert not any(r in ("secrets", "*") for _, r, _ in allowed), "the Flink pods never need to read Secrets"
