"""The NetworkPolicies of deploy/k8s (base/network-policies.yaml: ingress; prod's
overlays/prod/network-egress.yaml: egress) admit exactly the intended connections: for every
pair of pods an overlay makes (and the operators' pods, and a stranger in the namespace and one
outside it) and for what lies outside (the cluster's DNS, the API server, an object store, the
metadata service, the Internet), tests/deploy/netpol.py computes whether a connection to each
port the target listens on passes the source's egress and the target's ingress, and the set must
equal the matrix below (docs/kubernetes.md, "Who may reach whom")."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.deploy import netpol
from tests.deploy.deploy_checks import OVERLAYS

FLINK = ("jobmanager", "taskmanager")


def listener_ports(objs: list[dict]) -> set[int]:
    kafka = next(o for o in objs if o["kind"] == "Kafka")
    return {int(listener["port"]) for listener in kafka["spec"]["kafka"]["listeners"]}


def everyone(objs: list[dict]) -> list[netpol.Pod]:
    ns = next(o for o in objs if o["kind"] == "Namespace")["metadata"]["name"]
    return [*netpol.pods(objs),
            netpol.Pod("stranger", ns, {"app.kubernetes.io/name": "something-else"}),
            netpol.Pod("stranger-elsewhere", "default", {"app.kubernetes.io/name": "flinkfast-flink",
                                                         "app.kubernetes.io/component": "taskmanager"}),
            *netpol.outside()]


def egress_denied(objs: list[dict]) -> bool:
    """Whether the overlay denies egress by default (prod), or leaves it open (dev)."""
    return any(p["spec"]["podSelector"] == {} and p["spec"].get("policyTypes") == ["Egress"] and not p["spec"].get("egress")
               for p in policies(objs))


def intended(objs: list[dict], pods: list[netpol.Pod]) -> set[tuple[str, str, int]]:
    """Who needs to reach whom, on which port: the matrix of docs/kubernetes.md."""
    roles = {p.role for p in pods}
    kafka = {r for r in roles if r.startswith("kafka-")}
    data_port = int(next(o for o in objs if o["kind"] == "FlinkDeployment")["spec"]["flinkConfiguration"]
                    ["taskmanager.data.port"])
    want = {("flink-operator", "jobmanager", 8081)}
    want |= {(src, "jobmanager", port) for src in FLINK for port in (6123, 6124)}
    want |= {(src, "taskmanager", port) for src in FLINK for port in (6122, data_port)}
    for node in kafka:
        want |= {(src, node, port) for src in (*FLINK, "flinkfast-producer") for port in listener_ports(objs)}
        want |= {(src, node, port) for src in (*kafka, "strimzi-operator") for port in (9090, 9091)}
        want |= {("entity-operator", node, 9091), ("strimzi-operator", node, 8443)}
    # The sink (TaskManagers), the schema step and the JobManagers' wait for it.
    want |= {(src, "postgres", 5432) for src in ("taskmanager", "jobmanager", "flinkfast-schema", "postgres",
                                                 "cnpg-operator")}
    want |= {(src, "postgres", 8000) for src in ("postgres", "cnpg-operator")}
    # Outside the pods. A pod of another namespace is not ours to restrict: it reaches all of it.
    ns = next(o for o in objs if o["kind"] == "Namespace")["metadata"]["name"]
    outside = [p for p in pods if p.ip is not None or p.role == "kube-dns"]
    sources = [p for p in pods if p.ip is None and p.role != "kube-dns"]
    for src in sources:
        for dst in outside:
            for port in dst.ports:
                if src.namespace != ns or not egress_denied(objs):
                    want.add((src.role, dst.role, port))
    if egress_denied(objs):
        # prod: every pod of the namespace resolves names; the API server and the object stores
        # (one rule, 443 and 6443 anywhere but the metadata service's range: their addresses are
        # not known here) for the Flink pods (native mode, HA, the state bucket), the Entity
        # Operator (it watches KafkaTopics and KafkaUsers) and PostgreSQL (its instance manager;
        # the WAL archive). Nobody reaches the metadata service or the Internet's other ports.
        want |= {(src.role, "kube-dns", port) for src in sources if src.namespace == ns for port in (53, "53/udp")}
        want |= {(src, dst, port) for src in (*FLINK, "entity-operator", "postgres")
                 for dst, ports in (("apiserver", (443, 6443)), ("object-store", (443,))) for port in ports}
    return want


def policies(objs: list[dict]) -> list[dict]:
    return [o for o in objs if o["kind"] == "NetworkPolicy"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_pods_are_all_there(overlay, rendered):
    roles = sorted(p.role for p in netpol.pods(rendered[overlay]))
    assert {"jobmanager", "taskmanager", "entity-operator", "postgres", "flinkfast-producer",
            "flink-operator", "strimzi-operator", "cnpg-operator"} <= set(roles), roles
    assert any(r.startswith("kafka-") for r in roles)
    assert len(roles) == len(set(roles)), roles


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_policies_admit_exactly_the_intended_connections(overlay, rendered):
    objs = rendered[overlay]
    pods = everyone(objs)
    got, want = netpol.matrix(policies(objs), pods), intended(objs, pods)
    assert got == want, f"admitted but not intended: {sorted(got - want, key=str)}; intended but refused: {sorted(want - got, key=str)}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_there_is_a_default_deny_and_every_selector_selects_a_pod(overlay, rendered):
    objs = rendered[overlay]
    pods = everyone(objs)
    ns = next(o for o in objs if o["kind"] == "Namespace")["metadata"]["name"]
    assert any(p["spec"]["podSelector"] == {} and p["spec"]["policyTypes"] == ["Ingress"] and not p["spec"].get("ingress")
               for p in policies(objs)), "no default-deny"
    assert egress_denied(objs) == (overlay == "prod"), "prod denies egress by default, dev leaves it open"
    for policy in policies(objs):
        assert policy["metadata"]["namespace"] == ns
        assert any(netpol.selects(policy["spec"]["podSelector"], p.labels) for p in pods if p.namespace == ns), \
            f"{policy['metadata']['name']} selects no pod"
        for rule in policy["spec"].get("ingress") or []:
            assert rule.get("from") and rule.get("ports"), f"{policy['metadata']['name']}: a rule open to all"
            for peer in rule["from"]:
                assert peer.get("podSelector"), f"{policy['metadata']['name']}: a peer without a pod selector"
                assert any(netpol.peer_admits(peer, ns, p) for p in pods if not p.role.startswith("stranger")), \
                    f"{policy['metadata']['name']}: a peer that matches no pod: {peer}"
        for rule in policy["spec"].get("egress") or []:
            assert rule.get("to") and rule.get("ports"), f"{policy['metadata']['name']}: an egress rule open to all"
            for peer in rule["to"]:
                if "ipBlock" in peer:
                    assert "169.254.0.0/16" in peer["ipBlock"].get("except", []), \
                        f"{policy['metadata']['name']}: an ipBlock that lets the metadata service through"
                else:
                    assert peer.get("podSelector") is not None, f"{policy['metadata']['name']}: a peer without a pod selector"
                    assert any(netpol.peer_admits(peer, ns, p) for p in pods if not p.role.startswith("stranger")), \
                        f"{policy['metadata']['name']}: an egress peer that matches no pod: {peer}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_kafka_listener_admits_the_same_peers_as_the_policy(overlay, rendered):
    """Strimzi generates a NetworkPolicy per listener that admits every pod unless the listener
    names its peers: they must be the policy's."""
    objs = rendered[overlay]
    kafka = next(o for o in objs if o["kind"] == "Kafka")
    clients = next(p for p in policies(objs) if p["metadata"]["name"] == "flinkfast-kafka-clients")
    (rule,) = clients["spec"]["ingress"]
    for listener in kafka["spec"]["kafka"]["listeners"]:
        assert listener["networkPolicyPeers"] == rule["from"]
        assert [p["port"] for p in rule["ports"]] == [listener["port"]]


