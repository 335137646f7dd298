"""Registering a candidate for a session (notice 三(五), 告知承诺制): through the institution that
announced it, with the commitment the candidate made (its text version and time) and, where
cited, the training certificate, which must exist and be the same person's (keyed hash of the
ID number, as every look-up), for the session's occupation and level, and not revoked.

The ID number is kept only as the keyed hash (the result that follows carries it encrypted);
a registration's id derives from the session, that hash and how many of this person's
registrations for the session were cancelled before it, so one person holds one registration
per session at a time and a retry answers it. A person whose registration was cancelled
(`cancellation.py`) registers again as a new registration; the cancelled one stays as it was.
The capacity is counted on the session in the same transaction by a guarded update, so racing
registrations cannot take more places than there are (tests/service/test_exam_capacity.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.exams import policy
from registry.exams.model import (
    REGISTRATION,
    SESSION,
    ExamAction,
    RegistrationStatus,
    SessionStatus,
)
from registry.intake import rows
from registry.problems import Problem, Rejected, reject
from registry.storage import store
from registry.storage.db import Database, Document
from registry.storage.idempotency import Created
from registry.storage.transactions import in_transaction
from registry.training.links import check_training_links

MAX_VERSION = 100


@dataclass
class RegistrationInput:
    session: str = field(metadata=rows.OPAQUE)
    name: str
    id_number: str
    commitment_version: str  # the 告知承诺 text's version the candidate signed
    committed_at: dt.datetime
    training_certificate: str | None = None


@dataclass(frozen=True)
class _Row:
    """A registration as the training-link check reads a result row."""

    row: int
    id_number: str
    occupation: str
    level: int
    training_certificate: str | None


def _person(spec: RegistrationInput, now: dt.datetime) -> tuple[str, str, str | None]:
    """Name, ID number and cited training number normalised, or `Rejected` with every problem."""
    checks = rows.start_row("registration", 0, spec)
    name, id_number = rows.check_person(checks, spec.name, spec.id_number)
    version = spec.commitment_version.strip()
    if not 1 <= len(version) <= MAX_VERSION:
        checks.add("commitmentVersion", "REQUIRED", "the commitment text's version is required")
    if spec.committed_at > now:
        checks.add("committedAt", "DATE_IN_FUTURE", "the commitment cannot be made in the future")
    training = (spec.training_certificate or "").strip().upper() or None
    if checks.problems:
        raise Rejected([_unrowed(p) for p in checks.problems])
    return name, id_number, training


def _unrowed(problem: Problem) -> Problem:
    # A registration is one record, not a row of a batch: its fields are named plainly.
    field = (problem.field or "").removeprefix("registration[0].")
    return Problem(field, problem.code, problem.message.removeprefix("row 1: "))


def registration_id(session: str, id_hash: str, nth: int = 1) -> str:
    """The id of a person's `nth` registration for the session (the earlier ones cancelled)."""
    first = f"{session}:{id_hash[:32]}"
    return first if nth == 1 else f"{first}:{nth}"


def list_closed() -> Rejected:
    """The refusal of a registration's change once the session's list is confirmed."""
    return reject("session", "REGISTRATION_CLOSED", "the session's list is confirmed")


async def _training(
    db: Database, personal: PersonalData, session: Document, id_number: str, number: str | None
) -> None:
    if number is None:
        return
    row = _Row(1, id_number, session["occupation"], session["level"], number)
    problems = await check_training_links(db, personal, [row])
    if problems:
        raise Rejected([Problem("trainingCertificate", p.code, p.message) for p in problems])


async def register(
    db: Database,
    principal: Principal,
    spec: RegistrationInput,
    personal: PersonalData,
    now: dt.datetime | None = None,
) -> Created:
    """The candidate's registration (`replayed` when this person is already registered for the
    session with the same data), or `Rejected` / `Forbidden`."""
    policy.decide(principal, ExamAction.REGISTER).require()
    moment = now or clock.now()
    name, id_number, training = _person(spec, moment)
    session = await store.load(db, SESSION, spec.session.strip())
    policy.decide(principal, ExamAction.REGISTER, session).require()
    await _training(db, personal, session, id_number, training)
    id_hash = personal.lookup_hash(id_number)
    doc = {
        "session": session["_id"],
        "institution": session["institution"],
        "name": name,
        "id_hash": id_hash,
        "commitment": {"version": spec.commitment_version.strip(), "at": spec.committed_at},
        "training_certificate": training,
        "status": RegistrationStatus.REGISTERED.value,
        "registered_at": moment,
        "history": [],
    }
    return await _insert(db, principal, doc)


def _same(stored: Document, doc: Document) -> bool:
    keys = ("name", "commitment", "training_certificate")
    return all(stored.get(k) == doc.get(k) for k in keys)


async def _insert(db: Database, principal: Principal, doc: Document) -> Created:
    async def work(s: AsyncClientSession) -> Created:
        person = {"session": doc["session"], "id_hash": doc["id_hash"]}
        registrations = db[REGISTRATION.collection]
        cancelled = RegistrationStatus.CANCELLED.value
        stored = await registrations.find_one({**person, "status": {"$ne": cancelled}}, session=s)
        if stored is not None:
            if not _same(stored, doc):
                raise reject(
                    "idNumber", "ALREADY_REGISTERED", "this person is registered for the session"
                )
            return Created(stored, replayed=True)
        earlier = await registrations.count_documents({**person, "status": cancelled}, session=s)
        new = {"_id": registration_id(doc["session"], doc["id_hash"], earlier + 1), **doc}
        session = await store.load(db, SESSION, doc["session"], s)
        taken = await db[SESSION.collection].update_one(
            {
                "_id": doc["session"],
                "status": SessionStatus.ANNOUNCED.value,
                "registered": {"$lt": session["capacity"]},
            },
            {"$inc": {"registered": 1}},
            session=s,
        )
        if taken.matched_count != 1:
            raise await _closed(db, doc["session"], s)
        return Created(
            await store.insert(db, REGISTRATION, principal, ExamAction.REGISTER, new, s), False
        )

    return await in_transaction(db, work)


async def _closed(db: Database, sid: str, s: AsyncClientSession) -> Rejected:
    session = await store.load(db, SESSION, sid, s)
    if session["status"] != SessionStatus.ANNOUNCED:
        return list_closed()
    return reject(
        "session", "SESSION_FULL", f"the session is full ({session['capacity']} candidates)"
    )
