"""Submitting a training cohort: validated as a whole, nothing stored from a rejected cohort; the
same idempotency key sent again returns the first result and never duplicates anything.

In one transaction: the cohort, one trainee record per row (ID number encrypted, keyed hash for
look-ups), a training certificate (P number, serial from the institution's counter) and a
continuing-education credit for each trainee who completed, and the audit entry. Training
certificates are issued by the training institution itself (notice 三(四)); there is no review
pipeline as for assessment batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from registry import audit, clock
from registry.auth import Principal
from registry.certificates import numbers
from registry.db import SCHEMA_VERSION, Database, Document
from registry.errors import Forbidden
from registry.institutions import directory
from registry.personal import PersonalData
from registry.problems import Rejected, reject
from registry.training import rules
from registry.training.validation import CleanCohort, CohortInput, check_cohort
from registry.transactions import in_transaction

COHORTS = "training_cohorts"
TRAINEES = "trainees"
CERTIFICATES = "training_certificates"
CREDITS = "ce_credits"

ISSUED = "ISSUED"
REVOKED = "REVOKED"
ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class CohortOutcome:
    cohort: Document
    replayed: bool


def cohort_id(institution: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{institution}\n{idempotency_key.strip()}".encode()).hexdigest()
    return "coh_" + digest[:20]


def request_digest(cohort: CleanCohort, personal: PersonalData) -> str:
    """What the request asked for, with ID numbers only as keyed hashes."""
    payload = {
        "start": cohort.start_date.isoformat(),
        "end": cohort.end_date.isoformat(),
        "occupation": cohort.occupation,
        "direction": cohort.direction,
        "level": cohort.level,
        "required": cohort.required_hours,
        "rows": [
            [t.name, personal.lookup_hash(t.id_number), t.hours, t.attendance, t.assessment_passed]
            for t in cohort.trainees
        ],
    }
    return hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


def _replay(existing: Document, digest: str) -> CohortOutcome:
    if existing["digest"] != digest:
        raise reject(
            "idempotencyKey",
            "IDEMPOTENCY_KEY_REUSED",
            "this idempotency key was used for a different cohort; use a new key for new data",
        )
    return CohortOutcome(existing, replayed=True)


async def submit(
    db: Database,
    principal: Principal,
    cohort: CohortInput,
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
) -> CohortOutcome:
    rules.require(principal, "submitTrainingCohort")
    uscc = principal.institution
    if uscc is None:
        raise Forbidden("submitTrainingCohort: the token is bound to no institution")
    moment = now or clock.now()
    today = clock.china_date(moment)
    institution = await directory.get(db, uscc)
    clean, problems, _ = await check_cohort(db, institution, cohort, today)
    if problems:
        raise Rejected(problems)
    assert clean is not None and institution is not None and institution.number is not None
    cid = cohort_id(uscc, clean.idempotency_key)
    digest = request_digest(clean, personal)
    existing = await db[COHORTS].find_one({"_id": cid})
    if existing is not None:
        return _replay(existing, digest)
    hashes = [personal.lookup_hash(t.id_number) for t in clean.trainees]
    done = [t for t in clean.trainees if t.completed]
    issue_year = today.year
    ce_year = clean.end_date.year  # hours count for the year the course was completed (五(一))

    async def work(session: AsyncClientSession) -> Document:
        found = await db[COHORTS].find_one({"_id": cid}, session=session)
        if found is not None:
            return found
        serials = iter(
            await numbers.allocate_serials(db, uscc, issue_year, len(done), session=session)
        )
        trainees: list[Document] = []
        certificates: list[Document] = []
        credits: list[Document] = []
        for t, id_hash in zip(clean.trainees, hashes, strict=True):
            number = None
            if t.completed:
                number = str(
                    numbers.CertificateNumber(
                        "P",
                        institution.province,
                        institution.number or "",
                        issue_year % 100,
                        clean.level,
                        clean.field,
                        next(serials),
                    )
                )
                common = {
                    "institution": uscc,
                    "province": institution.province,
                    "cohort": cid,
                    "name": t.name,
                    "id_hash": id_hash,
                    "occupation": clean.occupation,
                    "field": clean.field,
                    "direction": clean.direction,
                    "level": clean.level,
                    "hours": t.hours,
                    "schema_version": SCHEMA_VERSION,
                }
                certificates.append(
                    {
                        "_id": number,
                        **common,
                        "start_date": clean.start_date.isoformat(),
                        "end_date": clean.end_date.isoformat(),
                        "issued_at": moment,
                        "status": ISSUED,
                    }
                )
                credits.append(
                    {
                        "_id": f"{cid}:{t.row}",
                        **common,
                        "certificate": number,
                        "year": ce_year,
                        "completed_on": clean.end_date.isoformat(),
                        "status": ACTIVE,
                    }
                )
            trainees.append(
                {
                    "_id": f"{cid}:{t.row}",
                    "cohort": cid,
                    "institution": uscc,
                    "province": institution.province,
                    "row": t.row,
                    "name": t.name,
                    "id_hash": id_hash,
                    "id_enc": personal.encrypt(t.id_number),
                    "occupation": clean.occupation,
                    "field": clean.field,
                    "direction": clean.direction,
                    "level": clean.level,
                    "hours": t.hours,
                    "attendance": t.attendance,
                    "assessment_passed": t.assessment_passed,
                    "completed": t.completed,
                    "certificate": number,
                    "year": ce_year,
                    "schema_version": SCHEMA_VERSION,
                }
            )
        count = len(clean.trainees)
        doc: Document = {
            "_id": cid,
            "institution": uscc,
            "province": institution.province,
            "idempotency_key": clean.idempotency_key,
            "digest": digest,
            "start_date": clean.start_date.isoformat(),
            "end_date": clean.end_date.isoformat(),
            "year": ce_year,
            "occupation": clean.occupation,
            "field": clean.field,
            "direction": clean.direction,
            "level": clean.level,
            "required_hours": clean.required_hours,
            "submitted_at": moment,
            "counts": {
                "trainees": count,
                "completed": len(done),
                "not_completed": count - len(done),
            },
            "attendance_mean": sum(t.attendance for t in clean.trainees) / count,
            "history": [{"at": moment, "action": "submit", "actor": principal.actor}],
            "revision": 1,
            "schema_version": SCHEMA_VERSION,
        }
        await db[COHORTS].insert_one(doc, session=session)
        await db[TRAINEES].insert_many(trainees, session=session)
        if certificates:
            await db[CERTIFICATES].insert_many(certificates, session=session)
            await db[CREDITS].insert_many(credits, session=session)
        await audit.append(
            db,
            actor=principal,
            action="training.submitCohort",
            entity=f"cohort:{cid}",
            before=None,
            after=doc,
            session=session,
        )
        return doc

    try:
        stored = await in_transaction(db, work)
    except DuplicateKeyError:
        # A concurrent request with the same key won the race; answer as a replay.
        raced = await db[COHORTS].find_one({"_id": cid})
        if raced is None:
            raise
        stored = raced
    if stored["submitted_at"] != moment:
        return _replay(stored, digest)
    return CohortOutcome(stored, replayed=False)


async def cohort_trainees(db: Database, cid: str) -> list[Document]:
    """A cohort's rows in order, without the ID number's hash or ciphertext."""
    cursor = db[TRAINEES].find({"cohort": cid}, {"id_enc": 0, "id_hash": 0}).sort("row", 1)
    return [d async for d in cursor]
