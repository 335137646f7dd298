"""Policy links through the GraphQL API with real tokens: a certificate shows how its level
counts toward professional titles in its issuing institution's province (or the one asked for),
a training certificate whether it qualifies for a subsidy; the office records versions, retried
safely; every other caller is refused (FORBIDDEN, nothing written, nothing audited); an unknown
province or level is refused by code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.settings import Settings
from registry.storage.db import Database
from registry.training import submission as training
from registry.training.validation import CohortInput, TraineeInput
from tests.client import gql, post
from tests.factories import (
    certificates_of_a_new_institution,
    listed_institution,
    make_tokens,
    make_uscc,
)

TRAINER = make_uscc(1861)
TODAY = clock.today()

CERTIFICATE = """query ($n: String!, $h: String!, $p: String, $on: Date) {
  certificate(number: $n, holderName: $h) { level policyLinks(province: $p, on: $on) {
    title { level province on scope use text source effectiveFrom demo } } } }"""
TRAINING = """query ($n: String!, $h: String!, $p: String) {
  trainingCertificate(number: $n, holderName: $h) { policyLinks(province: $p) {
    subsidy { province scope qualifies text source effectiveFrom demo } } } }"""
SET_TITLE = """mutation ($input: TitleLinkInput!) { setTitleLink(input: $input) {
  replayed titleLink { province level current { use text demo effectiveFrom }
    versions { effectiveFrom use recordedAt } }
  userErrors { field code message } } }"""
SET_SUBSIDY = """mutation ($input: SubsidyRuleInput!) { setSubsidyRule(input: $input) {
  replayed subsidyRule { province current { qualifies levels occupationCodes } }
  userErrors { field code message } } }"""
RECORDS = """query ($p: String) { titleLinks(province: $p) { province level
  current { use effectiveFrom } versions { effectiveFrom } }
  subsidyRules(province: $p) { province current { qualifies } } }"""


def title_input(**over: Any) -> dict[str, Any]:
    return {
        "province": "44",
        "level": "INTERMEDIATE",
        "effectiveFrom": "2026-01-01",
        "use": "PROVINCIAL_RULE",
        "text": "演示数据(虚构):示例衔接办法",
        "source": "演示数据,非真实文件",
        "demo": True,
        **over,
    }


def subsidy_input(**over: Any) -> dict[str, Any]:
    return {
        "province": "44",
        "effectiveFrom": "2026-01-01",
        "qualifies": True,
        "levels": ["JUNIOR"],
        "text": "演示数据(虚构):仅初级",
        "source": "演示数据,非真实文件",
        "demo": True,
        **over,
    }


@pytest.fixture(scope="module")
async def t(db: Database, settings: Settings) -> dict[str, Any]:
    made = await certificates_of_a_new_institution(db, settings, 1860, ["持证人甲"])
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06")
    specs = {
        "trainer": (Role.TRAINING_INSTITUTION, TRAINER, None),
        "prov35": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "office": (Role.OFFICE_ADMIN, None, None),
    }
    tokens: dict[str, Any] = await make_tokens(db, specs)
    number, name, idn = made[0]
    end = TODAY - dt.timedelta(days=2)
    trainees = [TraineeInput(name, idn, 40, 1.0, True)]
    cohort = CohortInput(
        "policy-cohort-01", end - dt.timedelta(days=10), end, "2-02-10-09", 1, 40, trainees
    )
    trainer = Principal(Role.TRAINING_INSTITUTION, "t", "tok-t", institution=TRAINER)
    await training.submit(db, trainer, cohort, PersonalData(settings.master_key()))
    found = await db.training_certificates.find_one({"institution": TRAINER})
    assert found is not None
    return {**tokens, "number": number, "name": name, "training": found["_id"]}


async def test_a_certificate_shows_its_title_link(
    http: httpx.AsyncClient, t: dict[str, Any]
) -> None:
    data = await gql(http, None, CERTIFICATE, n=t["number"], h=t["name"])
    link = data["certificate"]["policyLinks"]["title"]
    # The issuing institution's province (35, from the number), the notice's rule for 初级.
    assert link["province"] == "35" and link["scope"] == "NATIONAL"
    assert link["level"] == "JUNIOR" and link["use"] == "TITLE_RECOGNITION"
    assert "人社厅发〔2021〕71号 五(二)" in link["source"] and not link["demo"]
    assert link["effectiveFrom"] == "2021-10-08" and link["on"] == TODAY.isoformat()


async def test_the_office_records_a_provincial_version(
    http: httpx.AsyncClient, t: dict[str, Any]
) -> None:
    made = (await gql(http, t["office"], SET_TITLE, input=title_input(level="JUNIOR")))[
        "setTitleLink"
    ]
    assert made["userErrors"] == [] and not made["replayed"]
    assert made["titleLink"]["province"] == "44" and made["titleLink"]["current"]["demo"]
    again = await gql(http, t["office"], SET_TITLE, input=title_input(level="JUNIOR"))
    assert again["setTitleLink"]["replayed"]
    assert len(again["setTitleLink"]["titleLink"]["versions"]) == 1
    # Asked for province 44, the certificate shows 44's version; for 35, still the national.
    there = await gql(http, None, CERTIFICATE, n=t["number"], h=t["name"], p="44")
    link = there["certificate"]["policyLinks"]["title"]
    assert link["scope"] == "PROVINCIAL" and link["use"] == "PROVINCIAL_RULE" and link["demo"]
    before = await gql(http, None, CERTIFICATE, n=t["number"], h=t["name"], p="44", on="2025-12-31")
    assert before["certificate"]["policyLinks"]["title"]["scope"] == "NATIONAL"
    records = (await gql(http, None, RECORDS, p="44"))["titleLinks"]
    assert [(r["province"], r["level"]) for r in records] == [
        (None, "JUNIOR"),
        (None, "INTERMEDIATE"),
        (None, "SENIOR"),
        ("44", "JUNIOR"),
    ]
    assert records[2]["current"]["use"] == "SENIOR_REVIEW_REFERENCE"


async def test_a_training_certificate_shows_its_subsidy(
    http: httpx.AsyncClient, t: dict[str, Any]
) -> None:
    data = await gql(http, None, TRAINING, n=t["training"], h=t["name"])
    subsidy = data["trainingCertificate"]["policyLinks"]["subsidy"]
    assert subsidy["qualifies"] and subsidy["scope"] == "NATIONAL" and subsidy["province"] == "35"
    assert "按照有关规定申领职业培训补贴" in subsidy["text"]
    made = await gql(http, t["office"], SET_SUBSIDY, input=subsidy_input(levels=["SENIOR"]))
    assert made["setSubsidyRule"]["subsidyRule"]["current"]["levels"] == ["SENIOR"]
    there = await gql(http, None, TRAINING, n=t["training"], h=t["name"], p="44")
    shown = there["trainingCertificate"]["policyLinks"]["subsidy"]
    assert shown["scope"] == "PROVINCIAL" and not shown["qualifies"] and shown["demo"]


async def test_an_unknown_province_or_level_is_refused_by_code(
    http: httpx.AsyncClient, t: dict[str, Any], db: Database
) -> None:
    body = await post(http, None, CERTIFICATE, n=t["number"], h=t["name"], p="99")
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_PROVINCE"
    body = await post(http, None, RECORDS, p="9")
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_PROVINCE"
    audit = await db.audit_log.count_documents({})
    made = await gql(http, t["office"], SET_TITLE, input=title_input(province="99"))
    errors = made["setTitleLink"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [("province", "UNKNOWN_PROVINCE")]
    # A level outside the enum never reaches the domain: the variable is refused.
    body = await post(http, t["office"], SET_TITLE, input=title_input(level="EXPERT"))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "data" not in body or body["data"] is None
    body = await post(http, t["office"], SET_SUBSIDY, input=subsidy_input(levels=["JUNIOR", "X"]))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await db.audit_log.count_documents({}) == audit


MATRIX: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "setTitleLink": (SET_TITLE, {"input": title_input(effectiveFrom="2026-02-02")}, {"office"}),
    "setSubsidyRule": (
        SET_SUBSIDY,
        {"input": subsidy_input(effectiveFrom="2026-02-02")},
        {"office"},
    ),
}


async def test_every_policy_mutation_is_refused_for_every_other_role(
    http: httpx.AsyncClient, t: dict[str, Any], db: Database
) -> None:
    callers = {k: v for k, v in t.items() if k in ("trainer", "prov35", "cettic", "office")}
    for mutation, (document, variables, allowed) in MATRIX.items():
        for caller in ["anonymous", *callers]:
            if caller in allowed:
                continue
            before = await db.policy_links.find().sort("_id", 1).to_list()
            audit_before = await db.audit_log.count_documents({})
            token = None if caller == "anonymous" else callers[caller]
            body = await post(http, token, document, **variables)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (mutation, caller)
            assert await db.policy_links.find().sort("_id", 1).to_list() == before
            assert await db.audit_log.count_documents({}) == audit_before, (mutation, caller)
