"""Operating rules for a rendered overlay, each a function objs -> [violation, ...] ([] when it
holds). tests/deploy/test_deploy_policy.py runs them on the overlays and on the planted broken
overlays of tests/deploy/broken/policy/ (one per rule, each must fail its rule and no other).

What each rule looks at is what the manifests control; what the operators add themselves (their
probes on Kafka and PostgreSQL, the pods' final resources) is not modelled here.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Iterator

from tests.deploy import netpol

HOSTNAME = "kubernetes.io/hostname"
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")
UNITS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
         "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40}


def quantity(value) -> float:
    m = QUANTITY.match(str(value))
    if not m:
        raise ValueError(f"not a quantity: {value!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def kind(objs: list[dict], name: str) -> list[dict]:
    return [o for o in objs if o["kind"] == name]


def oid(obj: dict) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


# ----------------------------------------------------------------------------- the pods

def merge(base, over):
    """The operator's pod template merge (kubernetes.operator.pod-template.merge-arrays-by-name):
    maps key by key, lists of named items item by name, anything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: merge(base[k], v) if k in base else v for k, v in over.items()}}
    if isinstance(base, list) and isinstance(over, list) and all(isinstance(i, dict) and "name" in i
                                                                 for i in base + over):
        merged = {i["name"]: i for i in base}
        for i in over:
            merged[i["name"]] = merge(merged[i["name"]], i) if i["name"] in merged else i
        return list(merged.values())
    return over


def flink_pods(fd: dict) -> dict[str, dict]:
    """component -> {labels, replicas, spec (pod spec, common template merged), resource}."""
    spec = fd["spec"]
    common = spec.get("podTemplate") or {}
    slots = int(spec.get("flinkConfiguration", {}).get("taskmanager.numberOfTaskSlots", 1))
    out = {}
    for component, key in (("jobmanager", "jobManager"), ("taskmanager", "taskManager")):
        own = (spec.get(key) or {}).get("podTemplate") or {}
        labels = {**(common.get("metadata") or {}).get("labels", {}), **(own.get("metadata") or {}).get("labels", {}),
                  "app": fd["metadata"]["name"], "component": component, "type": "flink-native-kubernetes"}
        pod = merge(common.get("spec") or {}, own.get("spec") or {})
        replicas = spec["jobManager"].get("replicas", 1) if component == "jobmanager" else \
            math.ceil(spec["job"]["parallelism"] / slots)
        out[component] = {"labels": labels, "replicas": replicas, "spec": pod,
                          "resource": (spec.get(key) or {}).get("resource") or {}}
    return out


def workloads(objs: list[dict]) -> Iterator[tuple[str, int, dict]]:
    """(name, pods it runs, pod spec) of every pod template the manifests write themselves."""
    for o in objs:
        if o["kind"] in ("Deployment", "StatefulSet", "Job"):
            yield oid(o), int(o["spec"].get("replicas", 1) if o["kind"] != "Job" else 1), o["spec"]["template"]["spec"]
        elif o["kind"] == "FlinkDeployment":
            for component, pod in flink_pods(o).items():
                yield f"{oid(o)} {component}", pod["replicas"], pod["spec"]


def images(objs: list[dict]) -> Iterator[tuple[str, str]]:
    for name, _, spec in workloads(objs):
        for c in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            if c.get("image"):
                yield f"{name} {c['name']}", c["image"]
    for o in objs:
        if o["kind"] == "FlinkDeployment":
            yield oid(o), o["spec"]["image"]
        elif o["kind"] == "Cluster":
            yield oid(o), o["spec"]["imageName"]
        elif o["kind"] == "Kafka" and o["spec"]["kafka"].get("image"):
            yield oid(o), o["spec"]["kafka"]["image"]


# ----------------------------------------------------------------------------- rules

