"""The Kubernetes deployment (deploy/), checked without a cluster: every test in this folder is
marked `deploy` (run them alone with `pytest tests/deploy` or `pytest -m deploy`). They need
kubectl (its kustomize renders the overlays), the operators' schemas in ../shared/k8s-schemas
(beside the repository, as CI lays it out) and the jsonschema and kubernetes-validate packages;
no service, no network. A missing one fails the run with what to do, rather than skipping it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import deploy_checks

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "deploy: checks of the Kubernetes deployment (deploy/), offline")


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.deploy)


@pytest.fixture(scope="session")
def schemas() -> Path:
    if not (deploy_checks.SCHEMAS / "PROVENANCE.md").is_file():
        pytest.fail(f"the operators' schemas are not at {deploy_checks.SCHEMAS}: the repository's "
                    "CI clone has shared/ beside it (../shared/k8s-schemas)")
    return deploy_checks.SCHEMAS


@pytest.fixture(scope="session")
def rendered(schemas) -> dict[str, list[dict]]:
    """overlay -> its rendered objects."""
    return {overlay: deploy_checks.render(overlay) for overlay in deploy_checks.OVERLAYS}
