"""The cost model counts what runs (issue 14, item 8): a variable's default is its value, a
connection without `first` costs its maximum, list arguments multiply, introspection costs what it
resolves, and each use of a `@personal` field is counted. Figures come from `analyse` on the real
schema; tests/service/test_worst_requests.py runs the worst requests against the server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import get_introspection_query, parse, validate

from schema.build import schema
from schema.cost import ROW_WEIGHT
from schema.limits import (
    MAX_COST,
    MAX_FIRST,
    ROWS_PER_POINT,
    Analysis,
    CostModel,
    LimitExceeded,
    analyse,
)

MODEL = CostModel.of(schema._schema)
IDS = ", ".join(f'"i{k}"' for k in range(100))


def cost(query: str, variables: dict[str, Any] | None = None) -> Analysis:
    return analyse(parse(query), None, variables, MODEL)


def refused(query: str, variables: dict[str, Any] | None = None) -> str:
    with pytest.raises(LimitExceeded) as caught:
        cost(query, variables)
    return caught.value.code


def test_a_variables_default_is_its_value_when_none_is_given() -> None:
    query = "query ($n: Int! = 100) { occupations(first: $n) { nodes { code } } }"
    # the connection, its rows (ROW_WEIGHT each), a field of each row; was 1 + 1 + 1: the
    # default was not read
    assert cost(query).cost == 1 + 100 * ROW_WEIGHT + 100
    assert cost(query, {"n": 2}).cost == 1 + 2 * ROW_WEIGHT + 2
    assert cost(query).reads_variables  # so the endpoint does not remember it by text alone
    # Variables that fill neither a page size, nor ids, nor rows leave the figures alone: the
    # endpoint keeps remembering a look-up's analysis by its text.
    look_up = (
        "query ($n: String!, $h: String!) { certificate(number: $n, holderName: $h) { number } }"
    )
    assert not cost(look_up, {"n": "Z1", "h": "张三"}).reads_variables


def test_a_connection_without_first_costs_its_maximum() -> None:
    # trainingCohorts keeps `first: Int! = 20` (docs/architecture.md); it is costed at most.
    per_row = ROW_WEIGHT + 1
    assert cost("{ trainingCohorts { nodes { id } } }").cost == 1 + MAX_FIRST * per_row
    assert cost("{ trainingCohorts(first: 3) { nodes { id } } }").cost == 1 + 3 * per_row


@pytest.mark.parametrize("first", ["9" * 5000, "-3", "99999999999"])
def test_a_page_size_of_any_length_costs_at_most_a_full_page(first: str) -> None:
    """A literal Int reaches the walk before its range is checked: 5,000 digits made `int()`
    raise (a 500 for a client's mistake, found by the outside attack)."""
    per_row = ROW_WEIGHT + 1
    query = "{ trainingCohorts(first: " + first + ") { nodes { id } } }"
    assert cost(query).cost == 1 + MAX_FIRST * per_row


def test_list_arguments_multiply() -> None:
    one = cost('{ nodes(ids: ["i0"]) { id } }').cost
    hundred = cost(f"{{ nodes(ids: [{IDS}]) {{ id }} }}").cost
    assert hundred == 100 * one  # each id answers an object, read on its own
    assert cost(f"{{ nodes(ids: [{IDS}]) {{ id }} }}").charge == 100 + 100
    by_variable = cost("query ($i: [ID!]!) { nodes(ids: $i) { id } }", {"i": ["x"] * 100})
    assert by_variable.cost == hundred


def test_the_worst_nodes_request_of_issue_14_is_refused() -> None:
    # 29 aliases × nodes(ids: [100 ids]): 234 points before, 3.5 s of server time on the demo.
    query = "{ " + " ".join(f"a{k}: nodes(ids: [{IDS}]) {{ id }}" for k in range(29)) + " }"
    assert refused(query) == "QUERY_TOO_COSTLY"
    # What still fits: the ids one request may look up, each at the weight of one read.
    per_id = cost('{ nodes(ids: ["i0"]) { id } }').cost
    assert MAX_COST // per_id <= 250


def test_introspection_costs_the_fields_it_resolves() -> None:
    assert cost("{ __typename }").cost == 1
    small = cost('{ __type(name: "Level") { name } }').cost
    assert small == 2
    full = cost(get_introspection_query()).cost
    assert 2_000 < full <= MAX_COST  # GraphiQL's own introspection query fits, once
    # Each counted over the schema: `types` answers every type, `fields` every field of each;
    # 2 points for every 3 fields resolved (here `__schema`, `types` and each type's `name`).
    types = cost("{ __schema { types { name } } }").cost
    resolved = 2 + len(schema._schema.type_map)
    assert types == -(-resolved * 2 // 3)
    thirty = "{ " + " ".join(f"a{k}: __schema {{ types {{ name }} }}" for k in range(30)) + " }"
    assert cost(thirty).cost == 30 * types
    of_type = "type { name kind ofType { name kind ofType { name kind ofType { name } } } }"
    deep = f"__schema {{ types {{ name kind fields {{ name args {{ name {of_type} }} {of_type} }} }} }}"
    one = cost("{ " + deep + " }")
    assert 2_000 < one.cost < MAX_COST < 3 * one.cost
    three = "{ " + " ".join(f"a{k}: {deep}" for k in range(3)) + " }"
    assert refused(three) == "QUERY_TOO_COSTLY"  # was 3 × 30 points
    # The allowance is charged per field selected, as before: GraphiQL can load the schema.
    assert cost(get_introspection_query()).charge < 500
    assert one.charge == 30


def test_personal_fields_are_counted_per_use() -> None:
    look_up = 'certificate(number: "Z1", holderName: "张三") { number }'
    aliased = "{ " + " ".join(f"a{k}: {look_up}" for k in range(30)) + " }"
    assert cost(aliased).personal == 30
    fragments = (
        "{ ...A ...B ... on Query { c: " + look_up + " } } "
        "fragment A on Query { a: " + look_up + " } fragment B on Query { b: " + look_up + " }"
    )
    assert cost(fragments).personal == 3
    training = '{ trainingCertificate(number: "T1", holderName: "张三") { number } }'
    assert cost(training).personal == 1
    assert cost("{ levels { code } }").personal == 0


def test_submissions_are_charged_by_rows() -> None:
    submit = (
        "mutation ($i: AssessmentBatchInput!) { submitAssessmentBatch(input: $i) "
        "{ userErrors { code } } }"
    )
    batch = {"idempotencyKey": "k" * 8, "examDate": "2026-11-01", "results": [{}] * 5000}
    assert cost(submit, {"i": batch}).cost == 3 + 5000 // ROWS_PER_POINT  # was 3
    # Rows given literally, or as a variable inside a literal, count the same.
    rows = "{}, " * 3
    literal = (
        'mutation { submitAssessmentBatch(input: {idempotencyKey: "kkkkkkkk", '
        f'examDate: "2026-11-01", results: [{rows}]}}) {{ userErrors {{ code }} }} }}'
    )
    assert cost(literal).cost == 3 + 2
    nested = (
        "mutation ($r: [AssessmentResultInput!]!) { submitAssessmentBatch(input: "
        '{idempotencyKey: "kkkkkkkk", examDate: "2026-11-01", results: $r}) '
        "{ userErrors { code } } }"
    )
    assert cost(nested, {"r": [{}] * 3}).cost == 3 + 2
    assert cost(nested, {"r": [{}] * 3}).reads_variables
    cohort = (
        "mutation ($i: TrainingCohortInput!) { submitTrainingCohort(input: $i) "
        "{ userErrors { code } } }"
    )
    assert cost(cohort, {"i": {"trainees": [{}] * 5000}}).cost == 3 + 2500


def test_the_parts_of_a_large_batch_are_charged_by_rows() -> None:
    part = (
        "mutation ($id: String!, $r: [AssessmentResultInput!]!) { addAssessmentBatchPart("
        "batchId: $id, part: 1, results: $r) { userErrors { code } } }"
    )
    analysis = cost(part, {"id": "bat_x", "r": [{}] * 1000})
    assert (analysis.cost, analysis.charge) == (3 + 500, 3 + 500)
    # Five parts of 1,000 are charged what one batch of 5,000 is, give or take their frames.
    assert 5 * analysis.charge - 5000 // ROWS_PER_POINT == 5 * 3


def test_the_examples_of_docs_api_md_cost_what_they_say() -> None:
    text = (Path(__file__).parents[2] / "docs/api.md").read_text(encoding="utf-8")
    examples = re.findall(r"^\| `([^`]+)` \| (\d+) \| (\d+) \|$", text, flags=re.MULTILINE)
    assert len(examples) >= 6
    for query, points, charged in examples:
        assert validate(schema._schema, parse(query)) == [], query
        assert (cost(query).cost, cost(query).charge) == (int(points), int(charged)), query
