"""Fixtures of the end-to-end tier only (the stack itself is tests/conftest.py's)."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.e2e import extra_stack as extra
from tests.helpers import CHROMIUM, chromium


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium for these tests "
                    "(python3 -m flinkfast.bootstrap --tests)")
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def extra_stack():
    """The environment of the suite's one extra stack (tests/e2e/extra_stack.py), removed at the end."""
    from flinkfast.paths import REPO_ROOT
    from flinkfast.stack.isolated import isolated_env
    state = REPO_ROOT / ".state" / f"test-extra-{uuid.uuid4().hex[:8]}"  # in .state: passable for postgres
    yield isolated_env(state, **extra.SHAPE)
    extra.run_stack("down", "--purge", env={"FLINKFAST_STATE_DIR": str(state)})  # finds every broker and TaskManager


def pytest_collection_modifyitems(config, items):
    items[:] = extra.in_order(items)