def pdb(objs: list[dict]) -> list[str]:
    """A budget for every replicated piece, one that lets one pod go at a time."""
    out = []
    budgets = kind(objs, "PodDisruptionBudget")
    for fd in kind(objs, "FlinkDeployment"):
        for component, pod in flink_pods(fd).items():
            mine = [b for b in budgets if netpol.selects(b["spec"]["selector"], pod["labels"])]
            if len(mine) != 1:
                out.append(f"{component}: {len(mine)} PodDisruptionBudgets select its pods, not 1")
                continue
            spec = mine[0]["spec"]
            if "maxUnavailable" in spec or not isinstance(spec.get("minAvailable"), int):
                out.append(f"{component}: Flink's pods have no scalable controller: an integer minAvailable only")
            elif not 1 <= spec["minAvailable"] < pod["replicas"]:
                out.append(f"{component}: minAvailable {spec['minAvailable']} of {pod['replicas']} pods "
                           "(at least one must stay and one may go)")
    for k in kind(objs, "Kafka"):
        budget = ((k["spec"]["kafka"].get("template") or {}).get("podDisruptionBudget") or {})
        if budget.get("maxUnavailable") != 1:
            out.append(f"{oid(k)}: template.podDisruptionBudget.maxUnavailable is not 1")
    for c in kind(objs, "Cluster"):
        if c["spec"].get("enablePDB") is not True:
            out.append(f"{oid(c)}: enablePDB is not true")
    return out


def spread(objs: list[dict]) -> list[str]:
    """Replicas of one piece on different nodes: topology spread (or anti-affinity) by hostname."""
    out = []

    def spreads(pod_spec: dict, labels: dict) -> bool:
        for t in pod_spec.get("topologySpreadConstraints") or []:
            if t.get("topologyKey") == HOSTNAME and netpol.selects(t.get("labelSelector"), labels):
                return True
        anti = ((pod_spec.get("affinity") or {}).get("podAntiAffinity") or {})
        terms = [*anti.get("requiredDuringSchedulingIgnoredDuringExecution", []),
                 *[w["podAffinityTerm"] for w in anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])]]
        return any(t.get("topologyKey") == HOSTNAME and netpol.selects(t.get("labelSelector"), labels) for t in terms)

    for fd in kind(objs, "FlinkDeployment"):
        for component, pod in flink_pods(fd).items():
            if not spreads(pod["spec"], pod["labels"]):
                out.append(f"{component}: no topology spread or anti-affinity by {HOSTNAME} over its own pods")
    for pool in kind(objs, "KafkaNodePool"):
        labels = {"strimzi.io/cluster": pool["metadata"]["labels"]["strimzi.io/cluster"],
                  "strimzi.io/pool-name": pool["metadata"]["name"]}
        if not spreads(((pool["spec"].get("template") or {}).get("pod") or {}), labels):
            out.append(f"{oid(pool)}: no topology spread or anti-affinity by {HOSTNAME} over its own pods")
    for c in kind(objs, "Cluster"):
        a = c["spec"].get("affinity") or {}
        if a.get("enablePodAntiAffinity") is not True or a.get("podAntiAffinityType") != "required" \
                or a.get("topologyKey", HOSTNAME) != HOSTNAME:
            out.append(f"{oid(c)}: instances not required on different nodes (affinity)")
    return out


def _requests_and_limits(where: str, resources: dict | None) -> list[str]:
    resources = resources or {}
    out = []
    for part in ("requests", "limits"):
        for what in ("cpu", "memory"):
            if what not in (resources.get(part) or {}):
                out.append(f"{where}: no {what} in {part}")
    if not out:
        for what in ("cpu", "memory"):
            if quantity(resources["limits"][what]) < quantity(resources["requests"][what]):
                out.append(f"{where}: {what} limit below its request")
    return out


def resources(objs: list[dict]) -> list[str]:
    """Requests and limits for CPU and memory on every container; PostgreSQL Guaranteed."""
    out = []
    for o in objs:
        if o["kind"] in ("Deployment", "StatefulSet", "Job"):
            spec = o["spec"]["template"]["spec"]
            for c in [*spec.get("initContainers", []), *spec["containers"]]:
                out += _requests_and_limits(f"{oid(o)} {c['name']}", c.get("resources"))
        elif o["kind"] == "FlinkDeployment":
            conf = o["spec"].get("flinkConfiguration") or {}
            for component, pod in flink_pods(o).items():
                # The operator makes the main container's requests from `resource` and its limits
                # from them times the limit factors.
                if not {"cpu", "memory"} <= set(pod["resource"]):
                    out.append(f"{component}: no cpu or memory in its resource")
                for what in ("cpu", "memory"):
                    if float(conf.get(f"kubernetes.{component}.{what}.limit-factor", "1.0")) < 1:
                        out.append(f"{component}: {what} limit factor below 1")
                for c in pod["spec"].get("initContainers", []):
                    out += _requests_and_limits(f"{component} {c['name']}", c.get("resources"))
        elif o["kind"] == "KafkaNodePool":
            out += _requests_and_limits(oid(o), o["spec"].get("resources"))
        elif o["kind"] == "Kafka":
            for op in ("topicOperator", "userOperator"):
                if op in (o["spec"].get("entityOperator") or {}):
                    out += _requests_and_limits(f"{oid(o)} {op}", o["spec"]["entityOperator"][op].get("resources"))
        elif o["kind"] == "Cluster":
            r = o["spec"].get("resources") or {}
            found = _requests_and_limits(oid(o), r)
            out += found
            if not found and any(quantity(r["requests"][w]) != quantity(r["limits"][w]) for w in ("cpu", "memory")):
                out.append(f"{oid(o)}: requests differ from limits (PostgreSQL must be Guaranteed)")
    return out