# ----------------------------------------------------------------------------- the test can fail

def _widened(objs: list[dict], which: int, rule: int) -> list[dict]:
    objs = copy.deepcopy(objs)
    allowing = [p for p in policies(objs) if p["spec"].get("ingress")]
    target = allowing[which % len(allowing)]["spec"]["ingress"]
    target[rule % len(target)]["from"].append({"podSelector": {}})
    return objs


@settings(max_examples=30, deadline=None)
@given(overlay=st.sampled_from(OVERLAYS), which=st.integers(0, 20), rule=st.integers(0, 5))
def test_a_peer_with_an_empty_pod_selector_is_caught(overlay, which, rule):
    """A planted bug: `- podSelector: {}` added to the `from` of any rule of any policy admits
    every pod of the namespace there, and the matrix test sees it in dev (so does the selector
    check; in prod the stranger's own egress still stops it: only the selector check sees it)."""
    from tests.deploy import deploy_checks
    objs = _widened(deploy_checks.render(overlay), which, rule)
    pods = everyone(objs)
    got, want = netpol.matrix(policies(objs), pods), intended(objs, pods)
    if overlay == "dev":
        assert got > want and any(src == "stranger" for src, _, _ in got - want)
    else:
        assert got >= want
    with pytest.raises(AssertionError, match="a peer without a pod selector"):
        test_there_is_a_default_deny_and_every_selector_selects_a_pod(overlay, {overlay: objs})


