"""The linter's verdict (pyproject.toml [tool.ruff]): errors that are bugs, not taste."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from flinkfast.paths import REPO_ROOT


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    r = subprocess.run([ruff, "check", "flinkfast", "tests", *map(str, REPO_ROOT.glob("*.py"))], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
