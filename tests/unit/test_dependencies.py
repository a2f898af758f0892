"""The package needs only requirements.txt: no module of flinkfast/ imports what only the tests
install (requirements-dev.txt: pytest, playwright, hypothesis, ...), at module level or inside a
function. A tool that needs one of them lives in tests/ (e.g. tests/dashboard_cost.py)."""
from __future__ import annotations

import ast
import re
from importlib.metadata import packages_distributions

from flinkfast.paths import REPO_ROOT


def _names(requirements: str) -> set[str]:
    """Distribution names of a requirements file, normalised (its -r includes left out)."""
    text = (REPO_ROOT / requirements).read_text()
    return {re.sub(r"[-_.]+", "-", m).lower() for m in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", text, re.M)}


def test_the_package_imports_nothing_only_the_tests_install():
    test_only = _names("requirements-dev.txt") - _names("requirements.txt")
    assert {"playwright", "pytest", "hypothesis"} <= test_only, "the check read requirements-dev.txt"
    distributions = packages_distributions()   # top-level import name -> the distributions providing it
    found = []
    for path in sorted((REPO_ROOT / "flinkfast").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                dists = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(top, ())}
                if dists & test_only:
                    found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} imports {top} "
                                 f"({', '.join(sorted(dists & test_only))}: requirements-dev.txt only)")
    assert not found, found
