"""Training through the GraphQL API with real tokens: a cohort reported, training certificates
looked up, continuing-education hours read by the holder (rate limited) and by reviewers and
exported as a credential that `registry verify` accepts; metrics; the permission matrix."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.db import Database
from registry.trust import keystore
from service.api_config import ApiConfig
from service.app import create_app
from service.verify_cli import verify_command
from tests.client import gql, post
from tests.conftest import serving
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

TRAINER = make_uscc(851)
OTHER_TRAINER = make_uscc(852, region="110108")
EVALUATOR = make_uscc(853)
END = clock.today() - dt.timedelta(days=4)
RNG = random.Random(851)
PEOPLE = [(f"学员{c}", make_id_number(RNG)) for c in "甲乙丙丁戊"]


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06")
    await listed_institution(db, OTHER_TRAINER, kind="TRAINING", province="11", filed="2025-01-06")
    await listed_institution(db, EVALUATOR, filed="2025-01-06")
    specs = {
        "trainer": (Role.TRAINING_INSTITUTION, TRAINER, None),
        "other_trainer": (Role.TRAINING_INSTITUTION, OTHER_TRAINER, None),
        "evaluator": (Role.EVALUATION_INSTITUTION, EVALUATOR, None),
        "prov35": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "prov11": (Role.PROVINCIAL_REVIEWER, None, "11"),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "office": (Role.OFFICE_ADMIN, None, None),
    }
    return await make_tokens(db, specs)


SUBMIT = """mutation ($input: TrainingCohortInput!) { submitTrainingCohort(input: $input) {
  replayed cohort { id traineeCount completedCount attendanceRate level
                    trainees { row name completed trainingCertificate } }
  userErrors { field code message } } }"""
CE = """query ($i: String!, $n: String, $y: Int) { continuingEducation(idNumber: $i, holderName: $n,
  year: $y) { holderName years { year hours entries { trainingCertificate institutionUscc hours
  level completedOn } } } }"""
CREDENTIAL = """query ($i: String!, $n: String, $y: Int!) {
  continuingEducationCredential(idNumber: $i, holderName: $n, year: $y) }"""


def cohort_input(key: str, people: list[tuple[str, str]] = PEOPLE) -> dict[str, Any]:
    return {
        "idempotencyKey": key,
        "startDate": (END - dt.timedelta(days=20)).isoformat(),
        "endDate": END.isoformat(),
        "occupation": "2-02-10-09",
        "level": "INTERMEDIATE",
        "requiredHours": 96,
        "trainees": [
            {
                "name": name,
                "idNumber": idn,
                "hoursAttended": 90 if i == 3 else 96,
                "attendanceRate": 0.95,
                "assessmentPassed": i != 4,
            }
            for i, (name, idn) in enumerate(people)
        ],
    }


async def test_a_cohort_through_the_api(http: httpx.AsyncClient, t: dict[str, str]) -> None:
    data = await gql(http, t["trainer"], SUBMIT, input=cohort_input("api-cohort-0001"))
    payload = data["submitTrainingCohort"]
    assert payload["userErrors"] == [] and not payload["replayed"]
    cohort = payload["cohort"]
    assert cohort["traineeCount"] == 5 and cohort["completedCount"] == 3
    assert cohort["level"] == "INTERMEDIATE"
    numbers = [r["trainingCertificate"] for r in cohort["trainees"]]
    assert [n is not None for n in numbers] == [True, True, True, False, False]
    again = await gql(http, t["trainer"], SUBMIT, input=cohort_input("api-cohort-0001"))
    assert again["submitTrainingCohort"]["replayed"]
    assert again["submitTrainingCohort"]["cohort"]["id"] == cohort["id"]
    # A bad row comes back as a userError with its path; the ID number is never echoed.
    bad = cohort_input("api-cohort-0002")
    bad["trainees"][0]["idNumber"] = PEOPLE[0][1][:-1] + ("1" if PEOPLE[0][1][-1] != "1" else "2")
    body = await post(http, t["trainer"], SUBMIT, input=bad)
    errors = body["data"]["submitTrainingCohort"]["userErrors"]
    assert errors[0]["field"] == "trainees[0].idNumber" and errors[0]["code"] == "ID_NUMBER_CHECK"
    # Looking up the certificate: number and name.
    lookup = """query ($n: String!, $h: String!) { trainingCertificate(number: $n, holderName: $h) {
      number holderName status hours level occupation { name } } }"""
    found = (await gql(http, None, lookup, n=numbers[0], h=PEOPLE[0][0]))["trainingCertificate"]
    assert found["status"] == "VALID" and found["hours"] == 96
    assert (await gql(http, None, lookup, n=numbers[0], h="别人"))["trainingCertificate"] is None
    body = await post(http, None, lookup, n="P123", h="x")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CERTIFICATE_NUMBER"
    # The cohort: its institution and reviewers of its scope; null for anyone else.
    one = "query ($id: String!) { trainingCohort(id: $id) { id trainees { name } } }"
    for label in ("trainer", "prov35", "cettic", "office"):
        assert (await gql(http, t[label], one, id=cohort["id"]))["trainingCohort"] is not None
    for label in ("other_trainer", "prov11", "evaluator"):
        assert (await gql(http, t[label], one, id=cohort["id"]))["trainingCohort"] is None
    assert (await gql(http, None, one, id=cohort["id"]))["trainingCohort"] is None
    listing = "{ trainingCohorts(first: 10) { edges { node { id } } } }"
    assert len((await gql(http, t["trainer"], listing))["trainingCohorts"]["edges"]) == 1
    assert (await gql(http, t["other_trainer"], listing))["trainingCohorts"]["edges"] == []
    body = await post(http, None, listing)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_hours_by_the_holder_and_by_reviewers(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    name, idn = PEOPLE[0]
    record = (await gql(http, None, CE, i=idn, n=name))["continuingEducation"]
    assert record["holderName"] == name
    assert [(y["year"], y["hours"]) for y in record["years"]] == [(END.year, 96.0)]
    assert (await gql(http, None, CE, i=idn, n="别人"))["continuingEducation"]["years"] == []
    body = await post(http, None, CE, i=idn)
    assert body["errors"][0]["extensions"]["code"] == "REQUIRED"
    office = (await gql(http, t["office"], CE, i=idn))["continuingEducation"]
    assert office["years"] == record["years"]
    assert (await gql(http, t["prov11"], CE, i=idn))["continuingEducation"]["years"] == []
    body = await post(http, None, CE, i=idn[:-1] + "Z", n=name)
    assert body["errors"][0]["extensions"]["code"].startswith("ID_NUMBER")


async def test_personal_lookups_are_rate_limited(
    db: Database, settings: Settings, t: dict[str, str]
) -> None:
    # The API-wide limit on personal look-ups covers continuing education too; a server of its
    # own gives this test a fresh window.
    name, idn = PEOPLE[1]
    api = ApiConfig(personal_lookups=3)
    async with (
        serving(create_app(settings, db=db, api=api)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        for _ in range(api.personal_lookups):
            await gql(http, None, CE, i=idn, n=name)
        response = await http.post(
            "/graphql", json={"query": CE, "variables": {"i": idn, "n": name}}
        )
        assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
        assert response.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        # Another client (a token of its own) and reviewers are not affected.
        assert (await gql(http, t["evaluator"], CE, i=idn, n=name))["continuingEducation"]["years"]
        assert (await gql(http, t["office"], CE, i=idn))["continuingEducation"]["years"]


async def test_the_record_exports_as_a_credential_registry_verify_accepts(
    http: httpx.AsyncClient, t: dict[str, str], db: Database, settings: Settings, tmp_path: Path
) -> None:
    name, idn = PEOPLE[2]
    year = END.year
    credential = (await gql(http, None, CREDENTIAL, i=idn, n=name, y=year))[
        "continuingEducationCredential"
    ]
    assert credential["type"] == ["VerifiableCredential", "ContinuingEducationRecord"]
    subject = credential["credentialSubject"]
    assert subject["name"] == name and subject["continuingEducation"]["totalHours"] == 96
    assert idn not in json.dumps(credential)
    root = (await keystore.root_public_key(db, settings.master_key())).multibase
    path = tmp_path / "ce-record.json"
    path.write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(verify_command, [str(path), "--key", root, "--json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["verdict"] == "SIGNATURE_VALID_ISSUER_NOT_CHECKED"
    with_card = runner.invoke(verify_command, [str(path), "--key", root, "--card", idn])
    assert with_card.exit_code == 0 and "holder_binding" in with_card.output
    wrong_card = runner.invoke(verify_command, [str(path), "--key", root, "--card", PEOPLE[0][1]])
    assert wrong_card.exit_code == 1
    # As docs/training-and-supervision.md shows it: against the pinned root alone.
    pinned = runner.invoke(verify_command, [str(path), "--root-key", root, "--json"])
    assert pinned.exit_code == 0 and json.loads(pinned.output)["valid"] is True, pinned.output
    bound = runner.invoke(verify_command, [str(path), "--root-key", root, "--card", idn])
    assert bound.exit_code == 0 and "VALID" in bound.output
    other = runner.invoke(verify_command, [str(path), "--root-key", root, "--card", PEOPLE[0][1]])
    assert other.exit_code == 1
    tampered = dict(credential)
    tampered["credentialSubject"] = {
        **subject,
        "continuingEducation": {**subject["continuingEducation"], "totalHours": 960},
    }
    path.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(verify_command, [str(path), "--key", root]).exit_code == 1
    body = await post(http, None, CREDENTIAL, i=idn, n=name, y=year - 1)
    assert body["errors"][0]["extensions"]["code"] == "NO_HOURS"


async def test_metrics_and_employment_rates(http: httpx.AsyncClient, t: dict[str, str]) -> None:
    report = """mutation ($y: Int!, $s: Int!, $e: Int!, $src: String!) { reportEmploymentRate(
      year: $y, surveyed: $s, employed: $e, source: $src) { employment { rate source }
      userErrors { field code } } }"""
    year = END.year
    data = await gql(http, t["trainer"], report, y=year, s=40, e=30, src="结业学员回访")
    assert data["reportEmploymentRate"]["employment"] == {"rate": 0.75, "source": "结业学员回访"}
    bad = await gql(http, t["trainer"], report, y=year, s=10, e=11, src=" ")
    assert {e["code"] for e in bad["reportEmploymentRate"]["userErrors"]} == {
        "INVALID_COUNT",
        "SOURCE_REQUIRED",
    }
    metrics = """query ($u: String!, $y: Int!) { institutionMetrics(uscc: $u, year: $y) {
      kind trainees completions attendanceRate candidates passes passRate
      employment { surveyed employed rate source } } }"""
    found = (await gql(http, None, metrics, u=TRAINER, y=year))["institutionMetrics"]
    assert found["kind"] == "TRAINING" and found["trainees"] == 5 and found["completions"] == 3
    assert found["attendanceRate"] == pytest.approx(0.95)
    assert found["employment"]["rate"] == 0.75
    evaluator = (await gql(http, None, metrics, u=EVALUATOR, y=year))["institutionMetrics"]
    assert evaluator["candidates"] == 0 and evaluator["passRate"] is None
    body = await post(http, None, metrics, u=make_uscc(859), y=year)
    assert body["errors"][0]["extensions"]["code"] == "INSTITUTION_NOT_FOUND"


# mutation -> (document, variables, labels allowed to call it); `$n` is filled in at run time.
MATRIX: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "submitTrainingCohort": (
        SUBMIT,
        {"input": cohort_input("matrix-cohort-01", PEOPLE[:1])},
        {"trainer", "other_trainer"},
    ),
    "revokeTrainingCertificate": (
        """mutation ($n: String!) { revokeTrainingCertificate(number: $n, reason: "x") {
             userErrors { code } } }""",
        {},
        {"trainer", "office"},
    ),
    "reportEmploymentRate": (
        """mutation { reportEmploymentRate(year: 2025, surveyed: 10, employed: 5,
             source: "survey") { userErrors { code } } }""",
        {},
        {"trainer", "other_trainer", "evaluator"},
    ),
}
STATE = (
    "training_cohorts",
    "trainees",
    "training_certificates",
    "ce_credits",
    "employment_reports",
)


async def test_every_training_mutation_is_refused_for_every_other_role(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    certificate = await db.training_certificates.find_one({"institution": TRAINER})
    assert certificate is not None
    for mutation, (document, variables, allowed) in MATRIX.items():
        for caller in ["anonymous", *t]:
            if caller in allowed:
                continue
            before = [await db[c].find().sort("_id", 1).to_list() for c in STATE]
            audit_before = await db.audit_log.count_documents({})
            token = None if caller == "anonymous" else t[caller]
            body = await post(http, token, document, **variables, n=certificate["_id"])
            assert body.get("errors"), (mutation, caller, body)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (mutation, caller)
            assert body["errors"][0]["message"], (mutation, caller)
            assert [await db[c].find().sort("_id", 1).to_list() for c in STATE] == before
            assert await db.audit_log.count_documents({}) == audit_before, (mutation, caller)


async def test_a_training_certificate_shows_its_occupation_as_issued(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    """As an assessment certificate does: a later catalogue edit leaves the name it was issued
    under; one issued after the edit shows the new name. (Last in this module: it renames.)"""

    async def issued(key: str, tag: str) -> tuple[str, str]:
        """A new cohort's first training certificate and its holder's name."""
        people = [(f"{tag}{c}", make_id_number(RNG)) for c in "子丑"]
        done = await gql(http, t["trainer"], SUBMIT, input=cohort_input(key, people))
        first = done["submitTrainingCohort"]["cohort"]["trainees"][0]
        return first["trainingCertificate"], people[0][0]

    old, old_holder = await issued("api-cohort-pre-rename", "改名前")
    named = 'query { occupation(code: "2-02-10-09") { name } }'
    first = (await gql(http, None, named))["occupation"]
    renamed = first["name"] + "（修订名称）"
    edit = """mutation ($input: OccupationInput!) { editOccupation(code: "2-02-10-09",
      input: $input) { occupation { name version } userErrors { code } } }"""
    edited = (await gql(http, t["office"], edit, input={"name": renamed}))["editOccupation"]
    assert edited["userErrors"] == [] and edited["occupation"]["name"] == renamed
    new, new_holder = await issued("api-cohort-post-rename", "改名后")
    lookup = """query ($n: String!, $h: String!) { trainingCertificate(number: $n, holderName: $h) {
      occupation { name } } }"""
    before = await gql(http, None, lookup, n=old, h=old_holder)
    after = await gql(http, None, lookup, n=new, h=new_holder)
    assert before["trainingCertificate"]["occupation"]["name"] == first["name"]
    assert after["trainingCertificate"]["occupation"]["name"] == renamed
