"""Limits checked on the parsed query before validation or execution, in one bounded walk.

Why a walk of our own and not only validation rules: it has the variables (so `first: $n` costs
what it asks for, as GitHub computes it), it guards against fragment cycles before graphql-core's
own rules see them, and it refuses field-duplication and alias floods before the quadratic
OverlappingFieldsCanBeMerged rule runs on them.

Cost: every field costs 1; a connection or list field asked for `first: N` multiplies what is
selected under it by N. A query may cost at most MAX_COST.
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
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

MAX_DEPTH = 15  # GraphiQL's introspection query needs 13
MAX_ALIASES = 30
MAX_DIRECTIVES = 10
MAX_FIELDS = 300
MAX_COST = 10_000
MAX_FIRST = 100


class LimitExceeded(Exception):
    def __init__(self, code: str, message: str, limit: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.limit = limit


@dataclass
class Analysis:
    operation: OperationDefinitionNode | None
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    fields: int = 0
    spreads: int = 0
    cost: int = 0
    personal: bool = False
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


def _first(field: FieldNode, variables: dict[str, Any], result: Analysis) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                result.reads_variables = True
                given = variables.get(value.name.value)
                return given if isinstance(given, int) else None
    return None


def analyse(
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    personal: frozenset[str] = frozenset(),
) -> Analysis:
    """Measure the operation; raises `LimitExceeded` as soon as a limit is passed. `personal`:
    the top-level fields marked `@personal` (`schema.personal.personal_root_fields`); asking for
    one sets `Analysis.personal`."""
    operation = select_operation(document, operation_name)
    result = Analysis(operation)
    if operation is None:
        return result  # validation will say what is wrong with the operation name
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _Walker(result, fragments, variables or {}, personal)
    walker.count_directives(operation)
    walker.walk(operation.selection_set, 1, 1, frozenset())
    return result


def _over(count: int, limit: int, code: str, message: str) -> None:
    if count > limit:
        raise LimitExceeded(code, message, limit)


class _Walker:
    """One bounded walk over an operation's selections, counting into an `Analysis`."""

    def __init__(
        self,
        result: Analysis,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        personal: frozenset[str],
    ) -> None:
        self.result = result
        self.fragments = fragments
        self.variables = variables
        self.personal = personal

    def count_directives(self, node: Any) -> None:
        self.result.directives += len(getattr(node, "directives", None) or ())
        _over(
            self.result.directives,
            MAX_DIRECTIVES,
            "TOO_MANY_DIRECTIVES",
            f"a query may use at most {MAX_DIRECTIVES} directives",
        )

    def walk(
        self,
        selection_set: SelectionSetNode | None,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
    ) -> None:
        if selection_set is None:
            return
        _over(depth, MAX_DEPTH, "QUERY_TOO_DEEP", f"a query may nest at most {MAX_DEPTH} levels")
        self.result.depth = max(self.result.depth, depth)
        for selection in selection_set.selections:
            self.count_directives(selection)
            if isinstance(selection, FieldNode):
                self.field(selection, depth, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                self.walk(selection.selection_set, depth, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                self.spread(selection, depth, multiplier, seen)

    def field(self, field: FieldNode, depth: int, multiplier: int, seen: frozenset[str]) -> None:
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
        if depth == 1 and field.name.value in self.personal:
            result.personal = True
        result.cost += multiplier
        _over(
            result.cost,
            MAX_COST,
            "QUERY_TOO_COSTLY",
            f"the query would cost more than {MAX_COST} points (a connection multiplies what it "
            "selects by its `first`)",
        )
        first = _first(field, self.variables, result)
        inner = multiplier * max(1, min(first, MAX_FIRST)) if first is not None else multiplier
        self.walk(field.selection_set, depth + 1, inner, seen)

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
            self.walk(fragment.selection_set, depth, multiplier, seen | {name})
