"""The package's import graph has no circle: every import, at module level or inside a function,
from one module of flinkfast to another (a module's import of its own package does not count:
that is how a package's __init__ and its modules share names)."""
from __future__ import annotations

import ast
from pathlib import Path

from flinkfast.config import REPO_ROOT

PACKAGE = REPO_ROOT / "flinkfast"


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("flinkfast", *path.relative_to(PACKAGE).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    graph = {}
    for name, path in mods.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        expanded = set()
        for d in deps:  # importing a.b.c imports a.b as well
            parts = d.split(".")
            expanded.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
        graph[name] = {d for d in expanded if d in mods and d != name and not name.startswith(d + ".")}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, path = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_checker_finds_a_circle():
    planted = {"flinkfast.accounting.health": {"flinkfast.pipeline.submit"}, "flinkfast.pipeline.submit": {"flinkfast.stack"},
               "flinkfast.stack": {"flinkfast.stack.cli"}, "flinkfast.stack.cli": {"flinkfast.accounting.health"}}
    assert circles(planted) == [["flinkfast.accounting.health", "flinkfast.pipeline.submit", "flinkfast.stack", "flinkfast.stack.cli",
                                 "flinkfast.accounting.health"]]


def test_the_package_has_no_import_circle():
    graph = import_graph()
    assert len(graph) > 30 and graph["flinkfast.accounting.health"], "the graph was read"
    assert not circles(graph), circles(graph)
