"""Who before what (issue 14, item 13): a caller who may not call a mutation learns that and
nothing else, whatever its input; permission is decided before the input is validated.

The walk is derived from the schema, so a new mutation is attacked the day it is added: every
mutation of the schema, with input that is invalid in every argument (two ways), anonymously and
with every role the policy layer does not name. The roles a mutation allows are read from the
policy's own refusal of the public (`by_role` names them); the public may call a mutation only
when its description says so ("Roles: anyone, including the public").
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)

from registry.access.auth import Role
from registry.storage.db import Database
from schema.build import schema
from tests.client import post
from tests.factories import application, make_tokens, make_uscc

REFUSED = {"FORBIDDEN", "UNAUTHENTICATED"}
CALLERS: dict[Role, tuple[Any, ...]] = {
    Role.OFFICE_ADMIN: (Role.OFFICE_ADMIN, None, None),
    Role.CETTIC_REVIEWER: (Role.CETTIC_REVIEWER, None, None),
    Role.PROVINCIAL_REVIEWER: (Role.PROVINCIAL_REVIEWER, None, "35"),
    Role.TRAINING_INSTITUTION: (Role.TRAINING_INSTITUTION, make_uscc(901), None),
    Role.EVALUATION_INSTITUTION: (Role.EVALUATION_INSTITUTION, make_uscc(902), None),
    Role.MINISTRY_RECOMMENDER: (Role.MINISTRY_RECOMMENDER, None, None, "MIIT"),
}

# Two kinds of invalid value per scalar: empty or negative, and garbage or out of range.
SCALARS: dict[str, tuple[Any, Any]] = {
    "String": ("", "\t?!" * 700),
    "ID": ("", "?!"),
    "Int": (-1, 2_000_000_000),
    "Float": (-1.0, 1e15),
    "Boolean": (False, True),
    "Date": ("1900-01-01", "2999-12-31"),
    "DateTime": ("1900-01-01T00:00:00Z", "2999-12-31T00:00:00Z"),
}


def invalid(kind: GraphQLInputType, variant: int) -> Any:
    """A value of `kind` that the schema accepts and every domain rule should refuse."""
    if isinstance(kind, GraphQLNonNull):
        return invalid(kind.of_type, variant)
    if isinstance(kind, GraphQLList):
        return [invalid(kind.of_type, variant)]
    if isinstance(kind, GraphQLEnumType):
        return list(kind.values)[-variant]
    if isinstance(kind, GraphQLInputObjectType):
        return {name: invalid(f.type, variant) for name, f in kind.fields.items()}
    assert isinstance(kind, GraphQLScalarType), kind
    return SCALARS[kind.name][variant]


def document(name: str, field: GraphQLField) -> str:
    """The mutation with every argument a variable, selecting its payload's problems."""
    decls = ", ".join(f"${a}: {t.type}" for a, t in field.args.items())
    args = ", ".join(f"{a}: ${a}" for a in field.args)
    payload = get_named_type(field.type)
    assert isinstance(payload, GraphQLObjectType)
    selection = "userErrors { field code }" if "userErrors" in payload.fields else "__typename"
    head = f"mutation ({decls})" if decls else "mutation"
    call = f"{name}({args})" if args else name
    return f"{head} {{ {call} {{ {selection} }} }}"


MUTATIONS: dict[str, GraphQLField] = dict(schema._schema.mutation_type.fields)  # type: ignore[union-attr]


def public(field: GraphQLField) -> bool:
    """Whether the mutation's documented roles include the public."""
    roles = (field.description or "").partition("Roles:")[2]
    return "the public" in roles


def refusal(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The top-level refusal of `name`, or None when the caller got any other answer."""
    errors = body.get("errors") or []
    if not errors or errors[0].get("extensions", {}).get("code") not in REFUSED:
        return None
    assert (body.get("data") or {}).get(name) is None, body
    error: dict[str, Any] = errors[0]
    return error


@pytest.fixture(scope="module")
async def tokens_by_role(db: Database) -> dict[Role, str]:
    made = await make_tokens(db, {role.value: spec for role, spec in CALLERS.items()})
    return {Role(label): token for label, token in made.items()}


def test_every_mutation_states_its_roles() -> None:
    # The walk reads the public's right from the description; a mutation without one is unread.
    unstated = sorted(n for n, f in MUTATIONS.items() if "Roles:" not in (f.description or ""))
    assert unstated == []


@pytest.mark.parametrize("name", sorted(n for n, f in MUTATIONS.items() if not public(f)))
@pytest.mark.parametrize("variant", [0, 1])
async def test_the_public_is_refused_before_its_input_is_read(
    http: httpx.AsyncClient, db: Database, name: str, variant: int
) -> None:
    field = MUTATIONS[name]
    variables = {a: invalid(t.type, variant) for a, t in field.args.items()}
    audit_before = await db.audit_log.count_documents({})
    body = await post(http, None, document(name, field), **variables)
    assert refusal(body, name) is not None, (name, body)
    assert await db.audit_log.count_documents({}) == audit_before


@pytest.mark.parametrize("name", sorted(n for n, f in MUTATIONS.items() if not public(f)))
async def test_every_role_the_policy_does_not_name_is_refused_before_its_input_is_read(
    http: httpx.AsyncClient, db: Database, tokens_by_role: dict[Role, str], name: str
) -> None:
    field = MUTATIONS[name]
    query = document(name, field)
    first = {a: invalid(t.type, 0) for a, t in field.args.items()}
    denied = refusal(await post(http, None, query, **first), name)
    assert denied is not None, name
    named = {role for role in Role if role.value in denied["message"]}
    assert named, f"{name}: the refusal names no role: {denied['message']}"
    audit_before = await db.audit_log.count_documents({})
    for role in sorted(set(Role) - named):
        for variant in (0, 1):
            variables = {a: invalid(t.type, variant) for a, t in field.args.items()}
            body = await post(http, tokens_by_role[role], query, **variables)
            assert refusal(body, name) is not None, (name, role, variant, body)
    assert await db.audit_log.count_documents({}) == audit_before


def test_the_walk_reaches_every_mutation() -> None:
    # The two walks above cover every mutation but the public ones, and there is one public.
    assert len(MUTATIONS) > 30
    assert sorted(n for n, f in MUTATIONS.items() if public(f)) == ["lodgeObjection"]


APPLICATION_MUTATIONS = ["applyForListing", "resubmitApplication", "renewListing"]


@pytest.mark.parametrize("name", APPLICATION_MUTATIONS)
async def test_an_institution_acting_for_another_is_refused_before_its_input_is_read(
    http: httpx.AsyncClient, db: Database, tokens_by_role: dict[Role, str], name: str
) -> None:
    # The right role, another institution's code (written loosely), every other field invalid.
    other = make_uscc(903)
    wrong = application(
        " ".join([other[:9], other[9:].lower()]),
        name="",
        contactPhone="x",
        experienceYears=-1,
        yearlyCount=-1,
        scope=[{"occupation": "9-99-99-99", "level": "JUNIOR"}],
        fees=[],
    )
    query = f"""mutation ($input: InstitutionApplicationInput!) {{
      {name}(input: $input) {{ userErrors {{ code }} }} }}"""
    body = await post(http, tokens_by_role[Role.EVALUATION_INSTITUTION], query, input=wrong)
    denied = refusal(body, name)
    assert denied is not None and denied["extensions"]["code"] == "FORBIDDEN", body
    assert "only for itself" in denied["message"] or "its own" in denied["message"]
