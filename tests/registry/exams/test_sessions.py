"""Exam sessions before results (notice 三(五)–(六)): announcing, registering with the 告知承诺
commitment and a cited training certificate, confirming the list with reasons, and a results
batch for a session carrying only its confirmed candidates. The refusals each have their test."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput, ResultInput
from registry.errors import Forbidden
from registry.exams import confirmation, registrations, sessions
from registry.exams.confirmation import Decision
from registry.exams.registrations import RegistrationInput
from registry.exams.sessions import SessionInput
from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.training import submission as training
from registry.training.validation import CohortInput, TraineeInput
from tests.factories import listed_institution, make_id_number, make_uscc

EVALUATOR = make_uscc(1801)
OTHER = make_uscc(1802)
TRAINER = make_uscc(1803)
PERSONAL = PersonalData(b"x" * 32)
TODAY = clock.today()
EXAM = TODAY - dt.timedelta(days=3)
BEFORE = dt.datetime.combine(EXAM - dt.timedelta(days=20), dt.time(2), tzinfo=dt.UTC)
RNG = random.Random(1801)
PEOPLE = [(f"考生{i:02d}", make_id_number(RNG)) for i in range(6)]
OCCUPATION, DIRECTION = "2-02-38-01", "计算机视觉产品实现"


def me(uscc: str = EVALUATOR) -> Principal:
    return Principal(Role.EVALUATION_INSTITUTION, "t", f"tok-{uscc[-4:]}", institution=uscc)


def spec(key: str, capacity: int = 10) -> SessionInput:
    return SessionInput(key, OCCUPATION, 1, EXAM, capacity, DIRECTION, place="福州市鼓楼区考点")


def person(session: str, i: int, training: str | None = None) -> RegistrationInput:
    name, idn = PEOPLE[i]
    return RegistrationInput(session, name, idn, "告知承诺书 v2026.1", BEFORE, training)


def result(i: int) -> ResultInput:
    name, idn = PEOPLE[i]
    return ResultInput(name, idn, OCCUPATION, 1, 80, 75, direction=DIRECTION)


@pytest.fixture(scope="module", autouse=True)
async def institutions(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, EVALUATOR, filed="2025-01-06")
    await listed_institution(db, OTHER, filed="2025-01-06")
    scope = [(OCCUPATION, DIRECTION, 1)]
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06", scope=scope)


async def announce(db: Database, key: str, capacity: int = 10) -> str:
    created = await sessions.announce(db, me(), spec(key, capacity), now=BEFORE)
    return str(created.document["_id"])


async def register_all(db: Database, sid: str, count: int) -> list[str]:
    """The ids of PEOPLE[:count] registered for `sid`."""
    made = [
        await registrations.register(db, me(), person(sid, i), PERSONAL, now=BEFORE)
        for i in range(count)
    ]
    return [str(m.document["_id"]) for m in made]


async def training_certificate(db: Database, i: int) -> str:
    """A real training certificate of PEOPLE[i], from a reported cohort."""
    name, idn = PEOPLE[i]
    trainer = Principal(Role.TRAINING_INSTITUTION, "t", "tok-tr", institution=TRAINER)
    trainee = TraineeInput(name, idn, 64, 0.95, True)
    cohort = CohortInput(
        f"cohort-{i}-0001",
        EXAM - dt.timedelta(days=60),
        EXAM - dt.timedelta(days=30),
        OCCUPATION,
        1,
        64,
        [trainee],
        DIRECTION,
    )
    await training.submit(db, trainer, cohort, PERSONAL)
    found = await db[Collection.TRAINING_CERTIFICATES].find_one(
        {"id_hash": PERSONAL.lookup_hash(idn)}
    )
    assert found is not None
    return str(found["_id"])


async def test_a_session_is_announced_once_and_audited(db: Database) -> None:
    first = await sessions.announce(db, me(), spec("session-once-01"), now=BEFORE)
    again = await sessions.announce(db, me(), spec("session-once-01"), now=BEFORE)
    assert not first.replayed and again.replayed
    assert again.document["_id"] == first.document["_id"]
    assert first.document["status"] == "ANNOUNCED"
    entries = await db[Collection.AUDIT_LOG].count_documents(
        {"action": "exams.announceSession", "entity": f"exam_session:{first.document['_id']}"}
    )
    assert entries == 1


async def test_announcing_checks_scope_place_and_capacity(db: Database) -> None:
    bad = SessionInput("session-bad-01", "2-02-38-03", 2, EXAM, 0, None)
    with pytest.raises(Rejected) as caught:
        await sessions.announce(db, me(), bad, now=BEFORE)
    codes = {(p.field, p.code) for p in caught.value.problems}
    assert ("capacity", "INVALID_CAPACITY") in codes
    assert ("place", "PLACE_OR_ONLINE") in codes
    assert any(code == "OUT_OF_SCOPE" for _, code in codes)
    trainer = Principal(Role.TRAINING_INSTITUTION, "t", "tok-tr", institution=TRAINER)
    with pytest.raises(Forbidden):
        await sessions.announce(db, trainer, spec("session-bad-02"), now=BEFORE)


async def test_registration_over_capacity_is_refused(db: Database) -> None:
    sid = await announce(db, "session-full-01", capacity=2)
    for i in range(2):
        await registrations.register(db, me(), person(sid, i), PERSONAL, now=BEFORE)
    with pytest.raises(Rejected) as caught:
        await registrations.register(db, me(), person(sid, 2), PERSONAL, now=BEFORE)
    assert caught.value.code == "SESSION_FULL"
    # A retry of a registration that was taken is answered, not counted again.
    again = await registrations.register(db, me(), person(sid, 0), PERSONAL, now=BEFORE)
    assert again.replayed
    session = await db[Collection.EXAM_SESSIONS].find_one({"_id": sid})
    assert session is not None and session["registered"] == 2


async def test_a_non_owner_institution_cannot_register_or_confirm(db: Database) -> None:
    sid = await announce(db, "session-owner-01")
    with pytest.raises(Forbidden):
        await registrations.register(db, me(OTHER), person(sid, 0), PERSONAL, now=BEFORE)
    with pytest.raises(Forbidden):
        await confirmation.confirm_list(db, me(OTHER), sid, [])
    assert await db[Collection.EXAM_REGISTRATIONS].count_documents({"session": sid}) == 0


async def test_a_cited_training_certificate_of_another_person_is_refused(db: Database) -> None:
    sid = await announce(db, "session-train-01")
    theirs = await training_certificate(db, 4)
    with pytest.raises(Rejected) as caught:
        await registrations.register(db, me(), person(sid, 3, theirs), PERSONAL, now=BEFORE)
    assert caught.value.code == "TRAINING_CERTIFICATE_OTHER_PERSON"
    assert caught.value.field == "trainingCertificate"
    own = await registrations.register(db, me(), person(sid, 4, theirs), PERSONAL, now=BEFORE)
    assert own.document["training_certificate"] == theirs
    assert own.document["commitment"]["version"] == "告知承诺书 v2026.1"
    assert "id_number" not in own.document and PEOPLE[4][1] not in str(own.document)


async def test_the_list_needs_every_decision_and_a_reason_per_refusal(db: Database) -> None:
    sid = await announce(db, "session-list-01")
    ids = await register_all(db, sid, 3)
    with pytest.raises(Rejected) as caught:
        await confirmation.confirm_list(
            db, me(), sid, [Decision(ids[0], True), Decision(ids[1], False)]
        )
    codes = {(p.field, p.code) for p in caught.value.problems}
    assert ("decisions[1].reason", "REASON_REQUIRED") in codes
    assert ("decisions", "UNDECIDED_REGISTRATION") in codes
    # The candidate is told a refusal's reason: it may not hold an ID number.
    number = PEOPLE[1][1]
    with pytest.raises(Rejected) as caught:
        await confirmation.confirm_list(
            db,
            me(),
            sid,
            [
                Decision(ids[0], True),
                Decision(ids[1], False, f"证件 {number} 不符"),
                Decision(ids[2], True),
            ],
        )
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("decisions[1].reason", "ID_NUMBER_OUT_OF_PLACE")
    ]
    assert number not in str(caught.value.problems)
    assert (
        await db[Collection.EXAM_REGISTRATIONS].count_documents(
            {"session": sid, "status": "REGISTERED"}
        )
        == 3
    )  # nothing written
    decisions = [
        Decision(ids[0], True),
        Decision(ids[1], False, "无培训证书且不满足免培条件"),
        Decision(ids[2], True),
    ]
    done = await confirmation.confirm_list(db, me(), sid, decisions)
    assert done["status"] == "LIST_CONFIRMED"
    assert (await confirmation.confirm_list(db, me(), sid, decisions))["revision"] == done[
        "revision"
    ]
    with pytest.raises(Rejected) as late:
        await registrations.register(db, me(), person(sid, 5), PERSONAL, now=BEFORE)
    assert late.value.code == "REGISTRATION_CLOSED"


async def test_a_session_batch_carries_only_confirmed_candidates(db: Database) -> None:
    sid = await announce(db, "session-batch-01")
    ids = await register_all(db, sid, 2)
    await confirmation.confirm_list(
        db, me(), sid, [Decision(ids[0], True), Decision(ids[1], False, "工作年限不足")]
    )
    rows = [result(0), result(1), result(5)]  # confirmed, refused, never registered
    with pytest.raises(Rejected) as caught:
        await submit(db, me(), BatchInput("batch-session-01", EXAM, rows, session=sid), PERSONAL)
    found = {(p.field, p.code): p.message for p in caught.value.problems}
    assert ("results[1].idNumber", "CANDIDATE_NOT_CONFIRMED") in found
    assert "工作年限不足" in found[("results[1].idNumber", "CANDIDATE_NOT_CONFIRMED")]
    assert ("results[2].idNumber", "CANDIDATE_NOT_CONFIRMED") in found
    assert not any(f.startswith("results[0]") for f, _ in found)
    for message in found.values():
        assert not any(idn in message for _, idn in PEOPLE)
    ok = await submit(
        db, me(), BatchInput("batch-session-02", EXAM, [result(0)], session=sid), PERSONAL
    )
    assert ok.batch["session"] == sid


async def test_a_batch_names_only_its_own_confirmed_session(db: Database) -> None:
    open_sid = await announce(db, "session-open-01")
    cases = {
        (open_sid, me()): "SESSION_LIST_NOT_CONFIRMED",
        (open_sid, me(OTHER)): "EXAM_SESSION_NOT_FOUND",
        ("exs_nothing_here", me()): "EXAM_SESSION_NOT_FOUND",
    }
    for i, ((sid, who), code) in enumerate(cases.items()):
        batch = BatchInput(f"batch-named-{i:02d}", EXAM, [result(0)], session=sid)
        with pytest.raises(Rejected) as caught:
            await submit(db, who, batch, PERSONAL)
        assert ("session", code) in {(p.field, p.code) for p in caught.value.problems}, code


async def test_a_batch_naming_no_session_is_checked_as_before(db: Database) -> None:
    done = await submit(db, me(), BatchInput("batch-nosession-01", EXAM, [result(3)]), PERSONAL)
    assert done.batch["session"] is None