def test_without_the_default_deny_a_stranger_reaches_an_unselected_pod(rendered):
    """The evaluator's other half: a pod no policy selects admits everyone (here the Entity
    Operator, which listens on nothing the tests model, is given a port)."""
    objs = rendered["dev"]
    pods = [p if p.role != "entity-operator" else netpol.Pod(p.role, p.namespace, p.labels, (8080,))
            for p in everyone(objs)]
    deny = [p for p in policies(objs) if p["spec"]["podSelector"] == {}]
    assert not netpol.admitted(policies(objs), pods[-2], next(p for p in pods if p.role == "entity-operator"), 8080)
    rest = [p for p in policies(objs) if p not in deny]
    assert netpol.admitted(rest, pods[-2], next(p for p in pods if p.role == "entity-operator"), 8080)


# ----------------------------------------------------------------------------- egress (prod)

def _egress(objs: list[dict], name: str) -> dict:
    return next(p for p in policies(objs) if p["metadata"]["name"] == name)


def _no_except(objs):  # the metadata service's range let through
    for rule in _egress(objs, "flinkfast-egress-flink")["spec"]["egress"]:
        for peer in rule["to"]:
            peer.get("ipBlock", {}).pop("except", None)


def _port_80(objs):  # the Internet's plain HTTP
    rule = next(r for r in _egress(objs, "flinkfast-egress-flink")["spec"]["egress"] if "ipBlock" in r["to"][0])
    rule["ports"].append({"port": 80, "protocol": "TCP"})


def _producer_anywhere(objs):  # the producer's rule without its pod selector's labels
    _egress(objs, "flinkfast-egress-producer")["spec"]["egress"][0]["to"] = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
    _egress(objs, "flinkfast-egress-producer")["spec"]["egress"][0]["ports"] = [{"port": 443, "protocol": "TCP"}]


def _no_dns(objs):
    objs.remove(_egress(objs, "flinkfast-egress-dns"))


def _no_sink(objs):  # the TaskManagers can no longer reach PostgreSQL
    rules = _egress(objs, "flinkfast-egress-flink")["spec"]["egress"]
    rules[:] = [r for r in rules if r["to"][0].get("podSelector", {}).get("matchLabels", {}).get("cnpg.io/cluster") is None]


def _no_default_deny(objs):  # the intended matrix turns to open egress; the policies still deny (DNS selects all)
    objs.remove(_egress(objs, "flinkfast-default-deny-egress"))


EGRESS_PLANTS = {
    "no except": (_no_except, "admitted but not intended: [('jobmanager', 'metadata', 443)"),
    "port 80": (_port_80, "('jobmanager', 'internet', 80)"),
    "producer anywhere": (_producer_anywhere, "('flinkfast-producer', 'apiserver', 443)"),
    "no dns": (_no_dns, "intended but refused: [('entity-operator', 'kube-dns', "),
    "no sink": (_no_sink, "('taskmanager', 'postgres', 5432)"),
    "no default deny": (_no_default_deny, "intended but refused"),
}


@pytest.mark.parametrize("plant", sorted(EGRESS_PLANTS))
def test_a_planted_egress_mistake_is_caught(plant, rendered):
    objs = copy.deepcopy(rendered["prod"])
    mistake, message = EGRESS_PLANTS[plant]
    mistake(objs)
    with pytest.raises(AssertionError) as caught:
        test_the_policies_admit_exactly_the_intended_connections("prod", {"prod": objs})
        test_there_is_a_default_deny_and_every_selector_selects_a_pod("prod", {"prod": objs})
    assert message in str(caught.value), str(caught.value)[:2000]
