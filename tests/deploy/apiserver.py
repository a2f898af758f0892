"""A real kube-apiserver (v1.34.2 over an in-process etcd, deploy/k8s/tools/apiserver) for
`kubectl apply --server-side --dry-run=server`: built by setup into .cache/apiserver/, started on
loopback, given the CRDs the manifests use (rebuilt from the operators' schemas, as
tests/deploy/test_deploy_crd_rules.py does) and their namespaces, then sent every object."""
from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy import deploy_checks as dc
from tests.deploy.deploy_checks import REPO
from tests.deploy.test_deploy_crd_rules import structural

TOOL = REPO / "deploy" / "k8s" / "tools" / "apiserver"
BINARY = REPO / ".cache" / "apiserver" / "apiserver"
READY_SECONDS = 180


class Unavailable(Exception):
    """The binary is not built (or is stale): a reason to skip, not a failure."""


def binary() -> Path:
    """The binary setup built (`python -m flinkfast.bootstrap --tests`), if it is there and not older than its
    sources. The tests do not build it: that is minutes of compiling and about 2 GB of Go build cache."""
    build = f"python -m flinkfast.bootstrap --tests, or: cd {TOOL.relative_to(REPO)} && go build -o {BINARY} ."
    if not BINARY.is_file():
        raise Unavailable(f"{BINARY.relative_to(REPO)} is missing: no server-side dry run (build it: {build})")
    sources = [*TOOL.glob("*.go"), TOOL / "go.mod", TOOL / "go.sum"]
    if BINARY.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        raise Unavailable(f"{BINARY.relative_to(REPO)} is older than its sources: no server-side dry run (rebuild it: {build})")
    return BINARY


class Server:
    """One API server in `folder`; `kubectl(...)` runs kubectl against it; `stop()` ends it by its pid."""

    def __init__(self, program: Path, folder: Path):
        self.folder = folder
        self._log = open(folder / "apiserver.log", "w")
        self.proc = subprocess.Popen([str(program), str(folder / "state")], stdout=subprocess.PIPE,
                                     stderr=self._log, text=True, start_new_session=True)
        self.kubeconfig = folder / "state" / "kubeconfig"
        line = self._first_line()
        if line != "ready":
            self.stop()
            raise RuntimeError(f"the API server did not start ({line or 'no output'}): see {folder / 'apiserver.log'}")

    def _first_line(self) -> str:
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=READY_SECONDS):
            return f"not ready within {READY_SECONDS} s"
        return self.proc.stdout.readline().strip()

    def kubectl(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([dc.kubectl(), f"--kubeconfig={self.kubeconfig}", *args], input=stdin,
                              capture_output=True, text=True, timeout=300)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[Server]:
    """A server in `folder` for a fixture, stopped at the end; the test skipped when the binary is not there."""
    try:
        program = binary()
    except Unavailable as e:
        pytest.skip(str(e))
    s = Server(program, folder)
    try:
        yield s
    finally:
        s.stop()


def crd(obj: dict) -> dict:
    """A namespaced CRD for `obj`'s kind, its schema the operator's (../shared/k8s-schemas or tests/deploy/schemas)."""
    group, version = dc.group_version(obj)
    kind = obj["kind"]
    plural = kind.lower() + "s"
    schema = structural(json.loads(dc.schema_path(obj).read_text()))
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": kind + "List"},
                     "versions": [{"name": version, "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema}, "subresources": {"status": {}}}]}}


def prepare(server: Server, objs: list[dict]) -> None:
    """Install the CRDs `objs` need and create their namespaces, for real (the dry run needs both to exist)."""
    crds = {c["metadata"]["name"]: c for c in (crd(o) for o in objs if dc.is_custom(o))}
    if crds:
        _apply(server, list(crds.values()))
        r = server.kubectl("wait", "--for=condition=Established", "--timeout=120s",
                           *[f"crd/{name}" for name in crds])
        assert r.returncode == 0, f"the CRDs were not established: {r.stderr.strip()}"
    namespaces = sorted({o["metadata"]["namespace"] for o in objs if o.get("metadata", {}).get("namespace")})
    _apply(server, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in namespaces])


def _apply(server: Server, objs: list[dict]) -> None:
    r = server.kubectl("apply", "--server-side", "-f", "-", stdin=_list(objs))
    assert r.returncode == 0, f"kubectl apply of {len(objs)} setup objects failed: {r.stderr.strip()}"


def dry_run(server: Server, objs: list[dict]) -> subprocess.CompletedProcess:
    """`kubectl apply --server-side --dry-run=server` of every object, in one call."""
    return server.kubectl("apply", "--server-side", "--dry-run=server", "--field-manager=flinkfast-dry-run",
                          "-f", "-", stdin=_list(objs))


def _list(objs: list[dict]) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": objs})
