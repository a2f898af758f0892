"""What Kubernetes NetworkPolicies admit, computed offline: the pods a rendered overlay makes
(its own Deployments and Jobs, the pods each operator makes for a custom resource, with the
labels that operator gives them, and the operators' own pods in their namespaces), what lies
outside (the cluster's DNS, the API server, an object store, the cloud metadata service, the
Internet: `outside()`), and whether a connection from one to another on a port passes both ends:
the source's Egress policies and the target's Ingress policies (the rules of networking.k8s.io/v1:
a pod selected by no policy of a type admits everything of that type; a selected pod admits what
any one rule of any policy selecting it admits). Ports are TCP, or "N/udp".
Not modelled: pod IPs (an ipBlock matches only the outside addresses here; what an ipBlock does
to pod IPs is up to the network plugin), named ports, Services (a connection to a Service is
modelled as one to the pods behind it, as plugins apply policies after its address is translated).
"""
from __future__ import annotations

import ipaddress
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
    namespace: str | None
    labels: dict = field(hash=False)
    ports: tuple[int | str, ...] = ()
    ip: str | None = None  # set for what is outside the cluster's pods (no namespace, no labels)


def outside() -> list[Pod]:
    """The cluster's DNS (kube-system's kube-dns pods: CoreDNS keeps that label) and addresses
    outside the pods: the API server (the control plane's address: its Service's 443 is
    translated to 443 or 6443 there), an object store (S3's 443), the cloud metadata service and
    the Internet's other ports."""
    return [Pod("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, (53, "53/udp")),
            Pod("apiserver", None, {}, (443, 6443), ip="172.20.0.2"),
            Pod("object-store", None, {}, (443,), ip="52.216.8.1"),
            Pod("metadata", None, {}, (80, 443), ip="169.254.169.254"),
            Pod("internet", None, {}, (22, 25, 80), ip="203.0.113.7")]


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
    """Whether a peer of a rule (`from` of an ingress rule, `to` of an egress rule) is `src`."""
    if "ipBlock" in peer:
        if src.ip is None:
            return False  # pod IPs are not modelled
        block = peer["ipBlock"]
        ip = ipaddress.ip_address(src.ip)
        return ip in ipaddress.ip_network(block["cidr"]) and \
            not any(ip in ipaddress.ip_network(e) for e in block.get("except") or [])
    if src.ip is not None:
        return False  # not a pod: no selector matches it
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], namespace_labels(src.namespace)):
            return False
    elif src.namespace != policy_ns:
        return False
    return selects(peer.get("podSelector"), src.labels)


def split_port(port: int | str) -> tuple[int, str]:
    if isinstance(port, str):
        number, protocol = port.split("/")
        return int(number), protocol.upper()
    return port, "TCP"


def port_admits(ports: list[dict] | None, port: int | str) -> bool:
    number, protocol = split_port(port)
    if not ports:
        return True
    for p in ports:
        if p.get("protocol", "TCP") != protocol:
            continue
        low = p.get("port")
        if low is None or (low <= number <= p.get("endPort", low)):
            return True
    return False


def policy_types(policy: dict) -> list[str]:
    """Ingress always, Egress when it has egress rules, unless policyTypes says."""
    spec = policy["spec"]
    return spec.get("policyTypes") or (["Ingress", "Egress"] if "egress" in spec else ["Ingress"])


def selecting(policies: list[dict], pod: Pod, kind: str) -> list[dict]:
    """The policies of `kind` (Ingress, Egress) that select the pod."""
    if pod.ip is not None:
        return []
    return [p for p in policies
            if p["metadata"].get("namespace", "default") == pod.namespace
            and kind in policy_types(p) and selects(p["spec"]["podSelector"], pod.labels)]


def ingress_policies(policies: list[dict], dst: Pod) -> list[dict]:
    return selecting(policies, dst, "Ingress")


def _passes(chosen: list[dict], direction: str, peers_key: str, other: Pod, port: int | str) -> bool:
    if not chosen:
        return True
    for p in chosen:
        for rule in p["spec"].get(direction) or []:
            peers = rule.get(peers_key)
            if (not peers or any(peer_admits(peer, p["metadata"].get("namespace", "default"), other) for peer in peers)) \
                    and port_admits(rule.get("ports"), port):
                return True
    return False


def ingress_admitted(policies: list[dict], src: Pod, dst: Pod, port: int | str) -> bool:
    return _passes(selecting(policies, dst, "Ingress"), "ingress", "from", src, port)


def egress_admitted(policies: list[dict], src: Pod, dst: Pod, port: int | str) -> bool:
    return _passes(selecting(policies, src, "Egress"), "egress", "to", dst, port)


def admitted(policies: list[dict], src: Pod, dst: Pod, port: int | str) -> bool:
    """Both ends: the source's egress and the target's ingress."""
    return egress_admitted(policies, src, dst, port) and ingress_admitted(policies, src, dst, port)


def matrix(policies: list[dict], every: list[Pod]) -> set[tuple[str, str, int | str]]:
    """(from role, to role, port) of every connection the policies admit to a port a pod (or an
    address outside) listens on; only pods are sources."""
    return {(src.role, dst.role, port) for dst in every for port in dst.ports for src in every
            if src.ip is None and src.role != "kube-dns" and admitted(policies, src, dst, port)}
