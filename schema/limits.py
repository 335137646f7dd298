"""Limits checked on the parsed query before validation or execution, in one bounded walk.

Why a walk of our own and not only validation rules: it has the variables (so `first: $n` costs
what it asks for, as GitHub computes it), it guards against fragment cycles before graphql-core's
own rules see them, and it refuses field-duplication and alias floods before the quadratic
OverlappingFieldsCanBeMerged rule runs on them.

Cost counts what runs, read from the schema as the walk goes (docs/api.md, "Limits, costs and rate
limits"): every field costs its `@cost` weight (1 when it has none) for each object it answers; a
connection multiplies what it selects by its `first` (a variable's default counts; without
`first`, by MAX_FIRST); a list field with a list argument (`nodes(ids:)`) answers, and multiplies
what it selects by, as many objects as the list holds; introspection (`__schema`, `__type`) costs
the fields it resolves, counted over the schema. A query may cost at most MAX_COST, set so that
no request under it takes more than about 250 ms of server time (docs/benchmarks.md).

Every list a request gives (an argument, a field of an input object, at any depth, literal or in
variables) holds at most its bound (`schema/list_bounds.py`: its `@maxItems`, else a default);
a longer one is `LIST_TOO_LONG` before graphql-core coerces it (issue 15).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    value_from_ast_untyped,
)

from resolvers import api
from schema.cost import weights
from schema.input_lists import ListTooLong, holds_lists, rows
from schema.introspection_cost import introspection_cost
from schema.list_bounds import bounds
from schema.personal import marked

MAX_DEPTH = 15  # GraphiQL's introspection query needs 13
MAX_ALIASES = 30
MAX_DIRECTIVES = 10
MAX_FIELDS = 300
MAX_COST = 10_000
MAX_FIRST = 100
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
# Rows of a submission (items of a list of input objects, `results`, `trainees`) per point: each
# passing result costs an Argon2id binding (~20 ms of CPU), so 5,000 points an hour let a client
# submit at most 10,000 rows an hour, and a batch of the largest size (5,000) still fits.
ROWS_PER_POINT = 2
# Points per fields an introspection query resolves: 2 for every 3 (graphql-core resolves them
# from memory; GraphiQL's query, 8,227 fields, took 73 ms on the quiet machine of
# docs/benchmarks.md, so the 15,000 the cap allows stay near 135 ms). At 1 a field, the schema's
# descriptions (issue 16) took GraphiQL's own query past the cap.
INTROSPECTION_POINTS, INTROSPECTION_FIELDS = 2, 3


def _introspection_points(fields: int) -> int:
    """The points of `fields` introspection fields, rounded up."""
    return -(-fields * INTROSPECTION_POINTS // INTROSPECTION_FIELDS)


class LimitExceeded(Exception):
    """A limit the request passes: its code, the limit and, for a list, which argument or input
    field (its schema coordinate, `Query.statistics(groupBy:)`)."""

    def __init__(self, code: str, message: str, limit: int, argument: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.limit = limit
        self.argument = argument

    @property
    def extensions(self) -> dict[str, Any]:
        """What the refusal adds to its `extensions.code`: the limit, and the argument if any."""
        found: dict[str, Any] = {"limit": self.limit}
        if self.argument is not None:
            found["argument"] = self.argument
        return found


@dataclass
class Analysis:
    operation: OperationDefinitionNode | None
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    fields: int = 0
    spreads: int = 0
    cost: int = 0
    # What the request spends of the client's allowance (`x-ratelimit-used`): every field for each
    # object it answers and the rows, as the cost counts them, but without the `@cost` weights and
    # the introspection count, which guard how long one request may take, not how many a client
    # may send (an aggregation or GraphiQL's schema would otherwise eat an hour's allowance).
    charge: int = 0
    # Uses of fields marked `@personal`: each alias, each fragment that selects one, counts.
    personal: int = 0
    # Whether a variable's value went into the figures (`first: $n`): if not, the analysis holds
    # for every request with the same query text and operation name.
    reads_variables: bool = False

    @property
    def operation_type(self) -> str | None:
        return self.operation.operation.value if self.operation else None


_STRINGS_AND_COMMENTS = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*')
_ARGUMENTS = re.compile(r"\([^()]*\)")


def prescan(query: str) -> None:
    """Refuse alias and directive floods before the (pure-Python, ~20 µs a token) parser runs.

    Outside strings, comments and parentheses (arguments, variable definitions), every `:` is
    an alias and every `@` a directive; regular expressions count them at C speed.
    """
    bare = _STRINGS_AND_COMMENTS.sub("", query)
    if bare.count("@") > MAX_DIRECTIVES:
        raise LimitExceeded(
            "TOO_MANY_DIRECTIVES",
            f"a query may use at most {MAX_DIRECTIVES} directives",
            MAX_DIRECTIVES,
        )
    if _ARGUMENTS.sub("", bare).count(":") > MAX_ALIASES:
        raise LimitExceeded(
            "TOO_MANY_ALIASES", f"a query may use at most {MAX_ALIASES} aliases", MAX_ALIASES
        )


def select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _variables(operation: OperationDefinitionNode, given: dict[str, Any]) -> dict[str, Any]:
    """The variables as execution sees them: a default counts when no value is given."""
    values = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            values[definition.variable.name.value] = value_from_ast_untyped(
                definition.default_value
            )
    return {**values, **given}


def analyse(
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    model: CostModel,
) -> Analysis:
    """Measure the operation; raises `LimitExceeded` as soon as a limit is passed. Each use of a
    field marked `@personal` (aliases and fragments included) counts in `Analysis.personal`."""
    operation = select_operation(document, operation_name)
    result = Analysis(operation)
    if operation is None:
        return result  # validation will say what is wrong with the operation name
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = _variables(operation, variables or {})
    walker = _Walker(result, fragments, values, model)
    walker.count_directives(operation)
    root = model.schema.get_root_type(operation.operation)
    walker.walk(operation.selection_set, 1, 1, frozenset(), root)
    return result


def _over(count: int, limit: int, code: str, message: str) -> None:
    if count > limit:
        raise LimitExceeded(code, message, limit)


@dataclass(frozen=True)
class CostModel:
    """What the walk reads from the schema, once: its types, the `@personal` fields, the `@cost`
    weights and the bound of every list (`@maxItems` or the default), all declared on the
    fields and arguments themselves."""

    schema: GraphQLSchema
    personal: frozenset[str]  # `Type.field` coordinates
    weights: dict[tuple[str, str], int]
    bounds: dict[str, int]  # schema coordinates of lists: `Type.field(argument:)`, `Input.field`

    @classmethod
    def of(cls, schema: GraphQLSchema) -> CostModel:
        return cls(schema, marked(schema), weights(schema), bounds(schema))


def _size(value: Any) -> int | None:
    """How many items a list argument holds (a single value is coerced to a list of one)."""
    if isinstance(value, ListValueNode):
        return len(value.values)
    if isinstance(value, list):
        return len(value)
    return None if value is None or isinstance(value, NullValueNode) else 1


def _is_list(field: GraphQLField) -> bool:
    return isinstance(get_nullable_type(field.type), GraphQLList)


def _is_id_list(argument_type: Any) -> bool:
    nullable = get_nullable_type(argument_type)
    return isinstance(nullable, GraphQLList) and get_named_type(nullable) is GraphQLID


class _Walker:
    """One bounded walk over an operation's selections, counting into an `Analysis`."""

    def __init__(
        self,
        result: Analysis,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        model: CostModel,
    ) -> None:
        self.result = result
        self.fragments = fragments
        self.variables = variables
        self.model = model
        self.introspecting = False  # inside `__schema`/`__type`: costed at its root

    def count_directives(self, node: Any) -> None:
        self.result.directives += len(getattr(node, "directives", None) or ())
        _over(
            self.result.directives,
            MAX_DIRECTIVES,
            "TOO_MANY_DIRECTIVES",
            f"a query may use at most {MAX_DIRECTIVES} directives",
        )
        for directive in getattr(node, "directives", None) or ():
            name = directive.name.value
            definition = self.model.schema.get_directive(name)
            if definition is not None:  # an unknown directive: validation says so
                self._lists(directive.arguments, definition.args, f"@{name}")

    def walk(
        self,
        selection_set: SelectionSetNode | None,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
        parent: GraphQLNamedType | None,
    ) -> None:
        if selection_set is None:
            return
        _over(depth, MAX_DEPTH, "QUERY_TOO_DEEP", f"a query may nest at most {MAX_DEPTH} levels")
        self.result.depth = max(self.result.depth, depth)
        for selection in selection_set.selections:
            self.count_directives(selection)
            if isinstance(selection, FieldNode):
                self.field(selection, depth, multiplier, seen, parent)
            elif isinstance(selection, InlineFragmentNode):
                inner = self._condition(selection.type_condition, parent)
                self.walk(selection.selection_set, depth, multiplier, seen, inner)
            elif isinstance(selection, FragmentSpreadNode):
                self.spread(selection, depth, multiplier, seen)

    def _condition(
        self, condition: NamedTypeNode | None, parent: GraphQLNamedType | None
    ) -> GraphQLNamedType | None:
        if condition is None:
            return parent
        return self.model.schema.get_type(condition.name.value)

    def _argument(self, value: Any) -> Any:
        """An argument's value as the walk reads it: a variable's value (or default), else the
        literal node."""
        if isinstance(value, VariableNode):
            self.result.reads_variables = True
            return self.variables.get(value.name.value)
        return value

    def _first(self, field: FieldNode, definition: GraphQLField | None) -> int | None:
        """The page size a connection asks for: `first`/`last` (a variable's default counts), or
        MAX_FIRST when the field takes one and none is given. None for other fields."""
        takes = definition is not None and ("first" in definition.args or "last" in definition.args)
        for argument in field.arguments or ():
            if argument.name.value in ("first", "last"):
                value = self._argument(argument.value)
                if isinstance(value, IntValueNode):
                    # A literal of any length reaches here (the Int range is checked later):
                    # one too long or negative counts as the most a page holds.
                    value = api.whole_number(value.value, 10)
                if isinstance(value, int):
                    return max(1, min(value, MAX_FIRST))
        return MAX_FIRST if takes else None

    def _list_size(self, field: FieldNode, definition: GraphQLField | None) -> int:
        """For a list field taking a list of ids (`nodes(ids:)`), one object for each id: the
        longest such list given. (A list of anything else, `groupBy`, answers no more objects.)"""
        if definition is None or not _is_list(definition):
            return 1
        sizes = [
            _size(self._argument(a.value))
            for a in field.arguments or ()
            if a.name.value in definition.args and _is_id_list(definition.args[a.name.value].type)
        ]
        return max([1, *(s for s in sizes if s is not None)])

    def _rows(self, field: FieldNode, definition: GraphQLField | None, parent: str) -> int:
        """The rows a field is given (a submission's results): items of lists of input objects
        in its arguments, literal or in variables, after checking every list in them against its
        bound (`LIST_TOO_LONG`)."""
        if definition is None:
            return 0
        return self._lists(field.arguments, definition.args, f"{parent}.{field.name.value}")

    def _lists(self, given: Any, arguments: dict[str, Any], owner: str) -> int:
        """Check the lists in the arguments `given` to `owner` (a field's or directive's
        coordinate) against their bounds; the rows they hold."""
        try:
            return sum(
                rows(
                    a.value,
                    arguments[name].type,
                    f"{owner}({name}:)",
                    self.model.bounds,
                    self._argument,
                )
                for a in given or ()
                if (name := a.name.value) in arguments and holds_lists(arguments[name].type)
            )
        except ListTooLong as long:
            raise LimitExceeded("LIST_TOO_LONG", str(long), long.limit, long.where) from None

    def _add_cost(self, points: int) -> None:
        self.result.cost += points
        _over(
            self.result.cost,
            MAX_COST,
            "QUERY_TOO_COSTLY",
            f"the query would cost more than {MAX_COST} points (a connection multiplies what it "
            "selects by its `first`, a list argument by its length)",
        )

    def _count_field(self, field: FieldNode) -> None:
        result = self.result
        result.fields += 1
        _over(
            result.fields,
            MAX_FIELDS,
            "TOO_MANY_FIELDS",
            f"a query may select at most {MAX_FIELDS} fields",
        )
        if field.alias is not None:
            result.aliases += 1
            _over(
                result.aliases,
                MAX_ALIASES,
                "TOO_MANY_ALIASES",
                f"a query may use at most {MAX_ALIASES} aliases",
            )

    def field(
        self,
        field: FieldNode,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
        parent: GraphQLNamedType | None,
    ) -> None:
        self._count_field(field)
        name = field.name.value
        parent_name = parent.name if parent is not None else ""
        if f"{parent_name}.{name}" in self.model.personal:
            self.result.personal += multiplier
        if self.introspecting or name in INTROSPECTION_ROOTS:
            self._introspection(field, depth, multiplier, seen)
            return
        definition = _definition(parent, name)
        size = self._list_size(field, definition)
        weight = self.model.weights.get((parent_name, name), 1)
        rows = -(-self._rows(field, definition, parent_name) // ROWS_PER_POINT)
        self.result.charge += multiplier * (size + rows)
        self._add_cost(multiplier * (size * weight + rows))
        first = self._first(field, definition)
        inner = multiplier * size * (first or 1)
        child = get_named_type(definition.type) if definition is not None else None
        self.walk(field.selection_set, depth + 1, inner, seen, child)

    def _introspection(
        self, field: FieldNode, depth: int, multiplier: int, seen: frozenset[str]
    ) -> None:
        """An introspection field: its root costs what the whole selection resolves (counted over
        the schema); each of its fields is charged one point, as any field."""
        self.result.charge += multiplier
        if self.introspecting:
            self.walk(field.selection_set, depth + 1, multiplier, seen, None)
            return
        points = (MAX_COST - self.result.cost) // multiplier
        budget = points * INTROSPECTION_FIELDS // INTROSPECTION_POINTS
        count = introspection_cost(self.model.schema, field, self.fragments, budget)
        self._add_cost(
            (MAX_COST + 1) if count is None else multiplier * _introspection_points(count)
        )
        self.introspecting = True
        try:
            self.walk(field.selection_set, depth + 1, multiplier, seen, None)
        finally:
            self.introspecting = False

    def spread(
        self, spread: FragmentSpreadNode, depth: int, multiplier: int, seen: frozenset[str]
    ) -> None:
        # Counted too: fragments that only spread other fragments twice each would otherwise
        # expand exponentially without selecting a single field.
        self.result.spreads += 1
        _over(
            self.result.spreads,
            MAX_FIELDS,
            "TOO_MANY_FRAGMENT_SPREADS",
            f"a query may expand at most {MAX_FIELDS} fragment spreads",
        )
        name = spread.name.value
        if name in seen:
            return  # a cycle: NoFragmentCyclesRule reports it during validation
        fragment = self.fragments.get(name)
        if fragment is not None:
            inner = self._condition(fragment.type_condition, None)
            self.walk(fragment.selection_set, depth, multiplier, seen | {name}, inner)


def _definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    fields = getattr(parent, "fields", None)
    if not isinstance(fields, dict):
        return None
    found = fields.get(name)
    return found if isinstance(found, GraphQLField) else None