def probes(objs: list[dict]) -> list[str]:
    """Liveness on every long-running container the manifests define; readiness where it serves."""
    out = []
    for d in kind(objs, "Deployment"):
        for c in d["spec"]["template"]["spec"]["containers"]:
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in c:
                    out.append(f"{oid(d)} {c['name']}: no {probe}")
    for fd in kind(objs, "FlinkDeployment"):
        for component, pod in flink_pods(fd).items():
            main = next((c for c in pod["spec"]["containers"] if c["name"] == "flink-main-container"), {})
            wanted = ("livenessProbe", "readinessProbe") if component == "jobmanager" else ("livenessProbe",)
            for probe in wanted:
                if probe not in main:
                    out.append(f"{component}: no {probe}")
    return out


def network(objs: list[dict]) -> list[str]:
    """Flink's REST only from the operator; PostgreSQL only from the sink (TaskManagers), the
    schema step, the JobManagers (their wait for it) and its own; Kafka's client listener only
    from the job and the producer. The ingress side alone (prod's egress rules would hide a
    hole here: each side must hold by itself)."""
    policies = kind(objs, "NetworkPolicy")
    pods = netpol.pods(objs)
    ns = next(o for o in objs if o["kind"] == "Namespace")["metadata"]["name"]
    pods.append(netpol.Pod("stranger", ns, {"app.kubernetes.io/name": "something-else"}))
    kafka = next(k for k in kind(objs, "Kafka"))
    listeners = {int(x["port"]) for x in kafka["spec"]["kafka"]["listeners"]}
    allowed = {("jobmanager", 8081): {"flink-operator"},
               ("postgres", 5432): {"taskmanager", "jobmanager", "flinkfast-schema", "postgres", "cnpg-operator"}}
    out = []
    for dst in pods:
        checks = dict(allowed)
        if dst.role.startswith("kafka-"):
            checks |= {(dst.role, port): {"jobmanager", "taskmanager", "flinkfast-producer"} for port in listeners}
        for (role, port), who in checks.items():
            if dst.role != role:
                continue
            reach = {src.role for src in pods if netpol.ingress_admitted(policies, src, dst, port)}
            if reach - who:
                out.append(f"{role}:{port} is reachable from {sorted(reach - who)}")
    if not any(p["spec"]["podSelector"] == {} and not p["spec"].get("ingress") for p in policies):
        out.append("no default-deny ingress policy")
    return out


def digests(objs: list[dict]) -> list[str]:
    """Every image by digest: @sha256: and 64 hex digits."""
    return [f"{where}: {image} is not pinned by digest" for where, image in images(objs) if not DIGEST.search(image)]


def shared_rwo(objs: list[dict]) -> list[str]:
    """No ReadWriteOnce volume mounted by more than one pod (a second node's pod cannot attach it)."""
    claims = {c["metadata"]["name"]: c for c in kind(objs, "PersistentVolumeClaim")}
    users: dict[str, int] = {}
    for _, replicas, spec in workloads(objs):
        for v in spec.get("volumes") or []:
            name = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if name:
                users[name] = users.get(name, 0) + replicas
    out = []
    for name, count in users.items():
        modes = (claims.get(name) or {}).get("spec", {}).get("accessModes") or ["ReadWriteOnce"]
        if count > 1 and not {"ReadWriteMany", "ReadOnlyMany"} & set(modes):
            out.append(f"PersistentVolumeClaim/{name} ({', '.join(modes)}) is mounted by {count} pods")
    return out


