"""What the Flink Kubernetes Operator 1.15.0 itself refuses, checked by its own code: its
DefaultValidator (the webhook's and the reconciler's admission checks) and its FlinkConfigBuilder
(the configuration it deploys), run on every rendered FlinkDeployment (and FlinkSessionJob) of
every overlay, and on the planted overlays of tests/deploy/broken/operator/, which the CRD's schema
accepts and the operator must refuse.

The operator's jars are not served by the registry here, so deploy/k8s/tools/flinkcheck builds
those classes from the operator's source at its release-1.15.0 tag (operator-src/, checked below
against the tag's git blob ids) with the operator's own dependencies from Maven Central. Setup
(`python -m flinkfast.bootstrap --tests`) builds it into .cache/flinkcheck/, or this test when it
is missing or stale (about a minute). When Maven Central cannot be reached it is skipped with one
line saying so.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from flinkfast import bootstrap
from tests.deploy import deploy_checks as dc
from tests.deploy.deploy_checks import OVERLAYS

TOOL = bootstrap.FLINKCHECK
OUT = bootstrap.FLINKCHECK_OUT
PLANTED = Path(__file__).resolve().parent / "broken" / "operator"
KINDS = ("FlinkDeployment", "FlinkSessionJob")
# What a failed Maven build says when it could not reach the registry.
OFFLINE = ("Could not transfer artifact", "Unknown host", "Connection refused", "Connect timed out",
           "Network is unreachable", "Cannot access central")


def planted_overlays() -> list[str]:
    return sorted(p.name for p in PLANTED.iterdir() if p.is_dir())


def header(path: Path, key: str) -> str:
    m = re.search(rf"^# {key}: (.+)$", path.read_text(), re.M)
    assert m, f"{path}: no `# {key}:` line"
    return m.group(1).strip()


def flink_objects(objs: list[dict]) -> list[dict]:
    return [o for o in objs if o["kind"] in KINDS]


@pytest.fixture(scope="module")
def results() -> dict[str, list[dict]]:
    """overlay or planted overlay -> flinkcheck's result for each of its Flink resources; one JVM
    for all of them (its start is most of the time)."""
    error = bootstrap.flinkcheck()
    if error is not None:
        if any(s in error for s in OFFLINE):
            pytest.skip("the Flink operator's dependencies cannot be fetched from Maven Central here: its "
                        f"validator was not run (deploy/k8s/tools/flinkcheck): {error.splitlines()[-1]}")
        pytest.fail(f"building deploy/k8s/tools/flinkcheck failed:\n{error}")
    sets = {overlay: flink_objects(dc.render(overlay)) for overlay in OVERLAYS}
    sets |= {name: flink_objects(dc.load_all(dc.render_text(PLANTED / name))) for name in planted_overlays()}
    objects = [o for objs in sets.values() for o in objs]
    classpath = f"{OUT / 'classes'}:{(OUT / 'classpath.txt').read_text().strip()}"
    r = subprocess.run(["java", "-cp", classpath, "flinkfast.flinkcheck.Main", str(TOOL / "conf")],
                       input=json.dumps({"objects": objects}), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert len(found) == len(objects)
    out, i = {}, 0
    for name, objs in sets.items():
        out[name] = [{**result, "object": obj} for obj, result in zip(objs, found[i:i + len(objs)])]
        i += len(objs)
    return out


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_the_operator_source_is_its_release_unchanged():
    """Every file of operator-src/ is the release-1.15.0 tag's, byte for byte (its git blob id, as
    `git rev-parse release-1.15.0:<path>` prints it in a clone of apache/flink-kubernetes-operator),
    and no other Java file is there."""
    src = TOOL / "operator-src"
    listed = {}
    for line in (src / "UPSTREAM.txt").read_text().splitlines():
        blob, upstream = line.split()
        listed[upstream.split("/src/main/java/", 1)[1]] = blob
    have = {str(p.relative_to(src)) for p in src.rglob("*.java")}
    assert have == set(listed), (sorted(have - set(listed)), sorted(set(listed) - have))
    changed = [path for path, blob in listed.items() if git_blob_id((src / path).read_bytes()) != blob]
    assert changed == [], f"changed from the operator's release-1.15.0: {changed}"
    assert "org/apache/flink/kubernetes/operator/validation/DefaultValidator.java" in listed


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_operator_accepts_every_flink_resource(overlay, results):
    """DefaultValidator finds nothing, and FlinkConfigBuilder makes the configuration the operator
    would deploy: the image, parallelism, HA and state directories the manifest means."""
    found = results[overlay]
    assert [r["object"]["kind"] for r in found] == ["FlinkDeployment"]
    for r in found:
        assert r["error"] is None, f"{r['id']}: {r['error']}"
        assert r["configError"] is None, f"{r['id']}: {r['configError']}"
        spec, conf = r["object"]["spec"], r["config"]
        assert conf["kubernetes.container.image.ref"] == spec["image"]
        assert conf["$internal.flink.version"] == spec["flinkVersion"] == "v2_2"
        assert conf["parallelism.default"] == str(spec["job"]["parallelism"])
        assert conf["$internal.application.main"] == spec["job"]["entryClass"]
        assert conf["high-availability.type"] == "kubernetes"
        assert conf["high-availability.cluster-id"] == r["object"]["metadata"]["name"]
        for key in ("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir"):
            assert conf[key] == spec["flinkConfiguration"][key]


def test_there_are_planted_overlays():
    assert len(planted_overlays()) >= 3


@pytest.mark.parametrize("name", planted_overlays())
def test_the_operator_refuses_the_planted_overlay(name, results):
    """Valid for the CRD's schema (so the schema checks alone let it through); refused by the
    operator's DefaultValidator, for the reason its header states."""
    (r,) = results[name]
    assert dc.schema_errors(r["object"]) == [], "the planted overlay must pass the CRD's schema"
    expected = header(PLANTED / name / "kustomization.yaml", "error")
    assert r["error"] is not None and expected in r["error"], (expected, r["error"])
