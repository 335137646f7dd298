"""Exam sessions through the GraphQL API with real tokens: announced, candidates registered, the
list confirmed with a refusal, a results batch for the session refused for the candidate not
confirmed and accepted for the confirmed one; another institution is refused; no ID number in
any answer; the registrations are personal (no-store)."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from tests.client import gql, post
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

EVALUATOR = make_uscc(1811)
OTHER = make_uscc(1812)
TRAINER = make_uscc(1813)
TODAY = clock.today()
RNG = random.Random(1811)
PEOPLE = [(f"考生{c}", make_id_number(RNG)) for c in "甲乙丙"]

ANNOUNCE = """mutation ($input: ExamSessionInput!) { announceExamSession(input: $input) {
  replayed session { id status capacity registered level examDate }
  userErrors { field code message } } }"""
REGISTER = """mutation ($input: ExamRegistrationInput!) { registerExamCandidate(input: $input) {
  replayed registration { id holderName status commitment { version at } }
  userErrors { field code message } } }"""
CONFIRM = """mutation ($s: String!, $d: [ListDecisionInput!]!) {
  confirmExamRegistrationList(session: $s, decisions: $d) {
  session { id status } userErrors { field code message } } }"""
LIST = """query ($id: String!) { examRegistrations(session: $id) {
  holderName status refusal } }"""
SUBMIT = """mutation ($input: AssessmentBatchInput!) { submitAssessmentBatch(input: $input) {
  batch { id } userErrors { field code message } } }"""


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, EVALUATOR, filed="2025-01-06")
    await listed_institution(db, OTHER, filed="2025-01-06")
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06")
    specs = {
        "evaluator": (Role.EVALUATION_INSTITUTION, EVALUATOR, None),
        "other": (Role.EVALUATION_INSTITUTION, OTHER, None),
        "trainer": (Role.TRAINING_INSTITUTION, TRAINER, None),
        "prov35": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "office": (Role.OFFICE_ADMIN, None, None),
    }
    return await make_tokens(db, specs)


def registration(session: str, i: int) -> dict[str, Any]:
    return {
        "session": session,
        "name": PEOPLE[i][0],
        "idNumber": PEOPLE[i][1],
        "commitmentVersion": "告知承诺书 v2026.1",
        "committedAt": f"{TODAY.isoformat()}T00:00:00+00:00",
    }


def batch(key: str, session: str, people: list[int]) -> dict[str, Any]:
    rows = [
        {
            "name": PEOPLE[i][0],
            "idNumber": PEOPLE[i][1],
            "occupation": "2-02-38-01",
            "direction": "计算机视觉产品实现",
            "level": "JUNIOR",
            "theoryScore": 80,
            "skillScore": 70,
        }
        for i in people
    ]
    return {
        "idempotencyKey": key,
        "examDate": TODAY.isoformat(),
        "session": session,
        "results": rows,
    }


def session_spec(key: str, capacity: int, **where: Any) -> dict[str, Any]:
    return {
        "idempotencyKey": key,
        "occupation": "2-02-38-01",
        "level": "JUNIOR",
        "direction": "计算机视觉产品实现",
        "examDate": TODAY.isoformat(),
        "capacity": capacity,
        **where,
    }


def no_id_number(body: object) -> None:
    assert not any(idn in str(body) for _, idn in PEOPLE)


async def test_a_session_from_announcement_to_results(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    spec = session_spec("api-session-01", 2, place="福州市鼓楼区考点")
    made = (await gql(http, t["evaluator"], ANNOUNCE, input=spec))["announceExamSession"]
    assert made["userErrors"] == [] and made["session"]["status"] == "ANNOUNCED"
    sid = made["session"]["id"]
    ids = []
    for i in range(2):
        done = await gql(http, t["evaluator"], REGISTER, input=registration(sid, i))
        no_id_number(done)
        ids.append(done["registerExamCandidate"]["registration"]["id"])
    full = await gql(http, t["evaluator"], REGISTER, input=registration(sid, 2))
    assert [e["code"] for e in full["registerExamCandidate"]["userErrors"]] == ["SESSION_FULL"]
    other = await post(http, t["other"], REGISTER, input=registration(sid, 2))
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    decisions = [
        {"registration": ids[0], "confirmed": True},
        {"registration": ids[1], "confirmed": False, "reason": "不满足申报条件"},
    ]
    confirmed = await gql(http, t["evaluator"], CONFIRM, s=sid, d=decisions)
    assert confirmed["confirmExamRegistrationList"]["session"]["status"] == "LIST_CONFIRMED"
    response = await http.post(
        "/graphql",
        json={"query": LIST, "variables": {"id": sid}},
        headers={"authorization": f"Bearer {t['evaluator']}"},
    )
    assert response.headers["cache-control"] == "no-store"
    listed = response.json()["data"]["examRegistrations"]
    assert [r["status"] for r in listed] == ["CONFIRMED", "REFUSED"]
    no_id_number(response.json())
    refused = await gql(http, t["evaluator"], SUBMIT, input=batch("api-batch-01", sid, [0, 1, 2]))
    errors = refused["submitAssessmentBatch"]["userErrors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("results[1].idNumber", "CANDIDATE_NOT_CONFIRMED"),
        ("results[2].idNumber", "CANDIDATE_NOT_CONFIRMED"),
    }
    no_id_number(errors)
    ok = await gql(http, t["evaluator"], SUBMIT, input=batch("api-batch-02", sid, [0]))
    assert ok["submitAssessmentBatch"]["userErrors"] == []
    assert ok["submitAssessmentBatch"]["batch"]["id"]


OPEN = """mutation ($input: OpenAssessmentBatchInput!) { openAssessmentBatch(input: $input) {
  batch { batchId status session } userErrors { field code message } } }"""
PART = """mutation ($id: String!, $n: Int!, $rows: [AssessmentResultInput!]!) {
  addAssessmentBatchPart(batchId: $id, part: $n, results: $rows) {
  part { number } userErrors { field code message } } }"""


async def confirmed_session(http: httpx.AsyncClient, t: dict[str, str], key: str) -> str:
    """A session of "evaluator": PEOPLE[0] confirmed, PEOPLE[1] refused, PEOPLE[2] absent."""
    made = await gql(http, t["evaluator"], ANNOUNCE, input=session_spec(key, 5, online=True))
    sid: str = made["announceExamSession"]["session"]["id"]
    ids = [
        (await gql(http, t["evaluator"], REGISTER, input=registration(sid, i)))[
            "registerExamCandidate"
        ]["registration"]["id"]
        for i in range(2)
    ]
    decisions = [
        {"registration": ids[0], "confirmed": True},
        {"registration": ids[1], "confirmed": False, "reason": "不满足申报条件"},
    ]
    await gql(http, t["evaluator"], CONFIRM, s=sid, d=decisions)
    return sid


async def test_a_batch_in_parts_names_the_session(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    sid = await confirmed_session(http, t, "api-session-parts-01")
    header = {"idempotencyKey": "api-parts-01", "examDate": TODAY.isoformat(), "resultCount": 2}
    theirs = await gql(http, t["other"], OPEN, input={**header, "session": sid})
    assert [(e["field"], e["code"]) for e in theirs["openAssessmentBatch"]["userErrors"]] == [
        ("session", "EXAM_SESSION_NOT_FOUND")
    ]
    opened = (await gql(http, t["evaluator"], OPEN, input={**header, "session": sid}))[
        "openAssessmentBatch"
    ]
    assert opened["userErrors"] == [] and opened["batch"]["session"] == sid
    rows = batch("unused", sid, [0, 1, 2])["results"]
    refused = await gql(http, t["evaluator"], PART, id=opened["batch"]["batchId"], n=1, rows=rows)
    errors = refused["addAssessmentBatchPart"]["userErrors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("results[1].idNumber", "CANDIDATE_NOT_CONFIRMED"),
        ("results[2].idNumber", "CANDIDATE_NOT_CONFIRMED"),
    }
    no_id_number(errors)


CANCEL = """mutation ($r: String!, $why: String!) {
  cancelExamRegistration(registration: $r, reason: $why) {
  replayed registration { id status cancellation } userErrors { field code message } } }"""
SESSION = """query ($id: String!) { examSession(id: $id) { registered status } }"""


async def test_a_registration_is_cancelled_before_the_list_and_its_place_freed(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    made = await gql(
        http, t["evaluator"], ANNOUNCE, input=session_spec("api-cancel-01", 1, online=True)
    )
    sid = made["announceExamSession"]["session"]["id"]
    rid = (await gql(http, t["evaluator"], REGISTER, input=registration(sid, 0)))[
        "registerExamCandidate"
    ]["registration"]["id"]
    no_reason = await gql(http, t["evaluator"], CANCEL, r=rid, why=" ")
    assert [e["code"] for e in no_reason["cancelExamRegistration"]["userErrors"]] == [
        "REASON_REQUIRED"
    ]
    done = (await gql(http, t["evaluator"], CANCEL, r=rid, why="考生撤回"))[
        "cancelExamRegistration"
    ]
    assert done["userErrors"] == [] and not done["replayed"]
    assert done["registration"] == {"id": rid, "status": "CANCELLED", "cancellation": "考生撤回"}
    again = (await gql(http, t["evaluator"], CANCEL, r=rid, why="考生撤回"))[
        "cancelExamRegistration"
    ]
    assert again["replayed"] and again["registration"]["status"] == "CANCELLED"
    assert (await gql(http, None, SESSION, id=sid))["examSession"]["registered"] == 0
    # The freed place is taken by another candidate (the session holds one).
    other = await gql(http, t["evaluator"], REGISTER, input=registration(sid, 1))
    assert other["registerExamCandidate"]["userErrors"] == []
    listed = await gql(http, t["evaluator"], LIST, id=sid)
    assert [r["status"] for r in listed["examRegistrations"]] == ["CANCELLED", "REGISTERED"]


async def test_another_institution_sees_no_registrations(
    http: httpx.AsyncClient, t: dict[str, str]
) -> None:
    spec = session_spec("api-session-02", 5, online=True)
    sid = (await gql(http, t["evaluator"], ANNOUNCE, input=spec))["announceExamSession"]["session"][
        "id"
    ]
    body = await post(http, t["other"], LIST, id=sid)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    public = await post(http, None, LIST, id=sid)
    assert public["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}


# Every exam mutation, and who may make it (on the session `$s`, announced by "evaluator").
MATRIX: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "announceExamSession": (
        ANNOUNCE,
        {"input": session_spec("matrix-session-01", 3, online=True)},
        {"evaluator", "other"},
    ),
    "registerExamCandidate": (
        """mutation ($input: ExamRegistrationInput!) {
             registerExamCandidate(input: $input) { userErrors { code } } }""",
        {},
        {"evaluator"},
    ),
    "confirmExamRegistrationList": (
        """mutation ($s: String!) { confirmExamRegistrationList(session: $s, decisions: []) {
             userErrors { code } } }""",
        {},
        {"evaluator"},
    ),
    "cancelExamRegistration": (
        """mutation ($r: String!) { cancelExamRegistration(registration: $r, reason: "撤回") {
             userErrors { code } } }""",
        {},
        {"evaluator"},
    ),
}
STATE = ("exam_sessions", "exam_registrations")


async def test_every_exam_mutation_is_refused_for_every_other_role(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    made = await gql(
        http, t["evaluator"], ANNOUNCE, input=session_spec("matrix-own-01", 3, online=True)
    )
    sid = made["announceExamSession"]["session"]["id"]
    held = await gql(http, t["evaluator"], REGISTER, input=registration(sid, 0))
    rid = held["registerExamCandidate"]["registration"]["id"]
    for mutation, (document, variables, allowed) in MATRIX.items():
        for caller in ["anonymous", *t]:
            if caller in allowed:
                continue
            before = [await db[c].find().sort("_id", 1).to_list() for c in STATE]
            audit_before = await db.audit_log.count_documents({})
            token = None if caller == "anonymous" else t[caller]
            given = {"input": registration(sid, 0), **variables, "s": sid, "r": rid}
            body = await post(http, token, document, **given)
            assert body.get("errors"), (mutation, caller, body)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (mutation, caller)
            assert [await db[c].find().sort("_id", 1).to_list() for c in STATE] == before
            assert await db.audit_log.count_documents({}) == audit_before, (mutation, caller)
