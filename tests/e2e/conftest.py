"""Fixtures of the end-to-end tier only (the stack itself is tests/conftest.py's)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CHROMIUM, chromium


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium for these tests "
                    "(python3 -m flinkfast.bootstrap --tests)")
    with chromium() as b:
        yield b
