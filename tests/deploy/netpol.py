"""What Kubernetes NetworkPolicies admit, computed offline: the pods a rendered overlay makes
(its own Deployments and Jobs, the pods each operator makes for a custom resource, with the
labels that operator gives them, and the operators' own pods in their namespaces), and whether a
connection from one pod to another on a TCP port passes the ingress policies (the rules of
networking.k8s.io/v1: a pod selected by no Ingress policy admits everything; a selected pod
admits what any one rule of any policy selecting it admits). Egress is not modelled (the
manifests leave it open).
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The operators, as docs/kubernetes.md installs them: namespace and their pods' labels.
OPERATORS = {
    "flink-operator": ("flink-operator", {"app.kubernetes.io/name": "flink-kubernetes-operator"}),
    "strimzi-operator": ("strimzi", {"name": "strimzi-cluster-operator", "strimzi.io/kind": "cluster-operator"}),
    "cnpg-operator": ("cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"}),
}
# Ports the pods listen on. Flink native mode: REST 8081, JobManager RPC 6123 and blob 6124,
# TaskManager RPC 6122; the data port is the FlinkDeployment's taskmanager.data.port. Strimzi 1.2
# (KafkaCluster): KRaft 9090, replication 9091, agent 8443, plus each listener's port.
# CloudNativePG: PostgreSQL 5432, the instance manager's status 8000.
JOBMANAGER_PORTS = (8081, 6123, 6124)
TASKMANAGER_PORTS = (6122,)
KAFKA_PORTS = (9090, 9091, 8443)
POSTGRES_PORTS = (5432, 8000)


@dataclass(frozen=True)
class Pod:
    role: str
    namespace: str
    labels: dict = field(hash=False)
    ports: tuple[int, ...] = ()


def _template_labels(template: dict | None) -> dict:
    return dict(((template or {}).get("metadata") or {}).get("labels") or {})


def pods(objs: list[dict]) -> list[Pod]:
    """Every pod the overlay makes run, and the operators' pods, one per role."""
    found = []
    for o in objs:
        kind, name, ns = o["kind"], o["metadata"]["name"], o["metadata"].get("namespace", "default")
        spec = o.get("spec", {})
        if kind in ("Deployment", "StatefulSet", "Job"):
            found.append(Pod(name, ns, _template_labels(spec["template"])))
        elif kind == "FlinkDeployment":
            common = _template_labels(spec.get("podTemplate"))
            data_port = int(spec.get("flinkConfiguration", {}).get("taskmanager.data.port", 0))
            for component, key, ports in (("jobmanager", "jobManager", JOBMANAGER_PORTS),
                                          ("taskmanager", "taskManager", (*TASKMANAGER_PORTS, data_port))):
                labels = {**common, **_template_labels(spec.get(key, {}).get("podTemplate")),
                          "app": name, "component": component, "type": "flink-native-kubernetes"}
                found.append(Pod(component, ns, labels, ports))
        elif kind == "Kafka":
            listeners = tuple(int(listener["port"]) for listener in spec["kafka"]["listeners"])
            for pool in objs:
                if pool["kind"] == "KafkaNodePool" and pool["metadata"]["labels"].get("strimzi.io/cluster") == name:
                    found.append(Pod(f"kafka-{pool['metadata']['name']}", ns,
                                     {"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka",
                                      "strimzi.io/name": f"{name}-kafka",
                                      "strimzi.io/pool-name": pool["metadata"]["name"]},
                                     (*KAFKA_PORTS, *listeners)))
            if spec.get("entityOperator") is not None:
                found.append(Pod("entity-operator", ns, {"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka",
                                                         "strimzi.io/name": f"{name}-entity-operator"}))
        elif kind == "Cluster":
            found.append(Pod("postgres", ns, {"cnpg.io/cluster": name, "cnpg.io/podRole": "instance"}, POSTGRES_PORTS))
    for role, (ns, labels) in OPERATORS.items():
        found.append(Pod(role, ns, dict(labels)))
    return found


def selects(selector: dict | None, labels: dict) -> bool:
    """A LabelSelector: {} (or none) selects everything."""
    selector = selector or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def namespace_labels(namespace: str) -> dict:
    return {"kubernetes.io/metadata.name": namespace}


def peer_admits(peer: dict, policy_ns: str, src: Pod) -> bool:
    if "ipBlock" in peer:
        return False  # pod IPs are not modelled; the manifests use none
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], namespace_labels(src.namespace)):
            return False
    elif src.namespace != policy_ns:
        return False
    return selects(peer.get("podSelector"), src.labels)


def port_admits(ports: list[dict] | None, port: int) -> bool:
    if not ports:
        return True
    for p in ports:
        if p.get("protocol", "TCP") != "TCP":
            continue
        low = p.get("port")
        if low is None or (low <= port <= p.get("endPort", low)):
            return True
    return False


def ingress_policies(policies: list[dict], dst: Pod) -> list[dict]:
    return [p for p in policies
            if p["metadata"].get("namespace", "default") == dst.namespace
            and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"])
            and selects(p["spec"]["podSelector"], dst.labels)]


def admitted(policies: list[dict], src: Pod, dst: Pod, port: int) -> bool:
    selecting = ingress_policies(policies, dst)
    if not selecting:
        return True
    for p in selecting:
        for rule in p["spec"].get("ingress") or []:
            peers = rule.get("from")
            if (not peers or any(peer_admits(peer, p["metadata"].get("namespace", "default"), src) for peer in peers)) \
                    and port_admits(rule.get("ports"), port):
                return True
    return False


def matrix(policies: list[dict], every: list[Pod]) -> set[tuple[str, str, int]]:
    """(from role, to role, port) of every connection the policies admit to a port a pod listens on."""
    return {(src.role, dst.role, port) for dst in every for port in dst.ports for src in every
            if admitted(policies, src, dst, port)}
