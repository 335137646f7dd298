"""No module of the five packages uses another module's private names: neither
`from registry.demo.certificates import _rows` nor `demo_certificates._rows(...)` on a module it
imported. What one module needs of another is that module's public interface. Private modules
(`credentials._jcs`) are a package's own business and are held by import-linter's contract, not
here. Each finding says where it is."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("credentials", "registry", "resolvers", "schema", "service")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _ours(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in PACKAGES


def _imported_modules(tree: ast.AST) -> dict[str, str]:
    """The names a module binds to modules of the packages, with the module each names."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _ours(node.module):
            for alias in node.names:
                if _is_module(f"{node.module}.{alias.name}"):
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and _ours(alias.name):
                    bound[alias.asname] = alias.name
    return bound


def private_uses(source: str, where: str) -> list[str]:
    """Each use in `source` of a private name of another module of the packages."""
    tree = ast.parse(source)
    modules = _imported_modules(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _ours(node.module):
            found += [
                f"{where}:{node.lineno} from {node.module} import {a.name}"
                for a in node.names
                if _private(a.name) and not _is_module(f"{node.module}.{a.name}")
            ]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
            and not _is_module(f"{modules[node.value.id]}.{node.attr}")
        ):
            found.append(f"{where}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            found += private_uses(path.read_text(encoding="utf-8"), where)
    assert found == [], found


def test_the_check_finds_both_forms() -> None:
    source = (
        "from registry.demo import certificates as demo_certificates\n"
        "from registry.demo.certificates import _rows\n"
        "from credentials import _jcs\n"  # a private module: import-linter's business
        "demo_certificates._publish(1)\n"
        "demo_certificates.publish(1)\n"
    )
    assert private_uses(source, "x.py") == [
        "x.py:2 from registry.demo.certificates import _rows",
        "x.py:4 demo_certificates._publish",
    ]
