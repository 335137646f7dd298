"""`@maxItems(count: N)`: the most items a list argument or list input field takes, declared on it
(as JSON Schema's `maxItems`). Every list of the schema has a bound: `DEFAULT_MAX_ITEMS` unless it
declares its own, read from the schema here, so a list added later is bounded without anyone
remembering to. The cost walk (`schema/limits.py`) refuses a longer list, literal or in variables,
before anything runs: coercing 95,000 enum values took 400-465 ms of server time (issue 15).
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    get_nullable_type,
)
from strawberry.schema_directive import Location

from schema.declared import declared

# Items of a list no declaration raises: above what any list of the schema needs without one (34
# provinces, five statistics dimensions, a year's holidays), and 100 ids of `nodes` (each a read).
DEFAULT_MAX_ITEMS = 100


@strawberry.schema_directive(
    locations=[Location.ARGUMENT_DEFINITION, Location.INPUT_FIELD_DEFINITION],
    description=(
        f"The most items this list takes ({DEFAULT_MAX_ITEMS} when absent); a request with a "
        "longer one is refused before it runs (HTTP 422, code LIST_TOO_LONG)."
    ),
)
class MaxItems:
    count: int


def _is_list(graphql_type: Any) -> bool:
    return isinstance(get_nullable_type(graphql_type), GraphQLList)


def _lists(schema: GraphQLSchema) -> dict[str, Any]:
    """Every list argument (`Type.field(argument:)`, `@directive(argument:)`) and list input field
    (`Input.field`) of the schema by its schema coordinate, with its definition."""
    found: dict[str, Any] = {}
    for name, graphql_type in schema.type_map.items():
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                for arg_name, argument in field.args.items():
                    found[f"{name}.{field_name}({arg_name}:)"] = argument
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                found[f"{name}.{field_name}"] = input_field
    for directive in schema.directives:
        for arg_name, argument in directive.args.items():
            found[f"@{directive.name}({arg_name}:)"] = argument
    return {where: element for where, element in found.items() if _is_list(element.type)}


def bounds(schema: GraphQLSchema) -> dict[str, int]:
    """The most items of every list argument and list input field, by schema coordinate: its
    `@maxItems`, else `DEFAULT_MAX_ITEMS`."""
    found = {}
    for where, element in _lists(schema).items():
        bound = declared(element, MaxItems)
        found[where] = DEFAULT_MAX_ITEMS if bound is None else bound.count
    return found
