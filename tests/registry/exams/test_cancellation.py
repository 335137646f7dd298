"""Cancelling a registration before the list is confirmed (issue 18 item 2): the candidate
withdraws with a reason, the place is freed, the move is audited and safe to retry, refused once
the list is confirmed; the person may register again as a new registration, the cancelled one
kept as it was."""

from __future__ import annotations

import pytest

from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput
from registry.errors import Forbidden, NotFound
from registry.exams import cancellation, confirmation, registrations, sessions
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

EVALUATOR = make_uscc(1841)
OTHER = make_uscc(1842)
PERSONAL = PersonalData(b"c" * 32)
PEOPLE = people(1841, "撤回考生", 4)
WITHDRAWN = "考生本人申请撤回报名（工作冲突）"


def me(uscc: str = EVALUATOR) -> Principal:
    return evaluator(uscc)


def person(session: str, i: int, version: str = "告知承诺书 v2026.1") -> RegistrationInput:
    return RegistrationInput(session, *PEOPLE[i], version, BEFORE)


@pytest.fixture(scope="module", autouse=True)
async def institutions(db: Database) -> None:
    await listed_evaluators(db, EVALUATOR, OTHER)


async def announce(db: Database, key: str, capacity: int = 10) -> str:
    spec = SessionInput(key, OCCUPATION, 1, EXAM, capacity, DIRECTION, place="福州市鼓楼区考点")
    return str((await sessions.announce(db, me(), spec, now=BEFORE)).document["_id"])


async def register(db: Database, sid: str, i: int) -> str:
    made = await registrations.register(db, me(), person(sid, i), PERSONAL, now=BEFORE)
    return str(made.document["_id"])


async def taken(db: Database, sid: str) -> int:
    session = await db[Collection.EXAM_SESSIONS].find_one({"_id": sid})
    assert session is not None
    return int(session["registered"])


async def audited(db: Database, rid: str) -> int:
    return await db[Collection.AUDIT_LOG].count_documents(
        {"action": "exams.cancelRegistration", "entity": f"exam_registration:{rid}"}
    )


async def test_cancelling_frees_the_place_once_and_is_audited(db: Database) -> None:
    sid = await announce(db, "cancel-place-01", capacity=2)
    first, _ = await register(db, sid, 0), await register(db, sid, 1)
    with pytest.raises(Rejected) as full:
        await register(db, sid, 2)
    assert full.value.code == "SESSION_FULL"
    done = await cancellation.cancel(db, me(), first, WITHDRAWN)
    assert not done.replayed
    assert (done.document["status"], done.document["cancellation"]) == ("CANCELLED", WITHDRAWN)
    assert done.document["history"][-1]["reason"] == WITHDRAWN
    assert await taken(db, sid) == 1 and await audited(db, first) == 1
    again = await cancellation.cancel(db, me(), first, WITHDRAWN)  # a retry
    assert again.replayed and again.document["revision"] == done.document["revision"]
    assert await taken(db, sid) == 1 and await audited(db, first) == 1
    await register(db, sid, 2)  # the freed place is taken
    assert await taken(db, sid) == 2


async def test_a_cancellation_needs_a_reason_and_the_announcing_institution(
    db: Database,
) -> None:
    sid = await announce(db, "cancel-refused-01")
    rid = await register(db, sid, 0)
    for reason in (None, "   ", "长" * 2001):
        with pytest.raises(Rejected) as caught:
            await cancellation.cancel(db, me(), rid, reason)
        assert [(p.field, p.code) for p in caught.value.problems] == [("reason", "REASON_REQUIRED")]
    with pytest.raises(Forbidden):
        await cancellation.cancel(db, me(OTHER), rid, WITHDRAWN)
    with pytest.raises(NotFound) as unknown:
        await cancellation.cancel(db, me(), f"{sid}:nobody", WITHDRAWN)
    assert unknown.value.code == "REGISTRATION_NOT_FOUND"
    stored = await db[Collection.EXAM_REGISTRATIONS].find_one({"_id": rid})
    assert stored is not None and stored["status"] == "REGISTERED"
    assert await taken(db, sid) == 1 and await audited(db, rid) == 0


async def test_nothing_is_cancelled_once_the_list_is_confirmed(db: Database) -> None:
    sid = await announce(db, "cancel-closed-01")
    ok, no = await register(db, sid, 0), await register(db, sid, 1)
    decisions = [Decision(ok, True), Decision(no, False, "工作年限不足")]
    await confirmation.confirm_list(db, me(), sid, decisions, now=BEFORE)
    for rid in (ok, no):
        with pytest.raises(Rejected) as caught:
            await cancellation.cancel(db, me(), rid, WITHDRAWN)
        assert [(p.field, p.code) for p in caught.value.problems] == [
            ("session", "REGISTRATION_CLOSED")
        ]
    assert await taken(db, sid) == 2


async def test_a_cancelled_person_registers_again_as_a_new_registration(db: Database) -> None:
    sid = await announce(db, "cancel-again-01")
    old = await register(db, sid, 0)
    gone = await register(db, sid, 1)  # cancelled and never back
    await cancellation.cancel(db, me(), old, WITHDRAWN)
    await cancellation.cancel(db, me(), gone, "考生放弃")
    spec = person(sid, 0, "告知承诺书 v2026.2")
    back = await registrations.register(db, me(), spec, PERSONAL, now=BEFORE)
    assert not back.replayed and back.document["_id"] == f"{old}:2"
    retry = await registrations.register(db, me(), spec, PERSONAL, now=BEFORE)
    assert retry.replayed and retry.document["_id"] == back.document["_id"]
    kept = await db[Collection.EXAM_REGISTRATIONS].find_one({"_id": old})
    assert kept is not None
    assert (kept["status"], kept["commitment"]["version"]) == ("CANCELLED", "告知承诺书 v2026.1")
    # A late retry of the first cancellation answers the old record; the new one stays.
    late = await cancellation.cancel(db, me(), old, WITHDRAWN)
    assert late.replayed and late.document["_id"] == old
    assert await taken(db, sid) == 1
    # The list decides the registrations waiting; a cancelled one is no longer among them.
    with pytest.raises(Rejected) as stale:
        await confirmation.confirm_list(db, me(), sid, [Decision(old, True)], now=BEFORE)
    assert ("decisions[0].registration", "REGISTRATION_NOT_FOUND") in {
        (p.field, p.code) for p in stale.value.problems
    }
    await confirmation.confirm_list(
        db, me(), sid, [Decision(str(back.document["_id"]), True)], now=BEFORE
    )
    rows = [passing(PEOPLE[i]) for i in (0, 1)]
    with pytest.raises(Rejected) as caught:
        await submit(db, me(), BatchInput("cancel-batch-01", EXAM, rows, session=sid), PERSONAL)
    found = {(p.field, p.code): p.message for p in caught.value.problems}
    assert list(found) == [("results[1].idNumber", "CANDIDATE_NOT_CONFIRMED")]
    assert "cancelled: 考生放弃" in found["results[1].idNumber", "CANDIDATE_NOT_CONFIRMED"]
    done = await submit(
        db, me(), BatchInput("cancel-batch-02", EXAM, rows[:1], session=sid), PERSONAL
    )
    assert done.batch["counts"]["passed"] == 1
