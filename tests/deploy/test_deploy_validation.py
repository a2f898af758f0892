"""Every rendered object validates strictly against its schema (the operators' resources against
../shared/k8s-schemas, Kubernetes' kinds against kubernetes-validate's), carries no secret in
clear, and the checks are shown to fail where they should: on every deliberately broken manifest
of broken/, for the reason it states, and on each rendered object with one unknown field added."""
from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy import deploy_checks as dc
from tests.deploy.deploy_checks import OVERLAYS, REPO

BROKEN = Path(__file__).resolve().parent / "broken"
BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def _ids(overlay: str) -> list[str]:
    return [dc.object_id(o) for o in dc.render(overlay)]


CASES = [(overlay, oid) for overlay in OVERLAYS for oid in _ids(overlay)]


def _find(rendered, overlay, oid):
    return next(o for o in rendered[overlay] if dc.object_id(o) == oid)


@pytest.mark.parametrize("overlay,oid", CASES, ids=[f"{o}:{i}" for o, i in CASES])
def test_rendered_object_is_valid(overlay, oid, rendered):
    obj = _find(rendered, overlay, oid)
    assert dc.schema_errors(obj) == []
    if dc.is_custom(obj):
        assert dc.schema_path(obj).is_file(), "an operator resource was checked against its own schema"


@pytest.mark.parametrize("overlay,oid", CASES, ids=[f"{o}:{i}" for o, i in CASES])
def test_rendered_object_has_no_secret_in_clear(overlay, oid, rendered):
    assert dc.secret_literals(_find(rendered, overlay, oid)) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_is_rendered_at_all(overlay, rendered):
    """The Secrets exist in the cluster only: made by the operators or by the documented
    commands, never by these manifests."""
    assert [dc.object_id(o) for o in rendered[overlay] if o["kind"] == "Secret"] == []


@pytest.mark.parametrize("overlay,oid", CASES, ids=[f"{o}:{i}" for o, i in CASES])
def test_an_unknown_field_is_refused(overlay, oid, rendered):
    """The validation is strict for every kind rendered here: one misspelt field fails it."""
    obj = copy.deepcopy(_find(rendered, overlay, oid))
    target = obj["spec"] if isinstance(obj.get("spec"), dict) else obj
    target["notAField"] = 1
    errors = dc.schema_errors(obj)
    assert errors and all("notAField" in e for e in errors), errors


# ----------------------------------------------------------------------------- broken manifests

def _header(path: Path, name: str) -> str:
    m = re.search(rf"^# {name}: (.+)$", path.read_text(), re.M)
    assert m, f"{path.name} has no `# {name}:` line"
    return m.group(1).strip()


def _checks(path: Path) -> dict[str, list[str]]:
    try:
        objs = dc.load_all(path.read_text())
    except Exception as e:  # noqa: BLE001 (what the loader says is the finding)
        return {"yaml": [str(e)], "schema": [], "secret": []}
    assert objs, f"{path.name} holds no object"
    return {"yaml": [],
            "schema": [e for o in objs for e in dc.schema_errors(o)],
            "secret": [e for o in objs for e in dc.secret_literals(o)]}


def test_there_are_broken_manifests_of_every_sort():
    expected = {p.name: _header(p, "expect") for p in BROKEN_FILES}
    assert set(expected.values()) == {"schema", "secret", "yaml"}
    text = " ".join(p.read_text() for p in BROKEN_FILES)
    for must in ("flink.apache.org", "kafka.strimzi.io", "postgresql.cnpg.io", "apps/v1", "batch/v1",
                 "zookeeper", "kind: Secret"):
        assert must in text, f"no broken manifest with {must}"


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[p.name for p in BROKEN_FILES])
def test_broken_manifest_is_refused_for_its_reason(path):
    expect, error = _header(path, "expect"), _header(path, "error")
    assert expect in ("schema", "secret", "yaml")
    found = _checks(path)
    assert found[expect], f"{path.name}: the {expect} check let it through"
    assert any(error in message for message in found[expect]), \
        f"{path.name}: refused, but not for its reason ({error!r}): {found[expect]}"
    # Only that check: a schema mistake holds no secret, a secret in clear is valid for its schema
    # (so the secret check is what catches it, not the schema).
    others = {k: v for k, v in found.items() if k != expect and v}
    assert not others, f"{path.name}: other checks fail too: {others}"


# ----------------------------------------------------------------------------- kubeconform

def kubeconform() -> str | None:
    """kubeconform, where installed: $KUBECONFORM, <repo>/.cache/bin (docs/kubernetes.md shows
    the `go install` line), or PATH."""
    for candidate in (os.environ.get("KUBECONFORM"), str(REPO / ".cache" / "bin" / "kubeconform"),
                      shutil.which("kubeconform")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


CORE_KINDS = ("Namespace,ServiceAccount,Role,RoleBinding,ConfigMap,Secret,PersistentVolumeClaim,Deployment,Job,"
              "NetworkPolicy,PodDisruptionBudget,ValidatingAdmissionPolicy,ValidatingAdmissionPolicyBinding")


def _kubeconform(binary: str, schemas: Path, paths: list[str], stdin: str | None = None):
    layout = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    locations = [arg for folder in (schemas, dc.LOCAL_SCHEMAS) for arg in ("-schema-location", f"{folder}/{layout}")]
    return subprocess.run([binary, "-strict", "-summary", *locations, "-skip", CORE_KINDS, *paths],
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_kubeconform_agrees(schemas, rendered):
    """A second, independent validator for the operators' resources (a Go binary `make test`
    builds into .cache/bin). Core kinds are skipped: kubeconform would fetch their schemas from
    the internet; kubernetes-validate checks them."""
    binary = kubeconform()
    if binary is None:
        pytest.fail("kubeconform is not installed: `make test` builds it (python3 -m flinkfast.bootstrap --tests), "
                    "or GOBIN=$PWD/.cache/bin go install github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0")
    for overlay in OVERLAYS:
        r = _kubeconform(binary, schemas, ["-"], stdin=dc._rendered(overlay))
        assert r.returncode == 0, f"{overlay}: {r.stdout}{r.stderr}"
        assert "Invalid: 0, Errors: 0" in r.stdout
    checked = 0
    for path in BROKEN_FILES:
        if _header(path, "expect") == "secret":
            continue  # no schema catches those (the secret check does)
        try:
            objs = dc.load_all(path.read_text())
        except Exception:  # noqa: BLE001 (kubeconform -strict refuses a duplicate key too)
            objs = []
        if all(dc.is_custom(o) for o in objs):  # core kinds are skipped by kubeconform here
            r = _kubeconform(binary, schemas, [str(path)])
            assert r.returncode != 0, f"kubeconform accepted {path.name}: {r.stdout}"
            checked += 1
    assert checked >= 10