def state_in_object_storage(objs: list[dict]) -> list[str]:
    """Checkpoints, savepoints and HA data in S3 through Flink's plugin, the keys by reference."""
    out = []
    for fd in kind(objs, "FlinkDeployment"):
        conf = fd["spec"].get("flinkConfiguration") or {}
        for key in ("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
                    "high-availability.storageDir"):
            if not str(conf.get(key, "")).startswith("s3://"):
                out.append(f"{key} is {conf.get(key)!r}, not s3://")
        if [k for k in conf if k.startswith("s3.") and ("key" in k or "secret" in k)]:
            out.append("an S3 key in flinkConfiguration (a readable ConfigMap)")
        for component, pod in flink_pods(fd).items():
            main = next(c for c in pod["spec"]["containers"] if c["name"] == "flink-main-container")
            env = {e["name"]: e for e in main.get("env", [])}
            args = conf.get(f"kubernetes.{component}.entrypoint.args", "")
            for option, var in (("s3.access-key", "FLINK_S3_ACCESS_KEY"), ("s3.secret-key", "FLINK_S3_SECRET_KEY")):
                if f"-D{option}=$({var})" not in args or "secretKeyRef" not in (env.get(var) or {}).get("valueFrom", {}):
                    out.append(f"{component}: {option} is not $({var}) from a Secret")
    return out


def bounded_restarts(objs: list[dict]) -> list[str]:
    out = []
    for fd in kind(objs, "FlinkDeployment"):
        conf = fd["spec"].get("flinkConfiguration") or {}
        attempts = int(conf.get("restart-strategy.exponential-delay.attempts-before-reset-backoff", 2 ** 31))
        if conf.get("restart-strategy.type") != "exponential-delay" or attempts > 100:
            out.append(f"restarts not bounded (exponential-delay attempts {attempts})")
        if conf.get("kubernetes.operator.cluster.health-check.enabled") != "true":
            out.append("the operator's health check is off")
        if conf.get("kubernetes.operator.job.restart.failed", "false") != "false":
            out.append("the operator restarts a FAILED job")
    return out


BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"


def backups(objs: list[dict]) -> list[str]:
    """WAL archived to object storage by the Barman Cloud plugin (the in-tree barmanObjectStore is
    deprecated, and the `standard` images have no barman-cloud), the store's keys by reference,
    and a ScheduledBackup through the same plugin."""
    out = []
    stores = {s["metadata"]["name"]: s for s in kind(objs, "ObjectStore")}
    for c in kind(objs, "Cluster"):
        if (c["spec"].get("backup") or {}).get("barmanObjectStore"):
            out.append(f"{oid(c)}: the in-tree backup.barmanObjectStore (deprecated; no barman-cloud in the "
                       "standard images): use the Barman Cloud plugin")
        archivers = [p for p in c["spec"].get("plugins") or [] if p.get("isWALArchiver")]
        if len(archivers) != 1 or archivers[0]["name"] != BARMAN_PLUGIN:
            out.append(f"{oid(c)}: no WAL archive (a plugins entry {BARMAN_PLUGIN} with isWALArchiver)")
            continue
        store = stores.get((archivers[0].get("parameters") or {}).get("barmanObjectName"))
        if store is None:
            out.append(f"{oid(c)}: its barmanObjectName names no ObjectStore")
        else:
            conf = store["spec"]["configuration"]
            creds = conf.get("s3Credentials") or {}
            if not str(conf.get("destinationPath", "")).startswith("s3://") or not all(
                    (creds.get(k) or {}).get("name") and (creds.get(k) or {}).get("key")
                    for k in ("accessKeyId", "secretAccessKey")):
                out.append(f"{oid(store)}: not an S3 path with its keys as Secret references")
            if not store["spec"].get("retentionPolicy"):
                out.append(f"{oid(store)}: no retentionPolicy")
        scheduled = [s for s in kind(objs, "ScheduledBackup") if s["spec"]["cluster"]["name"] == c["metadata"]["name"]
                     and s["spec"].get("method") == "plugin"
                     and (s["spec"].get("pluginConfiguration") or {}).get("name") == BARMAN_PLUGIN]
        if not scheduled or any(s["spec"].get("suspend") for s in scheduled):
            out.append(f"{oid(c)}: no ScheduledBackup")
    return out


