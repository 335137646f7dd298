"""`@cost(weight: N)`: what one object a field answers costs, declared on the field (after the
GraphQL cost directive of IBM's specification). A field without it weighs 1. A field that reads
the database once for every object it answers (`node`, `nodes`) weighs what that read costs in
server time, so a request under the cost cap stays under the time it is allowed
(docs/benchmarks.md, "The worst requests under the cost cap").
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema
from strawberry.schema_directive import Location

from schema.declared import declared


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Points charged for each object this field answers (1 when absent).",
)
class Cost:
    weight: int


# One database read per object answered, in points of the cost model: measured at about 1 ms of
# server time a read, and MAX_COST points may take 250 ms (schema/limits.py).
ONE_READ = Cost(weight=50)
# An aggregation over a whole collection (statistics, an institution's year): its time grows with
# the data (one `statistics` about 160 ms on the demo); at most two fit in one request.
AGGREGATION = Cost(weight=4_000)
# The trust bundle, built from every listed institution and signed (about 30 ms on the demo).
SIGNED_BUNDLE = Cost(weight=1_000)
# A row of a connection's page (`edges`, `nodes`): a document read in the page's query and turned
# into an object, about three times what one introspection field costs in server time
# (docs/benchmarks.md, "Again on a quiet machine"). Given to every connection by its shape, so a
# connection declared later cannot go without it.
ROW_WEIGHT = 2
_ROW_FIELDS = ("edges", "nodes")


def _weight(field: Any) -> int | None:
    cost = declared(field, Cost)
    return None if cost is None else cost.weight


def _is_connection(graphql_type: GraphQLObjectType | GraphQLInterfaceType) -> bool:
    return {"edges", "pageInfo"} <= set(graphql_type.fields)


def weights(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """Every field carrying `@cost`, and every connection's rows (`ROW_WEIGHT`), by (type name,
    field name)."""
    found = {}
    for name, graphql_type in schema.type_map.items():
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            rows = _is_connection(graphql_type)
            for field_name, field in graphql_type.fields.items():
                weight = _weight(field)
                if weight is None and rows and field_name in _ROW_FIELDS:
                    weight = ROW_WEIGHT
                if weight is not None:
                    found[(name, field_name)] = weight
    return found
