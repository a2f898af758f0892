"""Every object of both overlays through a real API server: `kubectl apply --server-side
--dry-run=server` against kube-apiserver v1.34.2 over an in-process etcd on loopback
(deploy/k8s/tools/apiserver, tests/deploy/apiserver.py), with the operators' CRDs installed from
their schemas and the namespaces created. The server adds what the JSON Schema checks cannot:
its own validation of core kinds (names, selectors, cross-field rules), admission, CEL rules and
the structured-merge-diff of a server-side apply. Setup (`python -m flinkfast.bootstrap --tests`)
builds the binary into .cache/apiserver/ (minutes of compiling and about 2 GB of Go build cache,
so the tests never build it); when it is missing or older than its sources the tests are skipped
with one line saying how to build it.
"""
from __future__ import annotations

import copy

import pytest

from tests.deploy import apiserver
from tests.deploy import deploy_checks as dc
from tests.deploy.deploy_checks import OVERLAYS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with apiserver.serving(tmp_path_factory.mktemp("apiserver")) as s:
        for overlay in OVERLAYS:
            apiserver.prepare(s, dc.render(overlay))
        yield s


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_passes_a_server_side_dry_run(overlay, server):
    objs = dc.render(overlay)
    r = apiserver.dry_run(server, objs)
    assert r.returncode == 0, f"the API server refused {overlay}'s objects:\n{r.stderr.strip()}"
    assert r.stdout.count("serverside-applied (server dry run)") == len(objs), r.stdout


def _producer(obj: dict) -> None:  # the selector no longer matches the pod template's labels
    obj["spec"]["selector"]["matchLabels"] = {"app": "not-the-producer"}


def _settings(obj: dict) -> None:  # a name that is not a DNS subdomain
    obj["metadata"]["name"] = "Flinkfast_Settings"


def _cluster(obj: dict) -> None:  # CloudNativePG's CEL rule on synchronous replication
    obj["spec"]["postgresql"]["synchronous"]["number"] = 0


# One mistake per object, each one that the JSON Schema checks (deploy_checks.schema_errors or
# core_errors) let through: the server's own validation of core kinds, and a CRD's CEL rule.
PLANTS = {
    "Deployment": (_producer, "`selector` does not match template `labels`"),
    "ConfigMap": (_settings, "a lowercase RFC 1123 subdomain must consist of"),
    "Cluster": (_cluster, "The number of synchronous replicas should be greater than zero"),
}


@pytest.mark.parametrize("kind", sorted(PLANTS))
def test_the_dry_run_refuses_a_planted_mistake(kind, server):
    plant, message = PLANTS[kind]
    obj = copy.deepcopy(next(o for o in dc.render("prod") if o["kind"] == kind))
    plant(obj)
    local = dc.schema_errors(obj) if dc.is_custom(obj) else dc.core_errors(obj)
    assert local == [], f"the local schema check already refuses it: {local}"
    r = apiserver.dry_run(server, [obj])
    assert r.returncode != 0 and message in r.stderr, r.stderr or r.stdout
