"""The shape of the code: no import cycle among the modules of any package (imports inside
functions count too), measured on the import graph import-linter itself uses (grimp); short
functions; every collection named in one place. Each check says where it fails."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
import pytest

from registry.storage.collections import Collection

PACKAGES = ("credentials", "registry", "resolvers", "schema", "service")


def cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """The groups of modules of `package` that import each other in a ring (Tarjan)."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module) & inside:
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            ring = []
            while True:
                member = stack.pop()
                ring.append(member)
                if member == module:
                    break
            if len(ring) > 1:
                found.append(sorted(ring))

    for module in modules:
        if module not in order:
            visit(module)
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_among_the_modules_of(graph: grimp.ImportGraph, package: str) -> None:
    assert cycles(graph, package) == []


def test_the_check_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert cycles(graph, "p") == [["p.a", "p.b"]]


# --- functions stay short, and collections are named in one place ---------------------------

ROOT = Path(__file__).resolve().parents[1]
LONG, TOO_LONG, MAX_LONG = 50, 80, 20


def _functions(packages: tuple[str, ...] = PACKAGES) -> list[tuple[int, str]]:
    found = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    length = node.end_lineno - node.lineno + 1
                    where = f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
                    found.append((length, where))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_function_is_over_80_lines(package: str) -> None:
    over = sorted((n, w) for n, w in _functions((package,)) if n > TOO_LONG)
    assert over == [], over


def test_few_functions_are_over_50_lines() -> None:
    over = sorted(((n, w) for n, w in _functions() if n > LONG), reverse=True)
    assert len(over) <= MAX_LONG, over


def test_collections_are_named_only_in_registry_storage_collections() -> None:
    names = "|".join(sorted(c.value for c in Collection))
    typed = re.compile(rf"\bdb\.({names})\b|\bdb\[\s*[\"']({names})[\"']\s*\]")
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "collections.py" and path.parent.name == "storage":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if typed.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], found[:20]
