"""What the API server does to every custom resource on create, done with its own code: the
CRD's defaulting, then its OpenAPI validation and its CEL rules (x-kubernetes-validations) on the
defaulted object. deploy/k8s/tools/crdcheck (Go, k8s.io/apiextensions-apiserver v0.34) does it;
setup (`python -m flinkfast.bootstrap --tests`) builds it into .cache/crdcheck/, or this test when
it is missing or older than its sources (about a minute and the Go modules the first time), and
the test feeds it the rendered overlays with the operators' schemas. Without Go, or
when the Go modules cannot be fetched, it is skipped with one line saying so.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy import deploy_checks as dc
from tests.deploy.deploy_checks import OVERLAYS, REPO

TOOL = REPO / "deploy" / "k8s" / "tools" / "crdcheck"
BINARY = REPO / ".cache" / "crdcheck" / "crdcheck"
# What a failed `go build` says when it could not reach the module proxy.
OFFLINE = ("dial tcp", "no such host", "proxyconnect", "connection refused", "i/o timeout", "GOPROXY=off",
           "module lookup disabled", "TLS handshake timeout")


@pytest.fixture(scope="module")
def crdcheck() -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.skip("Go is not installed: the CRDs' CEL rules and defaulting were not applied (deploy/k8s/tools/crdcheck)")
    sources = [*TOOL.glob("*.go"), TOOL / "go.mod", TOOL / "go.sum"]
    if BINARY.is_file() and BINARY.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return BINARY
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([go, "build", "-o", str(BINARY), "."], cwd=TOOL, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        if any(s in r.stderr for s in OFFLINE):
            pytest.skip("the Go modules of deploy/k8s/tools/crdcheck cannot be fetched here: the CRDs' CEL rules and "
                        f"defaulting were not applied ({r.stderr.strip().splitlines()[-1]})")
        pytest.fail(f"go build of {TOOL} failed:\n{r.stderr}")
    return BINARY


def structural(node, root: bool = True):
    """The CRD's openAPIV3Schema back from the strict JSON Schema (../shared/k8s-schemas'
    conversion, PROVENANCE.md): without the added additionalProperties: false and int-or-string
    oneOf, and the root's metadata an object, as a CRD must have it; x-kubernetes-validations,
    defaults and the rest as they came."""
    if isinstance(node, dict):
        out = {k: structural(v, False) for k, v in node.items()
               if k != "$schema" and not (k == "additionalProperties" and v is False)
               and not (k == "oneOf" and node.get("x-kubernetes-int-or-string"))}
        if root and "properties" in out:
            out["properties"]["metadata"] = {"type": "object"}
        return out
    if isinstance(node, list):
        return [structural(v, False) for v in node]
    return node


def check(binary: Path, objs: list[dict]) -> list[dict]:
    schemas = {f"{o['apiVersion']} {o['kind']}": structural(json.loads(dc.schema_path(o).read_text())) for o in objs}
    r = subprocess.run([str(binary)], input=json.dumps({"schemas": schemas, "objects": objs}), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def custom(overlay: str) -> list[dict]:
    return [o for o in dc.render(overlay) if dc.is_custom(o)]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_custom_resource_passes_defaulting_schema_and_cel(overlay, crdcheck):
    objs = custom(overlay)
    results = check(crdcheck, objs)
    assert [r["id"] for r in results] == [dc.object_id(o) for o in objs]
    assert {r["id"]: r["errors"] for r in results if r["errors"]} == {}
    kinds = {o["kind"] for o in objs}
    assert {"FlinkDeployment", "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster"} <= kinds


def test_defaulting_is_the_api_servers(crdcheck):
    """CloudNativePG's defaults land in the Cluster as the API server would store it, nothing we
    set is overwritten, and the schema step's uid is the instances' (postgresUID, default 26)."""
    objs = custom("prod")
    cluster = next(o for o in objs if o["kind"] == "Cluster")
    defaulted = next(r for r in check(crdcheck, objs) if r["id"] == dc.object_id(cluster))["defaulted"]["spec"]
    assert defaulted["postgresUID"] == 26 and defaulted["primaryUpdateStrategy"] == "unsupervised"
    assert defaulted["replicationSlots"]["highAvailability"]["enabled"] is True

    def kept(ours, stored) -> bool:  # everything we set is there, unchanged; defaults only add
        if isinstance(ours, dict):
            return isinstance(stored, dict) and all(k in stored and kept(v, stored[k]) for k, v in ours.items())
        if isinstance(ours, list):
            return isinstance(stored, list) and len(ours) == len(stored) and all(map(kept, ours, stored))
        return ours == stored

    assert kept(cluster["spec"], defaulted)
    assert defaulted["plugins"][0]["enabled"] is True, "the plugin entry is enabled by default"
    flink = next(o for o in dc.render("prod") if o["kind"] == "FlinkDeployment")
    init = flink["spec"]["jobManager"]["podTemplate"]["spec"]["initContainers"][0]
    assert init["securityContext"]["runAsUser"] == defaulted["postgresUID"]


# A CEL rule of each operator, broken on purpose in a copy of a rendered prod resource: the JSON
# Schema checks accept every one of these (tests/deploy/deploy_checks.py schema_errors == []).
PLANTS = {
    "Cluster": (lambda spec: spec["postgresql"]["synchronous"].update(number=0),
                "The number of synchronous replicas should be greater than zero"),
    "KafkaUser": (lambda spec: spec["authentication"].update(validityDays=30),
                  "'validityDays' and 'renewalDays' can be configured only with 'type: tls'"),
    "Kafka": (lambda spec: spec["kafka"].update(rack={"type": "topology-label", "topologyKey": ""}),
              "topologyKey property is required"),
}


@pytest.mark.parametrize("kind", sorted(PLANTS))
def test_a_broken_cel_rule_is_refused(kind, crdcheck):
    plant, message = PLANTS[kind]
    obj = copy.deepcopy(next(o for o in custom("prod") if o["kind"] == kind))
    plant(obj["spec"])
    assert dc.schema_errors(obj) == [], "the JSON Schema check alone lets it through"
    (result,) = check(crdcheck, [obj])
    assert any(e.startswith("cel: ") and message in e for e in result["errors"]), result["errors"]
