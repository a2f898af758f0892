"""The package's shape, checked statically: what the README's Layout promises, and that every
`module.name` the code uses between the project's modules exists (a moved function otherwise
fails only when that line runs, as `submit.Stack` once did in `flinkfast skip`)."""
from __future__ import annotations

import ast
import importlib

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
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                seen += 1
                module = importlib.import_module(aliases[node.value.id])
                if not hasattr(module, node.attr):
                    missing.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} {aliases[node.value.id]}.{node.attr}")
    assert seen > 100, "the check found the references"
    assert not missing, missing


def test_the_readme_layout_names_every_module():
    layout = (REPO_ROOT / "README.md").read_text().split("## Layout", 1)[1]
    unnamed = [p.relative_to(REPO_ROOT / "flinkfast").as_posix() for p in (REPO_ROOT / "flinkfast").rglob("*.py")
               if p.name not in ("__init__.py", "__main__.py") and p.name not in layout]
    assert not unnamed, f"modules missing from the README's Layout: {unnamed}"
