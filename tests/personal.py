"""Requests for every field marked `@personal`, built from the schema itself, so that the privacy
tests cover a personal field as soon as it is marked (and a new marked field with an argument
they cannot fill fails them until `VALUES` learns it)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, get_named_type

from schema.build import schema
from schema.personal import personal_root_fields

HOLDER = "张三"


def _values(id_number: str) -> dict[str, Any]:
    return {
        "idNumber": id_number,
        "holderName": HOLDER,
        "number": "Z350001261010000015",
        "year": 2024,
        "session": "no-such-session",
    }


def personal_requests(id_number: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """For each personal Query field: a query asking for it with every argument as a variable,
    and the variables (the ID number, where it takes one, is `id_number`)."""
    query_type = schema._schema.query_type
    assert query_type is not None
    values = _values(id_number)
    requests = {}
    for name in sorted(personal_root_fields(schema._schema)):
        field = query_type.fields[name]
        declared = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
        passed = ", ".join(f"{a}: ${a}" for a in field.args)
        selection = (
            " { __typename }" if isinstance(get_named_type(field.type), GraphQLObjectType) else ""
        )
        query = f"query ({declared}) {{ {name}({passed}){selection} }}"
        requests[name] = (query, {a: values[a] for a in field.args})
    return requests
