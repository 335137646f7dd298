"""Personal data, declared once: a field that answers a named person's data carries `@personal`.

Everything else derives from the marker, read once from the built schema: the personal rate limit
and `Cache-Control: no-store` (`personal_root_fields`, used by service/graphql_http.py), the
access log's `personal` flag, and the privacy tests. `unmarked` is the check that a field which
by its shape is personal (it takes an ID number or a holder's name, or answers a holder's record)
carries the marker; tests/schema/test_personal_fields.py holds the schema to it.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type
from strawberry.schema_directive import Location


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Answers a named person's data: rate limited as a personal look-up, never stored "
    "by shared caches.",
)
class Personal:
    pass


PERSONAL = Personal()

# By shape: arguments that name a person, and the field a holder's record is known by.
PERSON_ARGUMENTS = frozenset({"idNumber", "holderName"})
HOLDER_FIELD = "holderName"


def _is_marked(field: Any) -> bool:
    definition = (field.extensions or {}).get("strawberry-definition")
    return any(isinstance(d, Personal) for d in getattr(definition, "directives", None) or ())


def _object_types(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    return [
        t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__")
    ]


def marked(schema: GraphQLSchema) -> frozenset[str]:
    """Every field carrying `@personal`, as `Type.field` coordinates."""
    return frozenset(
        f"{t.name}.{name}"
        for t in _object_types(schema)
        for name, field in t.fields.items()
        if _is_marked(field)
    )


def personal_root_fields(schema: GraphQLSchema) -> frozenset[str]:
    """The Query fields carrying `@personal`: what a request asks for at its top level."""
    query = schema.query_type
    if query is None:
        return frozenset()
    return frozenset(name for name, field in query.fields.items() if _is_marked(field))


def _holds_holder_records(field_type: Any) -> bool:
    named = get_named_type(field_type)
    return isinstance(named, GraphQLObjectType) and HOLDER_FIELD in named.fields


def needs_marker(schema: GraphQLSchema) -> frozenset[str]:
    """Fields that are personal by their shape: any field taking an ID number, a holder's name, or
    a name with a number; and any Query field answering a type that holds a holder's records."""
    found = set()
    for t in _object_types(schema):
        for name, field in t.fields.items():
            args = set(field.args)
            if args & PERSON_ARGUMENTS or {"name", "number"} <= args:
                found.add(f"{t.name}.{name}")
    query = schema.query_type
    for name, field in (query.fields if query else {}).items():
        if _holds_holder_records(field.type):
            found.add(f"{query.name}.{name}")  # type: ignore[union-attr]
    return frozenset(found)


def unmarked(schema: GraphQLSchema) -> frozenset[str]:
    """Fields personal by their shape that lack `@personal` (empty when the schema is right)."""
    return needs_marker(schema) - marked(schema)
