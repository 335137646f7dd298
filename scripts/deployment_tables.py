"""The two tables of docs/deployment.md that come from the code: every index the registry
creates (`registry/storage/indexes.py`) and every collection's sharding decision
(`registry/storage/sharding.py`) checked against the limits of a sharded collection.

    .venv/bin/python -m scripts.deployment_tables          print both tables
    .venv/bin/python -m scripts.deployment_tables --write  rewrite them in docs/deployment.md

`tests/registry/storage/test_sharding.py` fails when the page differs from what this prints.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from pymongo import IndexModel

from registry.storage.collections import Collection
from registry.storage.indexes import INDEXES
from registry.storage.sharding import SHARDING, Sharded

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "deployment.md"
SOURCES = ("registry", "resolvers", "schema", "service")
_WATCH = re.compile(r"Collection\.([A-Z_]+)\]\.watch\(")
_OPTIONS = ("unique", "sparse", "partialFilterExpression", "expireAfterSeconds")


def watched() -> set[Collection]:
    """Collections some code follows with a change stream (`db[Collection.X].watch(`)."""
    found: set[Collection] = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            for name in _WATCH.findall(path.read_text(encoding="utf-8")):
                found.add(Collection[name])
    return found


def keys_of(model: IndexModel) -> list[tuple[str, int | str]]:
    return list(model.document["key"].items())


def unique_indexes(collection: Collection) -> list[IndexModel]:
    return [m for m in INDEXES.get(collection, []) if m.document.get("unique")]


def _keys_text(keys: Iterable[tuple[str, int | str]]) -> str:
    return ", ".join(f"{name}: {kind}" for name, kind in keys)


def _options_text(model: IndexModel) -> str:
    doc = model.document
    return ", ".join(f"{name}: {json.dumps(doc[name])}" for name in _OPTIONS if name in doc)


def index_table() -> str:
    lines = ["| collection | index | keys | options |", "| --- | --- | --- | --- |"]
    for collection in Collection:
        lines.append(f"| `{collection}` | `_id_` | `_id: 1` | unique |")
        for model in INDEXES.get(collection, []):
            doc = model.document
            lines.append(
                f"| `{collection}` | `{doc['name']}` | `{_keys_text(keys_of(model))}` "
                f"| {_options_text(model)} |"
            )
    return "\n".join(lines)


def _unique_cell(collection: Collection) -> str:
    names = [str(m.document["name"]) for m in unique_indexes(collection)]
    return ", ".join(f"`{n}`" for n in names) if names else "—"


def sharding_table() -> str:
    follows = watched()
    lines = [
        "| collection | past one replica set | shard key | unique indexes | `_id` unique "
        "across shards | change stream | why |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for collection in Collection:
        decision = SHARDING[collection]
        stream = "followed" if collection in follows else "—"
        if isinstance(decision, Sharded):
            where, key = "sharded", f"`{_keys_text(decision.key)}`"
            id_cell = decision.id_unique or "the key is `_id`"
        else:
            where, key, id_cell = "primary shard", "—", "yes (one shard)"
        lines.append(
            f"| `{collection}` | {where} | {key} | {_unique_cell(collection)} | {id_cell} "
            f"| {stream} | {decision.why} |"
        )
    return "\n".join(lines)


TABLES = {"indexes": index_table, "sharding": sharding_table}


def rendered(page: str) -> str:
    """`page` with each `<!-- generated: NAME -->` … `<!-- end: NAME -->` block rewritten."""
    for name, make in TABLES.items():
        start, end = f"<!-- generated: {name} -->", f"<!-- end: {name} -->"
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        if not pattern.search(page):
            raise SystemExit(f"{PAGE}: no {start} … {end} block")
        page = pattern.sub(lambda _, s=start, e=end, m=make: f"{s}\n{m()}\n{e}", page)
    return page


def main(argv: list[str]) -> None:
    if argv == ["--write"]:
        PAGE.write_text(rendered(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {PAGE}")
        return
    for make in TABLES.values():
        print(make(), end="\n\n")


if __name__ == "__main__":
    main(sys.argv[1:])