def schema_step(objs: list[dict]) -> list[str]:
    """The schema applied by something a re-apply may change (a Deployment, not a Job, whose
    template is immutable), in a pod of its own without an API token; the job waits for it
    (the JobManagers' init container); no Flink pod holds the superuser's or owner's Secret."""
    out = []
    for job in kind(objs, "Job"):
        out.append(f"{oid(job)}: a Job cannot be re-applied once its template changes")

    def runs(spec: dict, mode: str) -> list[dict]:
        return [c for c in [*spec.get("initContainers", []), *spec.get("containers", [])]
                if c.get("command", [])[-2:] == ["/opt/flinkfast/apply-schema.sh", mode]]

    appliers = [d for d in kind(objs, "Deployment") if runs(d["spec"]["template"]["spec"], "serve")]
    if not appliers:
        out.append("no Deployment applies the schema (apply-schema.sh serve)")
    for d in appliers:
        if d["spec"]["template"]["spec"].get("automountServiceAccountToken") is not False:
            out.append(f"{oid(d)}: the schema step mounts an API token")
    clusters = [c["metadata"]["name"] for c in kind(objs, "Cluster")]
    for fd in kind(objs, "FlinkDeployment"):
        if not runs(flink_pods(fd)["jobmanager"]["spec"], "wait"):
            out.append("the JobManager does not wait for the schema before it starts")
        text = repr(fd)
        for name in clusters:
            for secret in (f"{name}-superuser", f"{name}-app"):
                if secret in text:
                    out.append(f"{oid(fd)}: a Flink pod holds {secret}")
    return out


def producer_runs(objs: list[dict]) -> list[str]:
    out = []
    for d in kind(objs, "Deployment"):
        for c in d["spec"]["template"]["spec"]["containers"]:
            if "producer_api.py" in " ".join(c.get("command", [])) and "--forever" not in c.get("args", []):
                out.append(f"{oid(d)}: the producer exits (no --forever), a Deployment restarts it for ever")
    return out


def rescale_in_place(objs: list[dict]) -> list[str]:
    """The job can be rescaled while it runs, as the Flink operator 1.15.0 does it: the adaptive
    scheduler and the operator's in-place scaling on (NativeFlinkService.scale: a change of
    pipeline.jobvertex-parallelism-overrides goes to the REST API's resource requirements, no
    savepoint), and an upgrade mode that keeps the state when it falls back to a redeploy (a
    change of job.parallelism is always such an upgrade in native mode)."""
    out = []
    for fd in kind(objs, "FlinkDeployment"):
        conf = fd["spec"].get("flinkConfiguration") or {}
        if conf.get("jobmanager.scheduler") != "adaptive":
            out.append(f"{oid(fd)}: not the adaptive scheduler (jobmanager.scheduler), so nothing is rescaled in place")
        if str(conf.get("kubernetes.operator.job.upgrade.inplace-scaling.enabled", "true")).lower() != "true":
            out.append(f"{oid(fd)}: the operator's in-place scaling is off")
        if fd["spec"]["job"].get("upgradeMode") not in ("last-state", "savepoint"):
            out.append(f"{oid(fd)}: upgradeMode {fd['spec']['job'].get('upgradeMode')!r} loses the state on a rescale "
                       "that falls back to a redeploy")
    return out


Rule = Callable[[list[dict]], list[str]]
# name -> (rule, overlays it holds for). Placement, budgets and digests are prod's: dev is one node
# (a budget there would block every drain) and loads a local image by tag (kind, minikube).
RULES: dict[str, tuple[Rule, tuple[str, ...]]] = {
    "pdb": (pdb, ("prod",)),
    "spread": (spread, ("prod",)),
    "resources": (resources, ("dev", "prod")),
    "probes": (probes, ("dev", "prod")),
    "network": (network, ("dev", "prod")),
    "digests": (digests, ("prod",)),
    "shared_rwo": (shared_rwo, ("dev", "prod")),
    "state_in_object_storage": (state_in_object_storage, ("dev", "prod")),
    "bounded_restarts": (bounded_restarts, ("dev", "prod")),
    "backups": (backups, ("prod",)),
    "schema_step": (schema_step, ("dev", "prod")),
    "producer_runs": (producer_runs, ("dev", "prod")),
    "rescale_in_place": (rescale_in_place, ("prod",)),
}
