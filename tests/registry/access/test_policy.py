"""The policy layer's building blocks: a scope filters lists and admits records by one rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.access import policy
from registry.access.auth import ANONYMOUS, Principal, Role
from registry.errors import Forbidden

FIELDS = st.sampled_from(["province", "institution", "status"])
VALUES = st.sampled_from(["11", "31", "A", "B"])


@given(st.dictionaries(FIELDS, VALUES), st.dictionaries(FIELDS, VALUES))
def test_admits_is_the_query_read_as_a_predicate(
    match: dict[str, str], doc: dict[str, str]
) -> None:
    scope = policy.Scope(match)
    query = scope.query()
    assert scope.admits(doc) == all(doc.get(k) == v for k, v in query.items())


@given(st.dictionaries(FIELDS, VALUES))
def test_nothing_admits_nothing(doc: dict[str, str]) -> None:
    assert not policy.NOTHING.admits(doc)
    assert policy.NOTHING.query() == {"_id": {"$in": []}}
    assert policy.EVERYTHING.admits(doc)


def test_a_refusal_is_forbidden_with_its_reason() -> None:
    decision = policy.by_role(ANONYMOUS, {Role.OFFICE_ADMIN}, "publishBatch")
    assert not decision.allowed and not decision.scope.admits({})
    with pytest.raises(Forbidden) as refused:
        decision.require()
    assert refused.value.code == "FORBIDDEN"
    assert refused.value.message == (
        "publishBatch may be called by OFFICE_ADMIN; you are the public (no token)"
    )
    office = Principal(Role.OFFICE_ADMIN, "office")
    assert policy.by_role(office, {Role.OFFICE_ADMIN}, "x").require().allowed


def test_check_resource_narrows_to_the_scope() -> None:
    mine = policy.allow(policy.Scope({"province": "11"}))
    assert policy.check_resource(mine, {"province": "11"}, "no").allowed
    assert policy.check_resource(mine, None, "no").allowed
    outside = policy.check_resource(mine, {"province": "31"}, "not yours")
    assert not outside.allowed and outside.reason == "not yours"


def test_a_rule_asks_the_role_then_every_check_on_a_resource() -> None:
    seen: list[str] = []

    def same_province(principal: Principal, action: str, doc: object) -> str | None:
        seen.append(action)
        assert isinstance(doc, dict)
        return None if doc.get("province") == principal.province else "not yours"

    decide = policy.rule(
        {Role.PROVINCIAL_REVIEWER},
        same_province,
        scope=lambda p: policy.Scope({"province": p.province}),
    )
    mine = Principal(Role.PROVINCIAL_REVIEWER, "p", province="11")
    assert not decide(ANONYMOUS, "x", {"province": "11"}).allowed and seen == []
    listing = decide(mine, "x", None)
    assert listing.allowed and listing.scope.query() == {"province": "11"} and seen == []
    assert decide(mine, "x", {"province": "11"}).allowed
    refused = decide(mine, "x", {"province": "31"})
    assert not refused.allowed and refused.reason == "not yours" and seen == ["x", "x"]
    anyone = policy.rule(None)
    assert anyone(ANONYMOUS, "x", {"province": "31"}).allowed


def test_an_authorizer_raises_the_refusal_for_the_store() -> None:
    decide = policy.rule({Role.OFFICE_ADMIN})
    check = policy.authorizer(decide, ANONYMOUS, "close")
    with pytest.raises(Forbidden) as refused:
        check({"_id": "a"})
    assert refused.value.code == "FORBIDDEN" and "close may be called by OFFICE_ADMIN" in (
        refused.value.message
    )
    policy.authorizer(decide, Principal(Role.OFFICE_ADMIN, "o"), "close")({"_id": "a"})


def test_narrow_adds_the_scope_to_a_query_and_leaves_everything_alone() -> None:
    query = {"year": 2026}
    assert policy.EVERYTHING.narrow(query) == query
    mine = policy.Scope({"province": "11"}).narrow(query)
    assert mine == {"$and": [{"year": 2026}, {"province": "11"}]}
    assert policy.NOTHING.narrow(query) == {"$and": [{"year": 2026}, {"_id": {"$in": []}}]}
