"""The Kubernetes deployment (deploy/), checked without a cluster: every test in this folder is
marked `deploy` (run them alone with `pytest tests/deploy` or `pytest -m deploy`). They need
kubectl (its kustomize renders the overlays), the operators' schemas in ../shared/k8s-schemas
(beside the repository, as CI lays it out) and the jsonschema and kubernetes-validate packages;
no service, no network. A missing one fails the run with what to do, rather than skipping it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy import deploy_checks

HERE = Path(__file__).resolve().parent


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
