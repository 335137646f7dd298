"""Every kind of schema element is described (issue 16 item 4): at least 95 % of the types,
fields, arguments and enum values, counted from the built schema by introspection, as a client
(GraphiQL, a code generator) sees them."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query

from schema.build import build_schema

THRESHOLD = 0.95
# The built-in scalars are described by the GraphQL specification, not by this schema.
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def _described(item: dict[str, Any]) -> bool:
    return bool((item.get("description") or "").strip())


def elements(types: list[dict[str, Any]]) -> dict[str, dict[str, bool]]:
    """Each element of the schema's own types, by kind: its name and whether it is described."""
    out: dict[str, dict[str, bool]] = {"type": {}, "field": {}, "argument": {}, "enum value": {}}
    for t in types:
        if t["name"].startswith("__") or t["name"] in BUILT_IN:
            continue
        out["type"][t["name"]] = _described(t)
        for f in (t.get("fields") or []) + (t.get("inputFields") or []):
            out["field"][f"{t['name']}.{f['name']}"] = _described(f)
            for a in f.get("args") or []:
                out["argument"][f"{t['name']}.{f['name']}({a['name']})"] = _described(a)
        for v in t.get("enumValues") or []:
            out["enum value"][f"{t['name']}.{v['name']}"] = _described(v)
    return out


@pytest.fixture(scope="module")
def schema_elements() -> dict[str, dict[str, bool]]:
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    result = build_schema().execute_sync(query)
    assert result.errors is None and result.data is not None
    return elements(result.data["__schema"]["types"])


@pytest.mark.parametrize("kind", ["type", "field", "argument", "enum value"])
def test_at_least_95_percent_of_each_kind_is_described(
    schema_elements: dict[str, dict[str, bool]], kind: str
) -> None:
    found = schema_elements[kind]
    missing = sorted(name for name, described in found.items() if not described)
    assert len(found) > 0
    share = 1 - len(missing) / len(found)
    assert share >= THRESHOLD, f"{share:.0%} of {len(found)} {kind}s described; not: {missing}"


def test_the_count_sees_an_undescribed_element() -> None:
    types = [
        {
            "name": "Thing",
            "description": "A thing.",
            "fields": [
                {"name": "a", "description": "", "args": [{"name": "x", "description": None}]},
                {"name": "b", "description": "B.", "args": []},
            ],
            "enumValues": None,
        },
        {"name": "String", "description": None},
        {"name": "__Type", "description": None},
    ]
    assert elements(types) == {
        "type": {"Thing": True},
        "field": {"Thing.a": False, "Thing.b": True},
        "argument": {"Thing.a(x)": False},
        "enum value": {},
    }
