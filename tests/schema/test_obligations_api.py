"""Overdue annual reports through GraphQL: public on the institution's record, the queue by the
policy layer (office: all; a province: its own; anyone else FORBIDDEN with its code)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.institutions import reports
from registry.storage.db import Database
from tests.client import gql, post
from tests.factories import application, listed_institution, make_tokens, make_uscc

FUJIAN, BEIJING = make_uscc(711), make_uscc(712, region="110100")
APPLICANT = make_uscc(713)
THIS_YEAR = clock.today().year

RECORD = """query ($uscc: String!) { institution(uscc: $uscc) {
  overdueReports { uscc year kind due } annualReports { year kind } } }"""
QUEUE = "{ overdueReports { uscc year kind due } }"


@pytest.fixture(scope="module")
async def tokens(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, FUJIAN, filed=f"{THIS_YEAR - 2}-01-10")
    await listed_institution(db, BEIJING, province="11", filed=f"{THIS_YEAR - 2}-01-10")
    me = Principal(Role.EVALUATION_INSTITUTION, "i", "t-i", institution=FUJIAN)
    await reports.submit(db, me, reports.ReportKind.SUMMARY, THIS_YEAR - 2, 10, 1, "总结")
    return await make_tokens(
        db,
        {
            "office": (Role.OFFICE_ADMIN, None, None),
            "prov35": (Role.PROVINCIAL_REVIEWER, None, "35"),
            "cettic": (Role.CETTIC_REVIEWER, None, None),
            "fujian": (Role.EVALUATION_INSTITUTION, FUJIAN, None),
            "applicant": (Role.EVALUATION_INSTITUTION, APPLICANT, None),
        },
    )


async def test_the_public_record_flags_what_is_overdue_and_not_what_was_submitted(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    found = (await gql(http, None, RECORD, uscc=FUJIAN))["institution"]
    late = {(r["year"], r["kind"]) for r in found["overdueReports"]}
    assert (THIS_YEAR - 2, "PLAN") in late and (THIS_YEAR - 1, "SUMMARY") in late
    assert (THIS_YEAR - 2, "SUMMARY") not in late  # stored
    assert (THIS_YEAR, "SUMMARY") not in late  # not due before next January
    assert all(
        r["uscc"] == FUJIAN and r["due"] < clock.today().isoformat()
        for r in found["overdueReports"]
    )


async def test_the_queue_is_the_office_s_and_each_province_s_own(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    office = (await gql(http, tokens["office"], QUEUE))["overdueReports"]
    assert {r["uscc"] for r in office} == {FUJIAN, BEIJING}
    assert [r["due"] for r in office] == sorted(r["due"] for r in office)
    fujian = (await gql(http, tokens["prov35"], QUEUE))["overdueReports"]
    assert {r["uscc"] for r in fujian} == {FUJIAN}


@pytest.mark.parametrize("caller", [None, "cettic", "fujian"])
async def test_the_queue_is_forbidden_to_everyone_else(
    http: httpx.AsyncClient, tokens: dict[str, str], caller: str | None
) -> None:
    body = await post(http, tokens[caller] if caller else None, QUEUE)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None or body["data"]["overdueReports"] is None


CHANGE_FEES = """mutation ($uscc: String!, $day: Date!) {
  changeInstitutionFees(uscc: $uscc, effectiveFrom: $day, note: "调价",
    fees: [{ item: "考核费", amountYuan: 880, unit: "人次" }]) {
    institution { fees { amountYuan } feeChanges { effectiveFrom fees { amountYuan }
      previousFees { item } note } }
    userErrors { field code }
  } }"""


async def test_a_fee_change_is_shown_with_its_day_and_only_the_institution_makes_it(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    today = clock.today().isoformat()
    refused = await post(http, tokens["office"], CHANGE_FEES, uscc=FUJIAN, day=today)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    future = (clock.today() + dt.timedelta(days=1)).isoformat()
    bad = (await gql(http, tokens["fujian"], CHANGE_FEES, uscc=FUJIAN, day=future))[
        "changeInstitutionFees"
    ]
    assert bad["userErrors"] == [{"field": "effectiveFrom", "code": "IN_THE_FUTURE"}]
    done = (await gql(http, tokens["fujian"], CHANGE_FEES, uscc=FUJIAN, day=today))[
        "changeInstitutionFees"
    ]
    assert done["userErrors"] == [] and done["institution"]["fees"] == [{"amountYuan": 880}]
    public = await gql(
        http,
        None,
        "query ($u: String!) { institution(uscc: $u) { feeChanges { effectiveFrom note } } }",
        u=FUJIAN,
    )
    assert public["institution"]["feeChanges"] == [{"effectiveFrom": today, "note": "调价"}]


APPLY = """mutation ($input: InstitutionApplicationInput!) { applyForListing(input: $input) {
  institution { uscc } userErrors { field code } } }"""
REVIEW = "query ($u: String!) { institution(uscc: $u) { status priority { basis evidence } } }"


async def test_priority_is_recorded_with_the_application_and_shown_in_review(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    wrong = application(APPLICANT, priority="NATIONAL_CE_BASE", priorityEvidence="人社部公布")
    refused = (await gql(http, tokens["applicant"], APPLY, input=wrong))["applyForListing"]
    assert refused["userErrors"] == [{"field": "priority", "code": "PRIORITY_KIND"}]
    bare = application(APPLICANT, priority="STANDARD_DEVELOPER")
    refused = (await gql(http, tokens["applicant"], APPLY, input=bare))["applyForListing"]
    assert refused["userErrors"] == [{"field": "priorityEvidence", "code": "REQUIRED"}]
    evidence = "《人工智能工程技术人员国家职业技术技能标准》起草单位"
    claim = application(APPLICANT, priority="STANDARD_DEVELOPER", priorityEvidence=evidence)
    done = (await gql(http, tokens["applicant"], APPLY, input=claim))["applyForListing"]
    assert done["userErrors"] == []
    for reviewer in ("prov35", "cettic", "office"):
        seen = (await gql(http, tokens[reviewer], REVIEW, u=APPLICANT))["institution"]
        assert seen == {
            "status": "APPLIED",
            "priority": {"basis": "STANDARD_DEVELOPER", "evidence": evidence},
        }
    none = (await gql(http, None, REVIEW, u=FUJIAN))["institution"]
    assert none["priority"] is None
