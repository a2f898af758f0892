"""The documentation cannot point at what is not there: every test it cites exists, every
relative link leads to a file, every `make` target it names is in the Makefile."""
from __future__ import annotations

import re

from flinkfast.paths import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
TEST_REF = re.compile(r"`?(test_\w+\.py)::(test_\w+)")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
MAKE = re.compile(r"`make ([a-z][\w-]*)")


def defined_tests() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in (REPO_ROOT / "tests").rglob("test_*.py"):
        out.setdefault(path.name, set()).update(re.findall(r"^def (test_\w+)", path.read_text(), re.M))
    return out


def test_every_cited_test_exists():
    tests = defined_tests()
    missing = [f"{doc.name}: {file}::{name}" for doc in DOCS for file, name in TEST_REF.findall(doc.read_text())
               if name not in tests.get(file, set())]
    assert not missing, f"the docs cite tests that do not exist: {missing}"


def test_every_relative_link_leads_to_a_file():
    broken = []
    for doc in DOCS:
        for target in LINK.findall(doc.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:
            if not (doc.parent / target).exists():
                broken.append(f"{doc.name}: {target}")
    assert not broken, f"links to nothing: {broken}"


def test_every_make_target_named_exists():
    targets = set(re.findall(r"^([a-z][\w-]*):", (REPO_ROOT / "Makefile").read_text(), re.M))
    unknown = sorted({f"{doc.name}: make {t}" for doc in DOCS for t in MAKE.findall(doc.read_text())
                      if t not in targets})
    assert not unknown, f"the docs name make targets the Makefile lacks: {unknown}"
