"""Personal data is declared once, by `@personal` on the field; the check finds a field that is
personal by its shape (an ID number or a holder's name among its arguments, or a holder's record
as its answer) and lacks the marker."""

from __future__ import annotations

import pytest
import strawberry

from schema.build import build_schema, schema
from schema.personal import PERSONAL, Personal, marked, personal_root_fields, unmarked


def test_every_field_personal_by_its_shape_is_marked() -> None:
    assert unmarked(schema._schema) == frozenset()
    assert "Query.trainingCertificate" in marked(schema._schema)  # once left off a hand-kept list
    assert "trainingCertificate" in personal_root_fields(schema._schema)


@pytest.mark.parametrize("coordinate", sorted(marked(schema._schema)))
def test_a_schema_without_one_marker_fails_the_check(coordinate: str) -> None:
    type_name, field_name = coordinate.split(".")
    graphql_type = schema._schema.get_type(type_name)
    definition = graphql_type.fields[field_name].extensions["strawberry-definition"]  # type: ignore[union-attr]
    kept = list(definition.directives)
    definition.directives = [d for d in kept if not isinstance(d, Personal)]
    try:
        variant = build_schema()
        assert unmarked(variant._schema) == {coordinate}
        assert field_name not in personal_root_fields(variant._schema)
    finally:
        definition.directives = kept
    assert unmarked(build_schema()._schema) == frozenset()


@strawberry.type
class Record:
    holder_name: str


def _toy(personal: list[object]) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field(directives=personal)
        def by_id(self, id_number: str) -> str:
            return ""

        @strawberry.field(directives=personal)
        def by_name_and_number(self, name: str, number: str) -> str:
            return ""

        @strawberry.field(directives=personal)
        def record(self) -> list[Record]:
            return []

        @strawberry.field
        def public(self, number: str) -> str:
            return ""

    return strawberry.Schema(query=Query)


def test_the_check_reads_the_shape_of_the_fields() -> None:
    assert unmarked(_toy([])._schema) == {
        "Query.byId",
        "Query.byNameAndNumber",
        "Query.record",
    }
    assert unmarked(_toy([PERSONAL])._schema) == frozenset()
