"""What an introspection selection costs: the number of fields graphql-core would resolve for it,
counted over the (static) schema itself instead of estimated, and given up as soon as it passes
the budget (so counting is bounded by the cost cap, whatever the query asks).

Each introspection object type has a few list fields; the count follows them over the real types,
fields, arguments and enum values, so `__schema { types { fields { type { fields … } } } }` costs
what it resolves, and GraphiQL's own introspection query what it resolves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    StringValueNode,
)

# (introspection type, field) -> (type of what it answers, the objects it answers for one value)
Children = Callable[[GraphQLSchema, Any], list[Any]]


def _fields(_: GraphQLSchema, t: Any) -> list[Any]:
    return (
        list(t.fields.values()) if isinstance(t, GraphQLObjectType | GraphQLInterfaceType) else []
    )


def _interfaces(_: GraphQLSchema, t: Any) -> list[Any]:
    return list(t.interfaces) if isinstance(t, GraphQLObjectType | GraphQLInterfaceType) else []


def _possible(schema: GraphQLSchema, t: Any) -> list[Any]:
    if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
        return list(schema.get_possible_types(t))
    return []


def _enum_values(_: GraphQLSchema, t: Any) -> list[Any]:
    return list(t.values.values()) if isinstance(t, GraphQLEnumType) else []


def _input_fields(_: GraphQLSchema, t: Any) -> list[Any]:
    return list(t.fields.values()) if isinstance(t, GraphQLInputObjectType) else []


def _of_type(_: GraphQLSchema, t: Any) -> list[Any]:
    return [t.of_type] if isinstance(t, GraphQLList | GraphQLNonNull) else []


def _root(attribute: str) -> Children:
    def children(schema: GraphQLSchema, _: Any) -> list[Any]:
        found = getattr(schema, attribute)
        return [found] if found is not None else []

    return children


LISTS: dict[tuple[str, str], tuple[str, Children]] = {
    ("__Schema", "types"): ("__Type", lambda s, _: list(s.type_map.values())),
    ("__Schema", "queryType"): ("__Type", _root("query_type")),
    ("__Schema", "mutationType"): ("__Type", _root("mutation_type")),
    ("__Schema", "subscriptionType"): ("__Type", _root("subscription_type")),
    ("__Schema", "directives"): ("__Directive", lambda s, _: list(s.directives)),
    ("__Type", "fields"): ("__Field", _fields),
    ("__Type", "interfaces"): ("__Type", _interfaces),
    ("__Type", "possibleTypes"): ("__Type", _possible),
    ("__Type", "enumValues"): ("__EnumValue", _enum_values),
    ("__Type", "inputFields"): ("__InputValue", _input_fields),
    ("__Type", "ofType"): ("__Type", _of_type),
    ("__Field", "args"): ("__InputValue", lambda _, f: list(f.args.values())),
    ("__Field", "type"): ("__Type", lambda _, f: [f.type]),
    ("__InputValue", "type"): ("__Type", lambda _, a: [a.type]),
    ("__Directive", "args"): ("__InputValue", lambda _, d: list(d.args.values())),
}


class TooCostly(Exception):
    """The count passed its budget."""


class Counter:
    """Counts the fields an introspection selection resolves, up to `budget`."""

    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], budget: int
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.budget = budget
        self.count = 0

    def count_field(self, field: FieldNode, kind: str, values: list[Any]) -> None:
        """`field` of introspection type `kind`, resolved once for each of `values`."""
        self.count += len(values)
        if self.count > self.budget:
            raise TooCostly
        child = LISTS.get((kind, field.name.value))
        if child is None or field.selection_set is None:
            return
        inner_kind, children = child
        for value in values:
            self.walk(field.selection_set, inner_kind, children(self.schema, value), frozenset())

    def walk(
        self, selection_set: SelectionSetNode, kind: str, values: list[Any], seen: frozenset[str]
    ) -> None:
        if not values:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.count_field(selection, kind, values)
            elif isinstance(selection, InlineFragmentNode):
                self.walk(selection.selection_set, kind, values, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    self.walk(fragment.selection_set, kind, values, seen | {name})


def introspection_cost(
    schema: GraphQLSchema,
    field: FieldNode,
    fragments: dict[str, FragmentDefinitionNode],
    budget: int,
) -> int | None:
    """The fields `__schema` or `__type(name:)` (the `field`, with its literal name) resolve, or
    None when they pass `budget`. An unknown `__type` name resolves the field alone."""
    counter = Counter(schema, fragments, budget)
    try:
        if field.name.value == "__schema":
            counter.count_field(field, "__Query", [schema])
            if field.selection_set is not None:
                counter.walk(field.selection_set, "__Schema", [schema], frozenset())
        else:
            counter.count_field(field, "__Query", [None])
            found = _named_type(schema, field)
            if found is not None and field.selection_set is not None:
                counter.walk(field.selection_set, "__Type", [found], frozenset())
    except TooCostly:
        return None
    return counter.count


def _named_type(schema: GraphQLSchema, field: FieldNode) -> Any:
    for argument in field.arguments or ():
        if argument.name.value == "name" and isinstance(argument.value, StringValueNode):
            return schema.get_type(argument.value.value)
    # A variable: counted as the largest type, what the worst value would resolve.
    return max(
        (t for t in schema.type_map.values() if hasattr(t, "fields")),
        key=lambda t: len(t.fields),
        default=None,
    )
