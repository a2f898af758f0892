"""The package's shape, checked statically: what the Layout in docs/architecture.md promises, and
that every `module.name` the code uses between the project's modules exists (a moved function
otherwise fails only when that line runs, as `submit.Stack` once did in `flinkfast skip`)."""
from __future__ import annotations

import ast
import importlib
import re

from flinkfast.paths import REPO_ROOT

FILES = [*sorted((REPO_ROOT / "flinkfast").rglob("*.py")), *sorted((REPO_ROOT / "tests").glob("*.py"))]


def _project_module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> flinkfast module, from `from flinkfast import x` and `import flinkfast.x as y`."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("flinkfast") and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                try:
                    importlib.import_module(full)
                except ImportError:
                    continue  # a function or class, not a module
                out[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("flinkfast.") and alias.asname:
                    out[alias.asname] = alias.name
    return out


def test_every_cross_module_reference_exists():
    missing, seen = [], 0
    for path in FILES:
        tree = ast.parse(path.read_text(), str(path))
        aliases = _project_module_aliases(tree)
        shadowed = _shadowed_references(tree, aliases)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and id(node) not in shadowed):
                seen += 1
                module = importlib.import_module(aliases[node.value.id])
                if not hasattr(module, node.attr):
                    missing.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} {aliases[node.value.id]}.{node.attr}")
    assert seen > 100, "the check found the references"
    assert not missing, missing


def _shadowed_references(tree: ast.AST, aliases: dict[str, str]) -> set[int]:
    """The attribute references inside a function whose parameter has a module alias's name (e.g.
    pytest's `config` in a hook of a file that imports flinkfast's `config`): not the module's."""
    shadowed: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = fn.args
            params = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x} & set(aliases)
            shadowed |= {id(n) for n in ast.walk(fn) if isinstance(n, ast.Attribute)
                         and isinstance(n.value, ast.Name) and n.value.id in params}
    return shadowed


LAYOUT_DOC = REPO_ROOT / "docs" / "architecture.md"


def layout_paths() -> list[str]:
    """The .py paths the Layout's tree names (its first code block), e.g. flinkfast/stack/cli.py.

    One entry per line, two spaces of indent per level: `name/` opens a folder, `name.py` is a
    file in the folders above it; the rest of a line is its description."""
    section = LAYOUT_DOC.read_text().split("\n## Layout", 1)[1]
    block = re.search(r"^```\n(.*?)^```", section, re.S | re.M)
    assert block, f"no code block under ## Layout in {LAYOUT_DOC}"
    folders: list[str] = []
    out = []
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, f"odd indent in the Layout: {line!r}"
        depth, name = indent // 2, line.split()[0].rstrip(",")
        assert depth <= len(folders), f"indented under no folder in the Layout: {line!r}"
        del folders[depth:]
        if name.endswith("/"):
            folders.append(name)
        elif name.endswith(".py"):
            out.append("".join(folders) + name)
    return out


def test_the_layout_names_every_module_at_its_path():
    named = set(layout_paths())
    unnamed = [p.relative_to(REPO_ROOT).as_posix() for p in sorted((REPO_ROOT / "flinkfast").rglob("*.py"))
               if p.name not in ("__init__.py", "__main__.py") and p.relative_to(REPO_ROOT).as_posix() not in named]
    assert not unnamed, f"modules missing from the Layout in docs/architecture.md: {unnamed}"


def test_every_module_the_layout_names_exists():
    named = layout_paths()
    assert len(named) > 40, f"the Layout's tree was read ({len(named)} paths)"
    missing = [p for p in named if not (REPO_ROOT / p).is_file()]
    assert not missing, f"the Layout in docs/architecture.md names files that do not exist: {missing}"
    assert len(named) == len(set(named)), "a module named twice in the Layout"


MODULE_MAX_LINES = 400   # issue 25: a module longer than this holds more than one concern


def test_no_module_of_the_package_is_over_400_lines():
    long = {str(p.relative_to(REPO_ROOT)): n for p in sorted((REPO_ROOT / "flinkfast").rglob("*.py"))
            if (n := len(p.read_text().splitlines())) > MODULE_MAX_LINES}
    assert not long, f"split these by concern: {long}"
