"""A results batch in parts names its exam session (issue 18 item 2): the batch-level session
checks apply when it is opened, each part's rows are found on the confirmed list by the same row
rule as a one-request batch's, the session enters the idempotency digest as it does for a
one-request batch, and a batch in parts that names no session is what it was."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.certificates import binder, parts, review, submission
from registry.certificates.parts import BatchHeader
from registry.certificates.validation import ResultInput
from registry.exams import confirmation, registrations, sessions
from registry.exams.confirmation import Decision
from registry.exams.registrations import RegistrationInput
from registry.exams.sessions import SessionInput
from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.factories import make_uscc
from tests.registry.exams.support import (
    BEFORE,
    DIRECTION,
    EXAM,
    OCCUPATION,
    evaluator,
    listed_evaluators,
    passing,
    people,
)

EVALUATOR = make_uscc(1821)
OTHER = make_uscc(1822)
PERSONAL = PersonalData(b"s" * 32)
PEOPLE = people(1821, "分批考生", 6)


def me(uscc: str = EVALUATOR) -> Principal:
    return evaluator(uscc)


def result(i: int) -> ResultInput:
    return passing(PEOPLE[i])


@pytest.fixture(scope="module", autouse=True)
async def institutions(db: Database) -> None:
    await listed_evaluators(db, EVALUATOR, OTHER)


async def confirmed_session(db: Database, key: str, refuse: str | None = "工作年限不足") -> str:
    """A session of EVALUATOR with PEOPLE[0:3] registered: 0 and 1 confirmed, 2 refused with
    `refuse`; 3 and later never registered."""
    spec = SessionInput(key, OCCUPATION, 1, EXAM, 10, DIRECTION, place="福州市鼓楼区考点")
    sid = str((await sessions.announce(db, me(), spec, now=BEFORE)).document["_id"])
    ids = []
    for name, idn in PEOPLE[:3]:
        made = await registrations.register(
            db, me(), RegistrationInput(sid, name, idn, "告知承诺书 v2026.1", BEFORE), PERSONAL
        )
        ids.append(str(made.document["_id"]))
    decisions = [Decision(ids[0], True), Decision(ids[1], True), Decision(ids[2], False, refuse)]
    await confirmation.confirm_list(db, me(), sid, decisions, now=BEFORE)
    return sid


async def test_a_part_row_of_an_unconfirmed_candidate_is_refused_by_row(db: Database) -> None:
    sid = await confirmed_session(db, "parts-session-01")
    header = BatchHeader("parts-session-batch-01", EXAM, 5, session=sid)
    opened = await parts.open_batch(db, me(), header, personal=PERSONAL)
    bid = opened.batch["_id"]
    assert opened.batch["session"] == sid
    await parts.add_part(db, me(), bid, 1, [result(0)], PERSONAL)
    with pytest.raises(Rejected) as caught:
        await parts.add_part(db, me(), bid, 2, [result(1), result(2), result(3)], PERSONAL)
    found = {(p.field, p.code): p.message for p in caught.value.problems}
    # Rows are named by their place in the batch: part 2 starts at row 2 (results[1]).
    assert set(found) == {
        ("results[2].idNumber", "CANDIDATE_NOT_CONFIRMED"),
        ("results[3].idNumber", "CANDIDATE_NOT_CONFIRMED"),
    }
    assert "工作年限不足" in found["results[2].idNumber", "CANDIDATE_NOT_CONFIRMED"]
    assert "not registered" in found["results[3].idNumber", "CANDIDATE_NOT_CONFIRMED"]
    assert not any(idn in str(caught.value.problems) for _, idn in PEOPLE)
    stored = await db[Collection.BATCH_PARTS].count_documents({"batch": bid})
    assert stored == 1  # nothing of the refused part is kept


async def test_a_part_row_outside_the_sessions_occupation_is_refused(db: Database) -> None:
    sid = await confirmed_session(db, "parts-session-02")
    header = BatchHeader("parts-session-batch-02", EXAM, 1, session=sid)
    bid = (await parts.open_batch(db, me(), header, personal=PERSONAL)).batch["_id"]
    other_level = ResultInput(*PEOPLE[0], OCCUPATION, 2, 80, 75, direction=DIRECTION)
    with pytest.raises(Rejected) as caught:
        await parts.add_part(db, me(), bid, 1, [other_level], PERSONAL)
    assert ("results[0].occupation", "SESSION_MISMATCH") in {
        (p.field, p.code) for p in caught.value.problems
    }


async def test_a_batch_in_parts_names_only_its_own_confirmed_session(db: Database) -> None:
    mine = await confirmed_session(db, "parts-session-03")
    spec = SessionInput("parts-session-04", OCCUPATION, 1, EXAM, 10, DIRECTION, online=True)
    unconfirmed = str((await sessions.announce(db, me(), spec, now=BEFORE)).document["_id"])
    cases = [
        (me(OTHER), mine, EXAM, ("session", "EXAM_SESSION_NOT_FOUND")),
        (me(), "exs_nothing_here", EXAM, ("session", "EXAM_SESSION_NOT_FOUND")),
        (me(), unconfirmed, EXAM, ("session", "SESSION_LIST_NOT_CONFIRMED")),
        (me(), mine, EXAM - dt.timedelta(days=1), ("examDate", "SESSION_DATE_MISMATCH")),
    ]
    before = await db[Collection.BATCHES].count_documents({})
    for i, (who, sid, exam, problem) in enumerate(cases):
        header = BatchHeader(f"parts-named-{i:02d}", exam, 3, session=sid)
        with pytest.raises(Rejected) as caught:
            await parts.open_batch(db, who, header, personal=PERSONAL)
        assert problem in {(p.field, p.code) for p in caught.value.problems}, problem
    assert await db[Collection.BATCHES].count_documents({}) == before  # none opened


async def test_the_session_is_part_of_the_opening_digest(db: Database) -> None:
    sid = await confirmed_session(db, "parts-session-05")
    named = BatchHeader("parts-digest-0001", EXAM, 2, session=sid)
    first = await parts.open_batch(db, me(), named, personal=PERSONAL)
    again = await parts.open_batch(db, me(), named, personal=PERSONAL)
    assert again.replayed and again.batch["_id"] == first.batch["_id"]
    unnamed = BatchHeader("parts-digest-0001", EXAM, 2)
    with pytest.raises(Rejected) as caught:
        await parts.open_batch(db, me(), unnamed, personal=PERSONAL)
    assert [p.code for p in caught.value.problems] == ["IDEMPOTENCY_KEY_REUSED"]


async def test_a_batch_in_parts_with_a_session_is_closed_and_bound(db: Database) -> None:
    sid = await confirmed_session(db, "parts-session-06")
    header = BatchHeader("parts-session-batch-06", EXAM, 2, session=sid)
    bid = (await parts.open_batch(db, me(), header, personal=PERSONAL)).batch["_id"]
    await parts.add_part(db, me(), bid, 1, [result(0)], PERSONAL)
    await parts.add_part(db, me(), bid, 2, [result(1)], PERSONAL)
    closed = await parts.close_batch(db, me(), bid, PERSONAL)
    assert closed.batch["status"] == "BINDING"
    assert await binder.bind_batch(db, PERSONAL, bid, run="test") == 2
    batch = await review.load(db, bid)
    assert (batch["status"], batch["session"]) == ("SUBMITTED", sid)


async def test_a_batch_in_parts_naming_no_session_is_as_before(db: Database) -> None:
    header = BatchHeader("parts-nosession-01", EXAM, 1)
    opened = await parts.open_batch(db, me(), header)
    # The digest of a batch that names no session is the one it always was.
    legacy = submission.digest_of(
        {"parts": True, "examDate": EXAM.isoformat(), "lateReason": "", "resultCount": 1}
    )
    assert opened.batch["digest"] == legacy and opened.batch["session"] is None
    # A batch opened before sessions existed has no session field; it takes parts as before.
    bid = opened.batch["_id"]
    await db[Collection.BATCHES].update_one({"_id": bid}, {"$unset": {"session": ""}})
    part = await parts.add_part(db, me(), bid, 1, [result(4)], PERSONAL)  # never registered
    assert part.part["size"] == 1
    assert (await parts.close_batch(db, me(), bid, PERSONAL)).batch["status"] == "BINDING"
