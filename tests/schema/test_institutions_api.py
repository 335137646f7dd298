"""The institution lifecycle through the GraphQL API with real tokens, and the permission matrix."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import httpx
import pytest

from registry.access.auth import Role
from registry.calendar import clock, workdays
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from tests.factories import (
    application,
    audited_institution,
    make_id_number,
    make_tokens,
    make_uscc,
)

TARGET = make_uscc(101)  # in Fujian (35)
OTHER = make_uscc(102)

FIELDS = "uscc status number validUntil publicityEnd listedOn(date: $today) history { action toStatus reason }"


@pytest.fixture(scope="module")
async def tokens_by_label(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    specs = {
        "office": (Role.OFFICE_ADMIN, None, None),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "prov35": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "prov11": (Role.PROVINCIAL_REVIEWER, None, "11"),
        "target": (Role.EVALUATION_INSTITUTION, TARGET, None),
        "target_as_training": (Role.TRAINING_INSTITUTION, TARGET, None),
        "other": (Role.EVALUATION_INSTITUTION, OTHER, None),
        "miit": (Role.MINISTRY_RECOMMENDER, None, None, "MIIT"),
    }
    return await make_tokens(db, specs)


async def call(
    http: httpx.AsyncClient, token: str | None, query: str, **variables: Any
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    variables.setdefault("today", clock.today().isoformat())
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    # GraphQL over HTTP (2026 draft): 200 an answer without errors, 294 one with errors (a
    # refusal inside execution is a field error); 401 for a bad token.
    assert response.status_code in (200, 294, 401), response.text
    body: dict[str, Any] = response.json()
    return body


def payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][name]
    return result


APPLY = f"""mutation ($input: InstitutionApplicationInput!, $today: Date!) {{
  applyForListing(input: $input) {{ institution {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""


def step(name: str, args: str = "", decl: str = "") -> str:
    return f"""mutation ($uscc: String!, $today: Date!{decl}) {{
      {name}(uscc: $uscc{args}) {{ institution {{ {FIELDS} }} userErrors {{ field code message }} }} }}"""


async def test_ineligible_application_names_the_rules(
    http: httpx.AsyncClient, tokens_by_label: dict[str, str], db: Database
) -> None:
    body = await call(
        http,
        tokens_by_label["other"],
        APPLY,
        input=application(
            OTHER,
            experienceYears=3,
            yearlyCount=1500,
            scope=[{"occupation": "2-02-99-99", "level": "SENIOR"}],
        ),
    )
    result = payload(body, "applyForListing")
    assert result["institution"] is None
    codes = {(e["field"], e["code"]) for e in result["userErrors"]}
    assert codes == {
        ("experienceYears", "ELIGIBILITY_EXPERIENCE"),
        ("yearlyCount", "ELIGIBILITY_SCALE"),
        ("scope[0].occupation", "UNKNOWN_OCCUPATION"),
    }
    assert any(
        "5 years" in e["message"] and "states 3" in e["message"] for e in result["userErrors"]
    )
    assert await db.institutions.find_one({"_id": OTHER}) is None


async def test_walk_from_application_to_listing_and_removal(
    http: httpx.AsyncClient, tokens_by_label: dict[str, str], db: Database
) -> None:
    t = tokens_by_label
    today = clock.today()
    applied = payload(
        await call(http, t["target"], APPLY, input=application(TARGET)), "applyForListing"
    )
    assert applied["userErrors"] == [] and applied["institution"]["status"] == "APPLIED"
    # The same application again is the same application (safe retry).
    again = payload(
        await call(http, t["target"], APPLY, input=application(TARGET)), "applyForListing"
    )
    assert again["institution"]["status"] == "APPLIED"
    assert await db.institutions.count_documents({"_id": TARGET}) == 1

    # Out of order: CETTIC cannot pass what the province has not recommended.
    early = payload(
        await call(http, t["cettic"], step("passPreliminaryReview"), uscc=TARGET),
        "passPreliminaryReview",
    )
    assert early["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"
    assert "is APPLIED" in early["userErrors"][0]["message"]

    rec = payload(
        await call(http, t["prov35"], step("recommendInstitution"), uscc=TARGET),
        "recommendInstitution",
    )
    assert rec["institution"]["status"] == "RECOMMENDED"
    retry = payload(
        await call(http, t["prov35"], step("recommendInstitution"), uscc=TARGET),
        "recommendInstitution",
    )
    assert retry["userErrors"] == [] and len(retry["institution"]["history"]) == 2

    assert (
        payload(
            await call(http, t["cettic"], step("passPreliminaryReview"), uscc=TARGET),
            "passPreliminaryReview",
        )["institution"]["status"]
        == "PRELIMINARY_PASSED"
    )
    assert (
        payload(
            await call(http, t["office"], step("approveInstitutionAudit"), uscc=TARGET),
            "approveInstitutionAudit",
        )["institution"]["status"]
        == "AUDITED"
    )

    # The publicity cannot skip the steering group's decision, which the office records.
    skipped = payload(
        await call(
            http,
            t["office"],
            step("startPublicity", ", startDate: $start", ", $start: Date!"),
            uscc=TARGET,
            start=today.isoformat(),
        ),
        "startPublicity",
    )
    assert [e["code"] for e in skipped["userErrors"]] == ["ILLEGAL_TRANSITION"]
    decision = step(
        "recordSteeringDecision",
        ", decidedOn: $today, reference: $ref",
        ", $ref: String!",
    )
    decided = payload(
        await call(http, t["office"], decision, uscc=TARGET, ref="工程指导协调小组会议纪要"),
        "recordSteeringDecision",
    )
    assert decided["userErrors"] == []
    assert decided["institution"]["status"] == "STEERING_CONFIRMED"

    # Audited a minute ago: the publicity may start today, not earlier (the attack of issue 14).
    async def start_publicity(day: dt.date) -> dict[str, Any]:
        document = step("startPublicity", ", startDate: $start", ", $start: Date!")
        body = await call(http, t["office"], document, uscc=TARGET, start=day.isoformat())
        return payload(body, "startPublicity")

    early = await start_publicity(today - dt.timedelta(days=10))
    assert {e["code"] for e in early["userErrors"]} == {"BEFORE_AUDIT", "ANNOUNCEMENT_REQUIRED"}
    pub = await start_publicity(today)
    assert pub["institution"]["status"] == "PUBLICIZED"
    end = dt.date.fromisoformat(pub["institution"]["publicityEnd"])
    assert workdays.working_days_between(today, end) == 15

    objection = await call(
        http,
        None,
        """mutation ($uscc: String!) { lodgeObjection(uscc: $uscc, text: "该机构考场条件不符合要求") {
             objectionId userErrors { code } } }""",
        uscc=TARGET,
    )
    objection_id = payload(objection, "lodgeObjection")["objectionId"]
    assert objection_id

    blocked = payload(
        await call(http, t["office"], step("listInstitution"), uscc=TARGET), "listInstitution"
    )
    assert blocked["userErrors"][0]["code"] in {"OBJECTIONS_OPEN", "PUBLICITY_RUNNING"}

    resolved = await call(
        http,
        t["office"],
        """mutation ($uscc: String!, $id: String!) { resolveObjection(uscc: $uscc, objectionId: $id,
             upheld: false, resolution: "经核查，考场符合要求") { userErrors { code } } }""",
        uscc=TARGET,
        id=objection_id,
    )
    assert payload(resolved, "resolveObjection")["userErrors"] == []

    # Move the publicity into the past so that it has ended (as if it had been announced earlier).
    await db.institutions.update_one(
        {"_id": TARGET}, {"$set": {"publicity.end": (today - dt.timedelta(days=1)).isoformat()}}
    )
    listed = payload(
        await call(http, t["office"], step("listInstitution"), uscc=TARGET), "listInstitution"
    )
    inst = listed["institution"]
    assert listed["userErrors"] == []
    assert inst["status"] == "LISTED" and inst["listedOn"] is True
    assert len(inst["number"]) == 4 and inst["number"].isdigit()
    assert inst["validUntil"] == clock.add_years(today, 3).isoformat()

    directory = await call(
        http,
        None,
        """query ($today: Date!) { institutions(kind: EVALUATION, listedOn: $today, occupation: "2-02-10-09",
             level: JUNIOR, first: 10) { totalCount nodes { uscc } } }""",
    )
    assert directory["data"]["institutions"]["totalCount"] == 1
    assert directory["data"]["institutions"]["nodes"] == [{"uscc": TARGET}]

    # A reason is published with the directory change: it may not hold an ID number.
    number = make_id_number(random.Random(235))
    refused = payload(
        await call(
            http,
            t["prov35"],
            step("suspendInstitution", ", reason: $r", ", $r: String!"),
            uscc=TARGET,
            r=f"考生{number}投诉",
        ),
        "suspendInstitution",
    )
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("reason", "ID_NUMBER_OUT_OF_PLACE")
    ]
    assert refused["institution"] is None and number not in str(refused)
    sus = payload(
        await call(
            http,
            t["prov35"],
            step("suspendInstitution", ", reason: $r", ", $r: String!"),
            uscc=TARGET,
            r="考场视频缺失",
        ),
        "suspendInstitution",
    )
    assert sus["institution"]["status"] == "SUSPENDED" and sus["institution"]["listedOn"] is False
    rei = payload(
        await call(
            http,
            t["office"],
            step("reinstateInstitution", ", reason: $r", ", $r: String!"),
            uscc=TARGET,
            r="整改完成",
        ),
        "reinstateInstitution",
    )
    assert rei["institution"]["status"] == "LISTED" and rei["institution"]["listedOn"] is True
    removed = payload(
        await call(
            http,
            t["office"],
            step(
                "removeInstitution", ", violation: FALSE_ADVERTISING, details: $d", ", $d: String!"
            ),
            uscc=TARGET,
            d="宣传“包过”",
        ),
        "removeInstitution",
    )
    assert removed["institution"]["status"] == "REMOVED"
    assert removed["institution"]["listedOn"] is False
    actions = [h["action"] for h in removed["institution"]["history"]]
    assert actions == [
        "apply",
        "recommend",
        "passPreliminaryReview",
        "approveAudit",
        "recordSteeringDecision",
        "startPublicity",
        "list",
        "suspend",
        "reinstate",
        "remove",
    ]
    # Removed: no further listing, whoever asks.
    illegal = payload(
        await call(http, t["office"], step("listInstitution"), uscc=TARGET), "listInstitution"
    )
    assert illegal["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"
    assert "REMOVED" in illegal["userErrors"][0]["message"]


# mutation -> (document, variables, labels allowed to call it)
MATRIX: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "applyForListing": (APPLY, {"input": application(TARGET)}, {"target"}),
    "resubmitApplication": (
        APPLY.replace("applyForListing", "resubmitApplication"),
        {"input": application(TARGET)},
        {"target"},
    ),
    "renewListing": (
        APPLY.replace("applyForListing", "renewListing"),
        {"input": application(TARGET)},
        {"target"},
    ),
    "recommendInstitution": (step("recommendInstitution"), {}, {"prov35"}),
    "passPreliminaryReview": (step("passPreliminaryReview"), {}, {"cettic"}),
    "approveInstitutionAudit": (step("approveInstitutionAudit"), {}, {"office"}),
    "recordSteeringDecision": (
        step(
            "recordSteeringDecision", ", decidedOn: $d, reference: $r", ", $d: Date!, $r: String!"
        ),
        {"d": "2025-01-02", "r": "x"},
        {"office"},
    ),
    "startPublicity": (
        step("startPublicity", ", startDate: $s", ", $s: Date!"),
        {"s": "2025-01-02"},
        {"office"},
    ),
    "listInstitution": (step("listInstitution"), {}, {"office"}),
    "returnApplication": (
        step("returnApplication", ", reason: $r", ", $r: String!"),
        {"r": "x"},
        {"office", "prov35", "cettic"},
    ),
    "suspendInstitution": (
        step("suspendInstitution", ", reason: $r", ", $r: String!"),
        {"r": "x"},
        {"office", "prov35"},
    ),
    "reinstateInstitution": (
        step("reinstateInstitution", ", reason: $r", ", $r: String!"),
        {"r": "x"},
        {"office"},
    ),
    "removeInstitution": (
        step("removeInstitution", ", violation: FRAUD, details: $r", ", $r: String!"),
        {"r": "x"},
        {"office"},
    ),
    "expireInstitution": (step("expireInstitution"), {}, {"office"}),
    "resolveObjection": (
        """mutation ($uscc: String!) { resolveObjection(uscc: $uscc, objectionId: "obj_x",
                             upheld: true, resolution: "x") { userErrors { code } } }""",
        {},
        {"office"},
    ),
    "submitAnnualReport": (
        """mutation { submitAnnualReport(kind: PLAN, year: 2026, people: 1, sessions: 1,
                              text: "x") { userErrors { code } } }""",
        {},
        {"target", "other", "target_as_training"},
    ),
    "changeInstitutionFees": (
        """mutation ($uscc: String!) { changeInstitutionFees(uscc: $uscc, effectiveFrom: "2026-01-05",
                   fees: [{ item: "考核费", amountYuan: 1 }]) { userErrors { code } } }""",
        {},
        {"target"},
    ),
    "setHolidayArrangement": (
        """mutation { setHolidayArrangement(year: 2031, holidays: [], workdays: []) {
                                 userErrors { code } } }""",
        {},
        {"office"},
    ),
}
CALLERS = [
    "anonymous",
    "office",
    "cettic",
    "prov35",
    "prov11",
    "target",
    "target_as_training",
    "other",
    "miit",
]


def test_matrix_covers_every_mutation() -> None:
    from schema.build import schema

    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    names = set(mutation_type.fields)
    from tests.schema.test_catalogue_edits_api import MATRIX as CATALOGUE_MATRIX
    from tests.schema.test_certificates_api import MATRIX as BATCH_MATRIX
    from tests.schema.test_exams_api import MATRIX as EXAM_MATRIX
    from tests.schema.test_policylinks_api import MATRIX as POLICY_MATRIX
    from tests.schema.test_supervision_api import MATRIX as SUPERVISION_MATRIX
    from tests.schema.test_training_api import MATRIX as TRAINING_MATRIX

    # Every mutation is in some module's permission matrix; lodgeObjection is open to everyone,
    # so no caller is refused it.
    covered = (
        set(MATRIX)
        | set(BATCH_MATRIX)
        | set(TRAINING_MATRIX)
        | set(SUPERVISION_MATRIX)
        | set(EXAM_MATRIX)
        | set(POLICY_MATRIX)
        | set(CATALOGUE_MATRIX)
    )
    assert names - {"lodgeObjection"} == covered


@pytest.mark.parametrize("mutation", sorted(MATRIX))
async def test_every_mutation_is_refused_for_every_other_role(
    http: httpx.AsyncClient, tokens_by_label: dict[str, str], db: Database, mutation: str
) -> None:
    document, variables, allowed = MATRIX[mutation]
    for caller in CALLERS:
        if caller in allowed:
            continue
        before = await db.institutions.find_one({"_id": TARGET})
        audit_before = await db.audit_log.count_documents({})
        token = None if caller == "anonymous" else tokens_by_label[caller]
        body = await call(http, token, document, uscc=TARGET, **variables)
        assert body.get("errors"), (mutation, caller, body)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN", (mutation, caller, error)
        assert error["message"], (mutation, caller)
        assert await db.institutions.find_one({"_id": TARGET}) == before, (mutation, caller)
        assert await db.audit_log.count_documents({}) == audit_before


async def test_a_bad_token_is_unauthenticated_not_anonymous(http: httpx.AsyncClient) -> None:
    body = await call(http, "dte_not-a-real-token", step("listInstitution"), uscc=TARGET)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_docs_table_lists_every_mutation() -> None:
    from pathlib import Path

    text = Path(__file__).parents[2].joinpath("docs/api.md").read_text(encoding="utf-8")
    rows = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert set(MATRIX) | {"lodgeObjection"} <= rows


async def test_listing_an_evaluation_institution_creates_its_signing_key(db: Database) -> None:
    # TARGET was listed through the API above (and later removed): its key was made at listing.
    assert await db.signing_keys.count_documents({"institution": TARGET}) == 1


IN_PUBLICITY = make_uscc(111)
PUBLICITY_FIELDS = "publicityStart publicityEnd publicityRecordedOn publicityAnnouncement"


async def test_a_back_dated_publicity_shows_its_announcement_and_the_directory_its_window(
    http: httpx.AsyncClient, tokens_by_label: dict[str, str], db: Database
) -> None:
    audited_on = clock.today() - dt.timedelta(days=60)
    await audited_institution(db, IN_PUBLICITY, audited_on)
    start = audited_on + dt.timedelta(days=1)
    document = f"""mutation ($uscc: String!, $start: Date!, $ref: String) {{
      startPublicity(uscc: $uscc, startDate: $start, announcementReference: $ref) {{
        institution {{ {PUBLICITY_FIELDS} }} userErrors {{ field code }} }} }}"""
    office = tokens_by_label["office"]
    missing = await call(http, office, document, uscc=IN_PUBLICITY, start=start.isoformat())
    assert payload(missing, "startPublicity")["userErrors"] == [
        {"field": "announcementReference", "code": "ANNOUNCEMENT_REQUIRED"}
    ]
    early = await call(
        http,
        office,
        document,
        uscc=IN_PUBLICITY,
        start=(audited_on - dt.timedelta(days=1)).isoformat(),
        ref="x",
    )
    assert payload(early, "startPublicity")["userErrors"] == [
        {"field": "startDate", "code": "BEFORE_AUDIT"}
    ]
    reference = "福建省人社厅网站公示（2025年第3号）"
    started = payload(
        await call(
            http, office, document, uscc=IN_PUBLICITY, start=start.isoformat(), ref=reference
        ),
        "startPublicity",
    )
    inst = started["institution"]
    assert started["userErrors"] == []
    assert inst["publicityStart"] == start.isoformat()
    assert inst["publicityRecordedOn"] == clock.today().isoformat()
    assert inst["publicityAnnouncement"] == reference
    assert inst["publicityEnd"] > clock.today().isoformat()

    # The public sees it in the directory, with its end date and the announcement.
    directory = await call(
        http,
        None,
        f"""{{ institutions(inPublicity: true, first: 100) {{ totalCount
             nodes {{ uscc status {PUBLICITY_FIELDS} }} }} }}""",
    )
    nodes = directory["data"]["institutions"]["nodes"]
    assert {"uscc": IN_PUBLICITY, "status": "PUBLICIZED", **inst} in nodes
    assert directory["data"]["institutions"]["totalCount"] == len(nodes)
    assert all(
        n["status"] == "PUBLICIZED" and n["publicityEnd"] >= clock.today().isoformat()
        for n in nodes
    )
    others = await call(
        http, None, "{ institutions(inPublicity: false, first: 100) { nodes { uscc } } }"
    )
    assert IN_PUBLICITY not in {n["uscc"] for n in others["data"]["institutions"]["nodes"]}

    # Listed in the same minute: refused, and the public can object through the registry.
    blocked = payload(
        await call(http, office, step("listInstitution"), uscc=IN_PUBLICITY), "listInstitution"
    )
    assert blocked["userErrors"][0]["code"] == "PUBLICITY_RUNNING"
    objection = await call(
        http,
        None,
        """mutation ($uscc: String!) { lodgeObjection(uscc: $uscc, text: "公示期内提出异议") {
             objectionId userErrors { code } } }""",
        uscc=IN_PUBLICITY,
    )
    assert payload(objection, "lodgeObjection")["objectionId"]


SECTOR_VIEW = """query ($uscc: String!) { institution(uscc: $uscc) {
  status recommender { kind province sector sectorName } recommendedAt
  steeringDecision { decidedOn reference recordedBy recordedAt }
  history { action by } } }"""


async def test_a_sector_application_shows_its_recommender_and_the_steering_decision(
    http: httpx.AsyncClient, tokens_by_label: dict[str, str], db: Database
) -> None:
    t = tokens_by_label
    scope = [{"occupation": "2-02-07-13", "level": "JUNIOR"}]  # 智能制造, field 06 (MIIT)
    wide = application(
        OTHER, sector="MIIT", scope=[*scope, {"occupation": "2-02-10-11", "level": "JUNIOR"}]
    )
    outside = payload(await call(http, t["other"], APPLY, input=wide), "applyForListing")
    assert [(e["field"], e["code"]) for e in outside["userErrors"]] == [
        ("sector", "OUTSIDE_SECTOR")
    ]
    applied = payload(
        await call(http, t["other"], APPLY, input=application(OTHER, sector="MIIT", scope=scope)),
        "applyForListing",
    )
    assert applied["userErrors"] == []
    # The province's department may not take the sector's step; the sector's office may.
    refused = await call(http, t["prov35"], step("recommendInstitution"), uscc=OTHER)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for label, name in [
        ("miit", "recommendInstitution"),
        ("cettic", "passPreliminaryReview"),
        ("office", "approveInstitutionAudit"),
    ]:
        assert payload(await call(http, t[label], step(name), uscc=OTHER), name)["userErrors"] == []
    decision = step(
        "recordSteeringDecision", ", decidedOn: $today, reference: $ref", ", $ref: String!"
    )
    await call(http, t["office"], decision, uscc=OTHER, ref="工程指导协调小组会议纪要")

    shown = (await call(http, None, SECTOR_VIEW, uscc=OTHER))["data"]["institution"]
    assert shown["status"] == "STEERING_CONFIRMED"
    assert shown["recommender"] == {
        "kind": "SECTOR",
        "province": None,
        "sector": "MIIT",
        "sectorName": "工业和信息化部人事教育司",
    }
    assert shown["recommendedAt"] is not None
    steering = shown["steeringDecision"]
    assert steering["decidedOn"] == clock.today().isoformat()
    assert steering["reference"] == "工程指导协调小组会议纪要"
    assert steering["recordedBy"] == "OFFICE_ADMIN" and steering["recordedAt"]
    assert [(h["action"], h["by"]) for h in shown["history"]] == [
        ("apply", f"EVALUATION_INSTITUTION@{OTHER}"),
        ("recommend", "MINISTRY_RECOMMENDER@MIIT"),
        ("passPreliminaryReview", "CETTIC_REVIEWER"),
        ("approveAudit", "OFFICE_ADMIN"),
        ("recordSteeringDecision", "OFFICE_ADMIN"),
    ]
    assert "tok_" not in str(shown)
