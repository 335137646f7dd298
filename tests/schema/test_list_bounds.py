"""Every list argument and list input field is bounded (issue 15, long lists): a list longer than
its bound is refused before anything runs (422 `LIST_TOO_LONG`, naming the list by its schema
coordinate and its limit), given literally or in variables, at any depth of an input. The bounds
are read from the schema (`schema/list_bounds.py`): a default for every list, and `@maxItems` on
the few that legitimately take more."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationType,
    get_named_type,
    get_nullable_type,
    parse,
)
from hypothesis import given
from hypothesis import strategies as st

from resolvers import api
from schema.build import schema
from schema.limits import Analysis, CostModel, LimitExceeded, analyse
from schema.list_bounds import DEFAULT_MAX_ITEMS, bounds

SCHEMA = schema._schema
MODEL = CostModel.of(SCHEMA)
GROUP_BY = "query ($g: [StatisticsDimension!]) { statistics(groupBy: $g) { trainees } }"
# The lists that legitimately take more than the default, each declaring its own bound (the
# domain's limit, named once in the registry).
DECLARED = {
    "AssessmentBatchInput.results": api.MAX_ROWS,
    "Mutation.addAssessmentBatchPart(results:)": api.MAX_PART_ROWS,
    "TrainingCohortInput.trainees": api.MAX_TRAINEES,
    "Mutation.confirmExamRegistrationList(decisions:)": api.MAX_CAPACITY,
    "InstitutionApplicationInput.scope": api.MAX_SCOPE,
}


def cost(query: str, variables: dict[str, Any] | None = None) -> Analysis:
    return analyse(parse(query), None, variables, MODEL)


def refusal(query: str, variables: dict[str, Any] | None = None) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        cost(query, variables)
    return caught.value


def test_the_attack_of_95000_enum_values_is_refused() -> None:
    # The attack: 893 KB of `groupBy` values, 400-465 ms of server time, charged 2 points.
    refused = refusal(GROUP_BY, {"g": ["PROVINCE"] * 95_000})
    assert (refused.code, refused.limit, refused.argument) == (
        "LIST_TOO_LONG",
        DEFAULT_MAX_ITEMS,
        "Query.statistics(groupBy:)",
    )
    assert refused.extensions == {"limit": 100, "argument": "Query.statistics(groupBy:)"}
    assert "95000 given" in refused.message
    # What a client legitimately sends still passes, and the variable is read, so the endpoint
    # does not remember the analysis of a short list for the same text.
    analysis = cost(GROUP_BY, {"g": ["YEAR", "PROVINCE"]})
    assert analysis.reads_variables
    # Given literally, the same bound (the parser's token limit would stop 95,000 anyway).
    literal = "{ statistics(groupBy: [" + "LEVEL " * 101 + "]) { trainees } }"
    assert refusal(literal).code == "LIST_TOO_LONG"
    assert cost("{ statistics(groupBy: [" + "LEVEL " * 100 + "]) { trainees } }").cost > 0


def test_holidays_and_workdays_are_bounded() -> None:
    query = (
        "mutation ($h: [Date!]!, $w: [Date!]!) { setHolidayArrangement(year: 2030, "
        "holidays: $h, workdays: $w) { userErrors { code } } }"
    )
    day = "2030-01-01"
    assert cost(query, {"h": [day] * 100, "w": [day] * 100}).cost > 0
    assert refusal(query, {"h": [day], "w": [day] * 101}).argument == (
        "Mutation.setHolidayArrangement(workdays:)"
    )


def test_nested_input_lists_are_bounded_literal_or_in_variables() -> None:
    add = "mutation ($i: OccupationInput!) { addOccupation(input: $i) { userErrors { code } } }"
    refused = refusal(add, {"i": {"directions": ["d"] * 101}})
    assert (refused.argument, refused.limit) == ("OccupationInput.directions", DEFAULT_MAX_ITEMS)
    # A variable inside a literal input, and inside a literal list.
    inner = (
        "mutation ($d: [String!]) { addOccupation(input: {directions: $d}) "
        "{ userErrors { code } } }"
    )
    assert refusal(inner, {"d": ["d"] * 101}).argument == "OccupationInput.directions"
    assert cost(inner, {"d": ["d"] * 100}).reads_variables
    # Variables as the items of a literal list: the list's own length counts.
    codes = (
        "mutation ($c: OccupationCodeInput!) "
        "{{ addOccupation(input: {{codes: [{}]}}) {{ __typename }} }}"
    )
    assert cost(codes.format("$c " * 100), {"c": {}}).cost > 0
    assert refusal(codes.format("$c " * 101), {"c": {}}).argument == "OccupationInput.codes"
    # A list two input objects deep.
    draw = (
        "mutation ($i: SupervisionCampaignInput!) { announceSupervisionCampaign(input: $i) "
        "{ userErrors { code } } }"
    )
    path = _path_to(SCHEMA, "DrawRulesInput", "SupervisionCampaignInput")
    assert path is not None
    value = _nest(path, {"provinces": ["11"] * 101})
    assert refusal(draw, {"i": value}).argument == "DrawRulesInput.provinces"


def test_the_legitimate_large_lists_are_accepted() -> None:
    submit = (
        "mutation ($i: AssessmentBatchInput!) { submitAssessmentBatch(input: $i) "
        "{ userErrors { code } } }"
    )
    batch = {"idempotencyKey": "k" * 8, "examDate": "2026-11-01"}
    assert cost(submit, {"i": {**batch, "results": [{}] * api.MAX_ROWS}}).cost > 0
    over = refusal(submit, {"i": {**batch, "results": [{}] * (api.MAX_ROWS + 1)}})
    assert (over.code, over.argument, over.limit) == (
        "LIST_TOO_LONG",
        "AssessmentBatchInput.results",
        api.MAX_ROWS,
    )
    part = (
        'mutation ($r: [AssessmentResultInput!]!) { addAssessmentBatchPart(batchId: "b", '
        "part: 1, results: $r) { userErrors { code } } }"
    )
    assert cost(part, {"r": [{}] * api.MAX_PART_ROWS}).cost > 0
    assert refusal(part, {"r": [{}] * (api.MAX_PART_ROWS + 1)}).limit == api.MAX_PART_ROWS
    cohort = (
        "mutation ($i: TrainingCohortInput!) { submitTrainingCohort(input: $i) "
        "{ userErrors { code } } }"
    )
    assert cost(cohort, {"i": {"trainees": [{}] * api.MAX_TRAINEES}}).cost > 0
    confirm = (
        'mutation ($d: [ListDecisionInput!]!) { confirmExamRegistrationList(session: "s", '
        "decisions: $d) { userErrors { code } } }"
    )
    assert cost(confirm, {"d": [{}] * api.MAX_CAPACITY}).cost > 0


def test_the_declared_bounds_are_the_domains_limits() -> None:
    found = bounds(SCHEMA)
    declared = {where: n for where, n in found.items() if n != DEFAULT_MAX_ITEMS}
    assert declared == DECLARED


# The walk over the whole schema: for each list argument and list input field, a request that
# puts one item more than its bound there is refused naming it, and one at its bound is not.


def _lists(graphql_schema: GraphQLSchema) -> list[tuple[str, Any]]:
    """Every list argument and list input field of the schema, found here independently of
    `schema/list_bounds.py`: (schema coordinate, type of the list)."""
    found = []
    for name, named in graphql_schema.type_map.items():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                for arg, argument in field.args.items():
                    found.append((f"{name}.{field_name}({arg}:)", argument.type))
        if isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                found.append((f"{name}.{field_name}", input_field.type))
    for directive in graphql_schema.directives:
        for arg, argument in directive.args.items():
            found.append((f"@{directive.name}({arg}:)", argument.type))
    return [(where, t) for where, t in found if isinstance(get_nullable_type(t), GraphQLList)]


def _item(list_type: Any) -> Any:
    named = get_named_type(list_type)
    if isinstance(named, GraphQLInputObjectType):
        return {}
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    return "x"


def _path_to(graphql_schema: GraphQLSchema, target: str, start: str) -> list[str] | None:
    """The input fields that lead from input type `start` to input type `target`."""
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    seen = {start}
    while queue:
        name, path = queue.popleft()
        if name == target:
            return path
        named = graphql_schema.type_map[name]
        assert isinstance(named, GraphQLInputObjectType)
        for field_name, input_field in named.fields.items():
            inner = get_named_type(input_field.type)
            if isinstance(inner, GraphQLInputObjectType) and inner.name not in seen:
                seen.add(inner.name)
                queue.append((inner.name, [*path, field_name]))
    return None


def _nest(path: list[str], value: Any) -> Any:
    for name in reversed(path):
        value = {name: value}
    return value


_OPERATIONS = {"query": OperationType.QUERY, "mutation": OperationType.MUTATION}


def _selection_to(graphql_schema: GraphQLSchema, parent: str) -> tuple[str, str]:
    """An operation type and a selection prefix from a root to the object type `parent`."""
    for operation in ("query", "mutation"):
        root = graphql_schema.get_root_type(_OPERATIONS[operation])
        assert root is not None
        queue: deque[tuple[GraphQLNamedType, str]] = deque([(root, "")])
        seen = {root.name}
        while queue:
            named, prefix = queue.popleft()
            if named.name == parent:
                return operation, prefix
            for field_name, field in getattr(named, "fields", {}).items():
                inner = get_named_type(field.type)
                if isinstance(inner, GraphQLObjectType) and inner.name not in seen:
                    seen.add(inner.name)
                    queue.append((inner, f"{prefix}{field_name} {{ "))
    raise AssertionError(f"{parent} is reached from no root")


def _attack(where: str, list_type: Any, count: int) -> tuple[str, dict[str, Any]]:
    """A request putting `count` items in the list `where`, through a variable."""
    items = [_item(list_type)] * count
    if where.startswith("@"):
        directive, arg = where[1:-2].split("(")
        return f"query ($v: {list_type}) {{ __typename @{directive}({arg}: $v) }}", {"v": items}
    if "(" in where:
        parent, rest = where.split(".", 1)
        field, arg = rest[:-2].split("(")
        value, var_type = items, str(list_type)
    else:
        input_type, list_field = where.split(".")
        parent, field, arg, var_type, start = _argument_reaching(input_type)
        path = _path_to(SCHEMA, input_type, start)
        assert path is not None
        value = _nest([*path, list_field], items)
    operation, prefix = _selection_to(SCHEMA, parent)
    inner = f"{field}({arg}: $v) {{ __typename }}"
    closing = "} " * prefix.count("{")
    return f"{operation} ($v: {var_type}) {{ {prefix}{inner} {closing}}}", {"v": value}


def _argument_reaching(input_type: str) -> tuple[str, str, str, str, str]:
    """Some field argument whose input type holds `input_type`: (parent, field, argument, its
    type, its named type)."""
    for name, named in SCHEMA.type_map.items():
        if not isinstance(named, GraphQLObjectType) or name.startswith("__"):
            continue
        for field_name, field in named.fields.items():
            for arg, argument in field.args.items():
                start = get_named_type(argument.type)
                if isinstance(start, GraphQLInputObjectType) and not isinstance(
                    get_nullable_type(argument.type), GraphQLList
                ):
                    if _path_to(SCHEMA, input_type, start.name) is not None:
                        return name, field_name, arg, str(argument.type), start.name
    raise AssertionError(f"no argument takes {input_type}")


@pytest.mark.parametrize("where,list_type", _lists(SCHEMA), ids=[w for w, _ in _lists(SCHEMA)])
def test_every_list_of_the_schema_is_bounded(where: str, list_type: Any) -> None:
    limit = MODEL.bounds[where]  # a list the model has no bound for fails here
    assert 1 <= limit <= api.MAX_CAPACITY
    query, variables = _attack(where, list_type, limit + 1)
    refused = refusal(query, variables)
    assert (refused.code, refused.argument, refused.limit) == ("LIST_TOO_LONG", where, limit)
    query, variables = _attack(where, list_type, limit)
    try:
        cost(query, variables)
    except LimitExceeded as other:  # at its bound, only the cost may refuse it
        assert other.code == "QUERY_TOO_COSTLY", other.message


def test_the_walk_sees_every_list_of_the_schema() -> None:
    # The parametrised walk above covers what the schema has today: at least these.
    found = {where for where, _ in _lists(SCHEMA)}
    assert set(DECLARED) | {"Query.statistics(groupBy:)", "Query.nodes(ids:)"} <= found
    assert found == set(MODEL.bounds)


@given(st.integers(min_value=0, max_value=3 * DEFAULT_MAX_ITEMS))
def test_a_list_is_refused_exactly_when_longer_than_its_bound(count: int) -> None:
    values = ["PROVINCE"] * count
    if count > DEFAULT_MAX_ITEMS:
        assert refusal(GROUP_BY, {"g": values}).code == "LIST_TOO_LONG"
    else:
        assert cost(GROUP_BY, {"g": values}).cost == cost(GROUP_BY, {"g": None}).cost
