"""The counters cannot be left behind: a record of a counted collection is written only by the
audited store (`registry/storage/store.py`), which moves the counters in the same transaction.
Found in the source, so a new workflow that writes one directly fails here, naming the line."""

from __future__ import annotations

import ast
from pathlib import Path

from registry.reports.tally import COUNTED
from registry.storage.collections import Collection
from tests.test_structure import PACKAGES, ROOT

WRITES = {
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "find_one_and_update",
    "find_one_and_replace",
    "find_one_and_delete",
    "bulk_write",
}
STORE = Path("registry/storage/store.py")


def _collection(node: ast.expr) -> str | None:
    """`X` of `db[Collection.X]` (the only way the code names a collection)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Attribute):
        value = node.slice.value
        if isinstance(value, ast.Name) and value.id == "Collection":
            return node.slice.attr
    return None


def direct_writes(source: str, counted: set[str]) -> list[tuple[int, str]]:
    """(line, collection) of each write method called on a counted collection."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
            and (name := _collection(node.func.value)) in counted
        ):
            found.append((node.lineno, f"{name}.{node.func.attr}"))
    return found


def test_counted_collections_are_written_only_by_the_store() -> None:
    counted = {c.name for c in COUNTED}
    assert counted == {"TRAINEES", "BATCHES", "CERTIFICATES"}
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT)
            if where == STORE:
                continue
            for line, what in direct_writes(path.read_text(encoding="utf-8"), counted):
                offenders.append(f"{where}:{line} {what}")
    assert offenders == [], "write these through registry.storage.store"


def test_the_scan_finds_a_direct_write() -> None:
    source = "async def f(db):\n    await db[Collection.CERTIFICATES].update_one({}, {})\n"
    assert direct_writes(source, {Collection.CERTIFICATES.name}) == [(2, "CERTIFICATES.update_one")]
    assert direct_writes(source.replace("CERTIFICATES", "TOKENS"), {"CERTIFICATES"}) == []
