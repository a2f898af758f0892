"""The Kubernetes image (deploy/image/Dockerfile) holds only what the job and the producer import:
its Python list, deploy/image/requirements.txt, is derived here from the code (a static scan of
the imports of flinkfast_job.py and producer_api.py, through every module of flinkfast/ they
reach, at module level or inside a function) and from what those distributions require in turn
(their metadata in .venv); PyFlink's client part is the one list written by hand (PYFLINK_CLIENT).
Every pin equals requirements.txt's, or the version .venv resolved. The last stage has no build
tool: Maven, a JDK, pip and venv stay in the stages before it."""
from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.deploy_checks import DEPLOY, REPO

DOCKERFILE = DEPLOY / "image" / "Dockerfile"
IMAGE_REQUIREMENTS = DEPLOY / "image" / "requirements.txt"
ENTRY_POINTS = ("flinkfast_job.py", "producer_api.py")
# What PyFlink's Table API client imports when the job is planned and submitted from the
# JobManager (no Python function: the job's function is Java), beside apache-flink itself: found by
# running a job in a clean venv of the image's list (docs/kubernetes.md, "The image"). Not
# apache-flink's declared requirements: Beam, pandas, pyarrow, numpy, ... serve Python functions.
PYFLINK_CLIENT = {"apache-flink-libraries", "py4j", "cloudpickle", "python-dateutil", "pytz",
                  "typing-extensions", "ruamel-yaml"}
# Imported by a distribution of the list when it is there, not required by its metadata.
OPTIONAL = {"crc32c": "kafka-python's C record checksums (flinkfast/events/fingerprint.py imports it too)"}


def pins(path: Path) -> dict[str, str]:
    return {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(), re.M)}


def _module_file(name: str) -> Path | None:
    path = REPO.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def imported_top_levels(entry_points=ENTRY_POINTS) -> dict[str, set[str]]:
    """Third-party top-level module -> the files that import it, over every module of flinkfast/
    the entry points reach (any import statement, wherever it stands)."""
    seen: set[Path] = set()
    todo = [REPO / e for e in entry_points]
    found: dict[str, set[str]] = {}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        parts = path.relative_to(REPO).with_suffix("").parts
        package = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join([*package[:len(package) - node.level + 1], *([node.module] if node.module else [])]) \
                    if node.level else node.module
                names = [base, *(f"{base}.{a.name}" for a in node.names)]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "flinkfast":
                    split = name.split(".")
                    todo += [f for i in range(1, len(split) + 1) if (f := _module_file(".".join(split[:i])))]
                elif top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def with_requirements(names: set[str]) -> set[str]:
    """The distributions and what their metadata requires (markers of this Linux, no extras)."""
    out, todo = set(), list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in out:
            continue
        out.add(name)
        for line in metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return out


def needed() -> set[str]:
    modules = metadata.packages_distributions()
    imported = set()
    for top, where in imported_top_levels().items():
        assert top in modules, f"{top} (imported by {sorted(where)}) is installed by no distribution of .venv"
        imported |= {canonicalize_name(d) for d in modules[top]}
    return {canonicalize_name("apache-flink")} | (with_requirements((imported - {"apache-flink"}) | PYFLINK_CLIENT))


def test_the_image_installs_what_the_job_and_producer_import_and_nothing_more():
    listed = set(pins(IMAGE_REQUIREMENTS))
    want = needed() | set(OPTIONAL)
    assert listed == want, f"missing: {sorted(want - listed)}; not imported: {sorted(listed - want)}"
    assert not {"matplotlib", "plotly", "prometheus-client", "pandas", "apache-beam", "pyarrow", "numpy"} & listed


def test_the_scan_follows_the_code():
    """The scan sees the job's own imports (pyflink, psycopg2) and the producer's (kafka, requests)
    through flinkfast/, and not the dashboard's, which neither entry point reaches."""
    found = imported_top_levels()
    assert {"pyflink", "psycopg2", "kafka", "requests", "dotenv"} <= set(found)
    assert not {"matplotlib", "plotly", "prometheus_client"} & set(found)
    assert "prometheus_client" in imported_top_levels(("flinkfast/dashboard/server.py",))


def test_the_image_pins_are_the_projects():
    """Parity: a name requirements.txt pins has its pin; any other, the version .venv resolved."""
    project = pins(REPO / "requirements.txt")
    for name, version in pins(IMAGE_REQUIREMENTS).items():
        want = project.get(name) or metadata.version(name)
        assert version == want, f"{name}=={version} in deploy/image/requirements.txt, {want} in requirements.txt or .venv"


def stages() -> list[str]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    return re.split(r"^(?=FROM )", text, flags=re.M)[1:]


def test_the_last_stage_has_no_build_tools():
    """Multi-stage: pip and python3-venv in the venv stage (pip removed from the environment
    before it is copied), Maven and the JDK in the jars stage; the last stage installs the
    interpreter alone and copies the environment."""
    *builders, final = stages()
    assert len(builders) >= 2
    installs = re.findall(r"apt-get install -y --no-install-recommends ([^&]+)", final)
    assert [i.split() for i in installs] == [["python3"]], installs
    assert "COPY --from=venv /opt/venv /opt/venv" in final
    for tool in ("pip install", "python3-venv", "mvn ", "maven", "openjdk", "build-essential", "gcc"):
        assert tool not in final, f"{tool!r} in the image's last stage"
    venv = next(s for s in builders if " AS venv" in s.splitlines()[0])
    assert "--no-deps -r /tmp/requirements.txt" in venv and "pip uninstall -y -q pip" in venv
    assert "COPY deploy/image/requirements.txt /tmp/requirements.txt" in venv
