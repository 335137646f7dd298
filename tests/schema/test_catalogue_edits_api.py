"""The office's catalogue edits over real HTTP with real tokens: who may edit, the codes of the
refusals, retries, the public history, and a certificate that keeps its occupation as issued."""

from __future__ import annotations

import httpx
import pytest

from registry.access.auth import Role
from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.db import Database
from tests.client import gql, post
from tests.factories import certificates_of_a_new_institution, make_tokens, make_uscc

EDIT = """mutation ($code: String!, $input: OccupationInput!) {
  editOccupation(code: $code, input: $input) {
    replayed occupation { code name version directionsState } userErrors { field code } } }"""
ADD = """mutation ($input: OccupationInput!) { addOccupation(input: $input) {
  replayed occupation { code version } userErrors { field code } } }"""
EDIT_STANDARD = """mutation ($id: String!, $input: StandardInput!) {
  editStandard(id: $id, input: $input) {
    replayed standard { version levels { level trainingHours conditions state } }
    userErrors { field code } } }"""
HISTORY = """query ($code: String!) { occupation(code: $code) {
  version history { version recordedAt recordedBy changedFields occupation { name } } } }"""
LOOKUP = """query ($n: String!, $name: String!) {
  certificate(number: $n, holderName: $name) { occupation { name version } } }"""


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    specs = {
        "office": (Role.OFFICE_ADMIN, None, None),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "prov": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "evaluator": (Role.EVALUATION_INSTITUTION, make_uscc(901), None),
        "trainer": (Role.TRAINING_INSTITUTION, make_uscc(902), None),
    }
    return await make_tokens(db, specs)


ADD_STANDARD = """mutation ($input: StandardInput!) { addStandard(input: $input) {
  replayed standard { id } userErrors { field code } } }"""
NEW_OCCUPATION = {
    "name": "集成电路工程技术人员",
    "field": "10",
    "codes": [{"edition": "2022", "code": "2-02-38-09", "confirmed": False}],
    "directionsState": "UNKNOWN",
}

# Each catalogue mutation with a well-formed input and the callers it is for (the office alone);
# tests/schema/test_institutions_api.py checks that every mutation is in some such matrix.
MATRIX: dict[str, tuple[str, dict[str, object], set[str]]] = {
    "addOccupation": (ADD, {"input": NEW_OCCUPATION}, {"office"}),
    "editOccupation": (EDIT, {"code": "2-02-10-09", "input": {"name": "改名"}}, {"office"}),
    "addStandard": (
        ADD_STANDARD,
        {"input": {"title": "标准", "occupations": ["2-02-38-09"]}},
        {"office"},
    ),
    "editStandard": (EDIT_STANDARD, {"id": "std:2-02-10-09", "input": {"title": "改"}}, {"office"}),
}


async def test_every_catalogue_mutation_is_refused_for_every_other_role(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    for mutation, (document, variables, allowed) in MATRIX.items():
        for caller in [None, *t]:
            if caller in allowed:
                continue
            versions = await db.catalogue_versions.count_documents({})
            audit = await db.audit_log.count_documents({})
            body = await post(http, t[caller] if caller else None, document, **variables)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (mutation, caller)
            assert await db.catalogue_versions.count_documents({}) == versions, (mutation, caller)
            assert await db.audit_log.count_documents({}) == audit, (mutation, caller)


@pytest.mark.parametrize("caller", ["cettic", "prov", None])
async def test_an_edit_by_anyone_but_the_office_is_refused(
    http: httpx.AsyncClient, t: dict[str, str], caller: str | None
) -> None:
    body = await post(
        http, t[caller] if caller else None, EDIT, code="2-02-10-09", input={"name": "改名"}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    data = await gql(http, None, HISTORY, code="2-02-10-09")
    assert data["occupation"]["version"] == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("2-02-99-98", ("code", "OCCUPATION_NOT_FOUND")),
        ("20299-98", ("code", "INVALID_OCCUPATION_CODE")),
    ],
)
async def test_an_edit_of_an_unknown_or_malformed_code_is_refused(
    http: httpx.AsyncClient, t: dict[str, str], code: str, error: tuple[str, str]
) -> None:
    data = await gql(http, t["office"], EDIT, code=code, input={"name": "改名"})
    assert data["editOccupation"]["occupation"] is None
    assert [(e["field"], e["code"]) for e in data["editOccupation"]["userErrors"]] == [error]


async def test_adding_a_held_code_is_a_duplicate(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    spec = {
        "name": "另一个职业",
        "field": "04",
        "codes": [{"edition": "2022", "code": "2-02-38-04", "confirmed": False}],
    }
    data = await gql(http, t["office"], ADD, input=spec)
    assert data["addOccupation"]["userErrors"] == [
        {"field": "codes[0].code", "code": "DUPLICATE_OCCUPATION_CODE"}
    ]


async def test_a_standard_level_edited_twice_is_one_version(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    spec = {"levels": [{"level": "SENIOR", "trainingHours": 160}]}
    first = await gql(http, t["office"], EDIT_STANDARD, id="std:2-02-10-12", input=spec)
    again = await gql(http, t["office"], EDIT_STANDARD, id="std:2-02-10-12", input=spec)
    assert (first["editStandard"]["replayed"], again["editStandard"]["replayed"]) == (False, True)
    assert again["editStandard"]["standard"]["version"] == 2
    assert again["editStandard"]["standard"]["levels"][2] == {
        "level": "SENIOR",
        "trainingHours": 160,
        "conditions": None,
        "state": "INCOMPLETE",
    }


async def test_a_certificate_shows_its_occupation_as_issued(
    http: httpx.AsyncClient, t: dict[str, str], db: Database, settings: Settings
) -> None:
    """An old certificate keeps the name it was issued under; one issued after the edit shows the
    new name; the history says who changed what."""
    ((old, old_name, _),) = await certificates_of_a_new_institution(db, settings, 701, ["周一"])
    renamed = "人工智能工程技术人员（修订名称）"
    data = await gql(http, t["office"], EDIT, code="2-02-38-01", input={"name": renamed})
    assert data["editOccupation"]["occupation"]["version"] == 2
    ((new, new_name, _),) = await certificates_of_a_new_institution(db, settings, 702, ["周二"])
    before = await gql(http, None, LOOKUP, n=old, name=old_name)
    after = await gql(http, None, LOOKUP, n=new, name=new_name)
    assert before["certificate"]["occupation"] == {"name": "人工智能工程技术人员", "version": 1}
    assert after["certificate"]["occupation"] == {"name": renamed, "version": 2}
    page = await http.post("/lookup/number", data={"number": old, "name": old_name})
    history = (await gql(http, None, HISTORY, code="2-02-10-09"))["occupation"]["history"]
    assert [(v["version"], v["changedFields"], v["occupation"]["name"]) for v in history] == [
        (1, [], "人工智能工程技术人员"),
        (2, ["name"], renamed),
    ]
    assert history[0]["recordedAt"] is None and history[1]["recordedBy"].startswith("OFFICE_ADMIN:")
    assert page.status_code == 200 and old in page.text
    assert "人工智能工程技术人员" in page.text and renamed not in page.text
