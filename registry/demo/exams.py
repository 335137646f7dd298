"""The demo's exam sessions (notice 三(五)–(六)): the first demo evaluation institution (the one
the demo token acts for) announced a session before its exam, registered five candidates with
the 告知承诺 commitment, confirmed the list refusing one with a reason, and reported the results
of the confirmed four, which were then reviewed and published like every demo batch. A second
session, 30 days ahead, is still open: three candidates registered, one of whom withdrew (the
registration cancelled with its reason, the place freed)."""

from __future__ import annotations

import datetime as dt
import random

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.certificates.validation import BatchInput
from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.exams import cancellation, confirmation, registrations, sessions
from registry.institutions import directory
from registry.institutions.model import Institution, Kind
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database

MARKER = "demo_exams_v1"
OPEN_MARKER = "demo_exams_open_v1"
KEY = "demo-exam-session-1"
OPEN_KEY = "demo-exam-session-2"
OPEN_IN_DAYS = 30
WITHDRAWN = "演示：考生本人申请撤回报名"
EXAM_DAYS_AGO = 20
COMMITMENT = "告知承诺书（演示）v1"
REFUSAL = "演示：未满足申报条件（相关工作年限不足）"


def _at(day: dt.date, days: int) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(2), tzinfo=dt.UTC)


async def _evaluator(db: Database, exam: dt.date) -> Institution | None:
    """The first demo evaluation institution listed on the exam date: the demo token's own
    while its listing runs."""
    for planned, _, _ in demo.demo_institutions():
        inst = await directory.get(db, planned.uscc)
        if inst is not None and inst.kind is Kind.EVALUATION and inst.listed_on(exam):
            return inst
    return None


async def seed_exam_session(db: Database, settings: Settings) -> str | None:
    """Seed the sessions once each; the id of the confirmed one, or None when it was already
    seeded or the institution was not listed on the exam date."""
    sid = await _seed_confirmed_session(db, settings)
    await seed_open_session(db, settings)
    return sid


async def seed_open_session(db: Database, settings: Settings) -> str | None:
    """Seed the open session once; its id, or None when already seeded or the institution is
    not listed on its exam date."""
    if await db[Collection.DEMO_STATE].find_one({"_id": OPEN_MARKER}):
        return None
    exam = clock.today() + dt.timedelta(days=OPEN_IN_DAYS)
    inst = await _evaluator(db, exam)
    period = inst.listed_on(exam) if inst is not None else None
    if inst is None or period is None:
        return None
    entry = period.scope[0]
    me = Principal(Role.EVALUATION_INSTITUTION, "demo", "demo-inst", institution=inst.uscc)
    spec = sessions.SessionInput(
        OPEN_KEY, entry.occupation, entry.level, exam, 30, entry.direction, online=True
    )
    sid = str((await sessions.announce(db, me, spec)).document["_id"])
    personal = PersonalData(settings.master_key())
    rng = random.Random(19)  # noqa: S311 (reproducible demo data, not secrets)
    ids = []
    for row in demo_certificates.demo_results(inst, clock.today(), 3, rng):
        spec_r = registrations.RegistrationInput(
            sid, row.name, row.id_number, COMMITMENT, clock.now()
        )
        ids.append(str((await registrations.register(db, me, spec_r, personal)).document["_id"]))
    await cancellation.cancel(db, me, ids[2], WITHDRAWN)
    await db[Collection.DEMO_STATE].insert_one(
        {"_id": OPEN_MARKER, "at": clock.now(), "session": sid}
    )
    return sid


async def _seed_confirmed_session(db: Database, settings: Settings) -> str | None:
    if await db[Collection.DEMO_STATE].find_one({"_id": MARKER}):
        return None
    exam = clock.today() - dt.timedelta(days=EXAM_DAYS_AGO)
    inst = await _evaluator(db, exam)
    if inst is None:
        return None
    period = inst.listed_on(exam)
    assert period is not None
    uscc = inst.uscc
    entry = period.scope[0]
    me = Principal(Role.EVALUATION_INSTITUTION, "demo", "demo-inst", institution=uscc)
    spec = sessions.SessionInput(
        KEY, entry.occupation, entry.level, exam, 30, entry.direction, place="演示考点（线下）"
    )
    sid = str((await sessions.announce(db, me, spec, now=_at(exam, -14))).document["_id"])
    personal = PersonalData(settings.master_key())
    rng = random.Random(18)  # noqa: S311 (reproducible demo data, not secrets)
    rows = demo_certificates.demo_results(inst, exam, 5, rng)
    for row in rows:  # the session's occupation, direction and level; all pass
        row.occupation, row.direction, row.level = entry.occupation, entry.direction, entry.level
        row.theory_score, row.skill_score = 82.0, 76.0
    ids = []
    for row in rows:
        spec_r = registrations.RegistrationInput(
            sid, row.name, row.id_number, COMMITMENT, _at(exam, -10)
        )
        made = await registrations.register(db, me, spec_r, personal, now=_at(exam, -10))
        ids.append(str(made.document["_id"]))
    decisions = [confirmation.Decision(i, True) for i in ids[:4]]
    decisions.append(confirmation.Decision(ids[4], False, REFUSAL))
    await confirmation.confirm_list(db, me, sid, decisions, now=_at(exam, -3))
    batch = BatchInput(f"demo-session-{exam.isoformat()}", exam, rows[:4], session=sid)
    master = settings.master_key()
    await demo_certificates.publish_batch(db, settings, master, inst, batch)
    await db[Collection.DEMO_STATE].insert_one({"_id": MARKER, "at": clock.now(), "session": sid})
    return sid
