"""Nothing the project says points at what is not there. README.md, docs/*.md and the prose of
the code (comments and docstrings of the Python files, comments of the requirements files, the
Dockerfiles and the Makefile) are read for repository paths, `make` targets and test names; each
must exist. Every relative link of the docs leads to a file (and to a heading there), README.md
stays short, and the architecture picture is the one images/architecture.py draws from the code."""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import io
import re
import tokenize
from functools import cache
from pathlib import Path

from flinkfast.paths import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
PYTHON = [*sorted((REPO_ROOT / "flinkfast").rglob("*.py")), REPO_ROOT / "flinkfast_job.py",
          REPO_ROOT / "producer_api.py", REPO_ROOT / "print_data_postgres.py",
          *sorted((REPO_ROOT / "tests").rglob("*.py"))]
HASH_COMMENTED = [*sorted(REPO_ROOT.glob("requirements*.txt")), *sorted((REPO_ROOT / "docker").rglob("Dockerfile*")),
                  REPO_ROOT / "Makefile"]
README_MAX_LINES = 250

# A repository path: a top-level folder of the repo, then what follows it up to a space or quote.
PATH = re.compile(r"(?<![\w./-])((?:tests|sql|flinkfast|docs|images|udf|docker|deploy)/[\w./*-]*)")
TEST_REF = re.compile(r"(test_\w+\.py)::(test_\w+)")
TEST_WORD = re.compile(r"(?<![\w/.-])(test_\w+)(\.py)?")
MAKE = re.compile(r"\bmake ([a-z][\w-]*)")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
ANCHOR = re.compile(r"\]\(([^)#\s]*)#([^)\s]+)\)")

# "make" as an English verb, not a target.
ENGLISH_AFTER_MAKE = {"a", "an", "the", "it", "them", "to", "for", "or", "first", "sure"}
# Tokens that look like repository paths and are meant as something else: token -> why.
NOT_PATHS = {
    "deploy/flinkfast-producer": "kubectl's deploy/NAME (a Deployment in docs/kubernetes.md), not a file",
}


def python_prose(path: Path) -> str:
    """The comments and docstrings of a Python file (its code is checked by running it)."""
    source = path.read_text()
    parts = [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                parts.append(doc)
    return "\n".join(parts)


def hash_comments(path: Path) -> str:
    return "\n".join(line[line.index("#"):] for line in path.read_text().splitlines() if "#" in line)


@cache
def texts() -> dict[str, str]:
    """Each source of prose, by its path in the repository -> its text."""
    out = {str(p.relative_to(REPO_ROOT)): p.read_text() for p in DOCS}
    out.update({str(p.relative_to(REPO_ROOT)): python_prose(p) for p in PYTHON})
    out.update({str(p.relative_to(REPO_ROOT)): hash_comments(p) for p in HASH_COMMENTED})
    return out


def path_exists(token: str) -> bool:
    """`a/b.py`, a glob (`sql/flink/*.sql`), a placeholder (`sql/NAME`: any), an elision
    (`udf/.../sink/CopyWriter.java`) or a numbered file by its number (`sql/flink/003`)."""
    token = token.rstrip(".,:;")
    token = re.sub(r"/[A-Z]+(?=/|$)", "/*", token.replace("/.../", "/**/"))
    if re.search(r"/\d+$", token):
        token += "_*"
    if "*" in token:
        return any(REPO_ROOT.glob(token))
    return (REPO_ROOT / token).exists()


def defined_tests() -> dict[str, set[str]]:
    """Test file name -> the test functions (and methods) it defines."""
    out: dict[str, set[str]] = {}
    for path in (REPO_ROOT / "tests").rglob("test_*.py"):
        out.setdefault(path.name, set()).update(re.findall(r"^\s*(?:async )?def (test_\w+)", path.read_text(), re.M))
    return out


def test_the_sources_are_read():
    """The guard against a check that silently reads nothing: each kind of source is there."""
    found = texts()
    assert len(found) > 100 and "Makefile" in found and "requirements.txt" in found
    assert "docker/flink/Dockerfile" in found and "flinkfast/pipeline/job.py" in found
    assert "tests/unit/test_docs.py" in found and "README.md" in found


def test_every_repository_path_named_exists():
    missing = sorted({f"{name}: {token}" for name, text in texts().items() for token in PATH.findall(text)
                      if token not in NOT_PATHS and not path_exists(token)})
    assert not missing, f"paths named that are not in the repository (moved? fix the text): {missing}"


def test_every_cited_test_exists():
    tests = defined_tests()
    functions = set().union(*tests.values())
    modules = {name.removesuffix(".py") for name in tests}
    missing = set()
    for name, text in texts().items():
        missing |= {f"{name}: {file}::{test}" for file, test in TEST_REF.findall(text) if test not in tests.get(file, ())}
        for word, is_file in TEST_WORD.findall(text):
            if (word + ".py" not in tests) if is_file else (word not in functions and word not in modules):
                missing.add(f"{name}: {word}{is_file}")
    assert not missing, f"tests named that do not exist (renamed or moved?): {sorted(missing)}"


def test_every_make_target_named_exists():
    targets = set(re.findall(r"^([a-z][\w-]*):", (REPO_ROOT / "Makefile").read_text(), re.M))
    unknown = sorted({f"{name}: make {t}" for name, text in texts().items() for t in MAKE.findall(text)
                      if t not in targets and t not in ENGLISH_AFTER_MAKE})
    assert not unknown, f"make targets named that the Makefile lacks: {unknown}"


def test_every_relative_link_leads_to_a_file():
    broken = []
    for doc in DOCS:
        for target in LINK.findall(doc.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:
            if not (doc.parent / target).exists():
                broken.append(f"{doc.name}: {target}")
    assert not broken, f"links to nothing: {broken}"


def headings(doc: Path) -> set[str]:
    """The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces to
    hyphens, a repeated one numbered); code blocks have none."""
    out: set[str] = set()
    seen: dict[str, int] = {}
    text = re.sub(r"^```.*?^```", "", doc.read_text(), flags=re.S | re.M)
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return out


def test_every_anchor_leads_to_a_heading():
    broken = []
    for doc in DOCS:
        for target, anchor in ANCHOR.findall(doc.read_text()):
            page = doc.parent / target if target else doc
            if page.suffix == ".md" and page.is_file() and anchor not in headings(page):
                broken.append(f"{doc.name}: {target}#{anchor}")
    assert not broken, f"links to a heading that is not there (renamed?): {broken}"


def test_the_readme_is_at_most_250_lines():
    lines = len((REPO_ROOT / "README.md").read_text().splitlines())
    assert lines <= README_MAX_LINES, (f"README.md has {lines} lines, more than {README_MAX_LINES}: "
                                       "move detail into a page of docs/ and link it")


def test_the_architecture_picture_is_drawn_from_the_code_as_it_is():
    """images/architecture.dot is what images/architecture.py draws from the code now (versions,
    ports, names), and images/architecture.png was rendered from that .dot."""
    script = REPO_ROOT / "images" / "architecture.py"
    spec = importlib.util.spec_from_file_location("architecture", script)
    drawing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drawing)
    redraw = "the code changed since the picture was drawn: run `.venv/bin/python images/architecture.py`"
    assert drawing.DOT.read_text() == drawing.dot_text(), f"images/architecture.dot is not what {script.name} draws: {redraw}"
    rendered_from = drawing.png_text(drawing.PNG.read_bytes()).get(drawing.PNG_KEY)
    assert rendered_from == hashlib.sha256(drawing.DOT.read_bytes()).hexdigest(), \
        f"images/architecture.png was not rendered from images/architecture.dot: {redraw}"
