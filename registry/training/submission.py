"""Submitting a training cohort: validated as a whole, nothing stored from a rejected cohort; the
same idempotency key sent again returns the first result and never duplicates anything.

validate → plan → build → persist, in one transaction: the cohort, one trainee record per row
(ID number encrypted, keyed hash for look-ups), a training certificate (P number, serial from the
institution's counter) and a continuing-education credit for each trainee who completed, and the
audit entry. Training certificates are issued by the training institution itself (notice
三(四)); there is no review pipeline as for assessment batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.certificates import numbers
from registry.institutions import directory
from registry.institutions.model import Institution
from registry.problems import Rejected
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.training import policy
from registry.training.model import COHORT, CreditStatus, TrainingAction, TrainingCertificateStatus
from registry.training.validation import CleanCohort, CleanTrainee, CohortInput, check_cohort


@dataclass(frozen=True)
class CohortOutcome:
    cohort: Document
    replayed: bool


@dataclass(frozen=True)
class Checked:
    """A cohort that passed validation, with what every later step needs."""

    principal: Principal
    institution: Institution
    cohort: CleanCohort
    hashes: list[str]
    digest: str
    moment: dt.datetime

    @property
    def id(self) -> str:
        return cohort_id(self.institution.uscc, self.cohort.idempotency_key)


@dataclass(frozen=True)
class Records:
    """What one cohort writes besides itself."""

    trainees: list[Document]
    certificates: list[Document]
    credits: list[Document]


def cohort_id(institution: str, idempotency_key: str) -> str:
    return idempotency.key_id("coh_", institution, idempotency_key)


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


async def validate(
    db: Database,
    principal: Principal,
    cohort: CohortInput,
    personal: PersonalData,
    now: dt.datetime | None,
) -> Checked:
    """The checked cohort, or `Rejected` with every problem (nothing is stored)."""
    policy.decide(principal, TrainingAction.SUBMIT_COHORT).require()
    assert principal.institution is not None  # the policy admits only a bound institution
    moment = now or clock.now()
    institution = await directory.get(db, principal.institution)
    clean, problems, _ = await check_cohort(db, institution, cohort, clock.china_date(moment))
    if problems:
        raise Rejected(problems)
    assert clean is not None and institution is not None and institution.number is not None
    hashes = [personal.lookup_hash(t.id_number) for t in clean.trainees]
    return Checked(principal, institution, clean, hashes, request_digest(clean, personal), moment)


def training_number(checked: Checked, serial: int) -> str:
    clean, institution = checked.cohort, checked.institution
    year = clock.china_date(checked.moment).year
    return str(
        numbers.CertificateNumber(
            "P",
            institution.province,
            institution.number or "",
            year % 100,
            clean.level,
            clean.field,
            serial,
        )
    )


def common_fields(checked: Checked, trainee: CleanTrainee, id_hash: str) -> Document:
    """What a trainee's row, certificate and credit all record."""
    clean = checked.cohort
    return {
        "institution": checked.institution.uscc,
        "province": checked.institution.province,
        "cohort": checked.id,
        "name": trainee.name,
        "id_hash": id_hash,
        "occupation": clean.occupation,
        "field": clean.field,
        "direction": clean.direction,
        "level": clean.level,
        "hours": trainee.hours,
        "schema_version": SCHEMA_VERSION,
    }


def certificate_and_credit(
    checked: Checked, common: Document, number: str, row: int
) -> tuple[Document, Document]:
    clean = checked.cohort
    certificate = {
        "_id": number,
        **common,
        "start_date": clean.start_date.isoformat(),
        "end_date": clean.end_date.isoformat(),
        "issued_at": checked.moment,
        "status": TrainingCertificateStatus.ISSUED.value,
    }
    credit = {
        "_id": f"{checked.id}:{row}",
        **common,
        "certificate": number,
        # Hours count for the year the course was completed (五(一)).
        "year": clean.end_date.year,
        "completed_on": clean.end_date.isoformat(),
        "status": CreditStatus.ACTIVE.value,
    }
    return certificate, credit


def trainee_document(
    checked: Checked,
    personal: PersonalData,
    common: Document,
    trainee: CleanTrainee,
    number: str | None,
) -> Document:
    return {
        "_id": f"{checked.id}:{trainee.row}",
        "cohort": checked.id,
        "institution": common["institution"],
        "province": common["province"],
        "row": trainee.row,
        "name": trainee.name,
        "id_hash": common["id_hash"],
        "id_enc": personal.encrypt(trainee.id_number),
        "occupation": common["occupation"],
        "field": common["field"],
        "direction": common["direction"],
        "level": common["level"],
        "hours": trainee.hours,
        "attendance": trainee.attendance,
        "assessment_passed": trainee.assessment_passed,
        "completed": trainee.completed,
        "certificate": number,
        "year": checked.cohort.end_date.year,
        "schema_version": SCHEMA_VERSION,
    }


def records(checked: Checked, personal: PersonalData, serials: Iterator[int]) -> Records:
    """Every trainee's row; a certificate and a credit for each who completed."""
    out = Records([], [], [])
    for trainee, id_hash in zip(checked.cohort.trainees, checked.hashes, strict=True):
        common = common_fields(checked, trainee, id_hash)
        number = training_number(checked, next(serials)) if trainee.completed else None
        if number is not None:
            certificate, credit = certificate_and_credit(checked, common, number, trainee.row)
            out.certificates.append(certificate)
            out.credits.append(credit)
        out.trainees.append(trainee_document(checked, personal, common, trainee, number))
    return out


def cohort_document(checked: Checked) -> Document:
    clean, institution = checked.cohort, checked.institution
    count = len(clean.trainees)
    done = sum(t.completed for t in clean.trainees)
    return {
        "_id": checked.id,
        "institution": institution.uscc,
        "province": institution.province,
        "idempotency_key": clean.idempotency_key,
        "digest": checked.digest,
        "start_date": clean.start_date.isoformat(),
        "end_date": clean.end_date.isoformat(),
        "year": clean.end_date.year,
        "occupation": clean.occupation,
        "field": clean.field,
        "direction": clean.direction,
        "level": clean.level,
        "required_hours": clean.required_hours,
        "submitted_at": checked.moment,
        "counts": {"trainees": count, "completed": done, "not_completed": count - done},
        "attendance_mean": sum(t.attendance for t in clean.trainees) / count,
        "history": [{"at": checked.moment, "action": "submit", "actor": checked.principal.actor}],
        "revision": 1,
        "schema_version": SCHEMA_VERSION,
    }


async def persist(
    db: Database, checked: Checked, personal: PersonalData, session: AsyncClientSession
) -> Document:
    """Write the cohort's records in the caller's transaction; the cohort document to insert."""
    done = sum(t.completed for t in checked.cohort.trainees)
    year = clock.china_date(checked.moment).year
    uscc = checked.institution.uscc
    serials = iter(await numbers.allocate_serials(db, uscc, year, done, session=session))
    out = records(checked, personal, serials)
    await store.insert_many(db, Collection.TRAINEES, out.trainees, session)
    if out.certificates:
        await db[Collection.TRAINING_CERTIFICATES].insert_many(out.certificates, session=session)
        await db[Collection.CE_CREDITS].insert_many(out.credits, session=session)
    return cohort_document(checked)


async def submit(
    db: Database,
    principal: Principal,
    cohort: CohortInput,
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
) -> CohortOutcome:
    """Store a cohort once per idempotency key; a retry answers the first cohort (`replayed`),
    the same key with other content `IDEMPOTENCY_KEY_REUSED`."""
    checked = await validate(db, principal, cohort, personal, now)
    if (retry := await idempotency.earlier(db, COHORT, checked.id, checked.digest)) is not None:
        return CohortOutcome(retry.document, replayed=True)

    async def build(session: AsyncClientSession) -> Document:
        return await persist(db, checked, personal, session)

    created = await idempotency.create_once(
        db,
        COHORT,
        principal,
        checked.id,
        checked.digest,
        build,
        action=TrainingAction.SUBMIT_COHORT,
    )
    return CohortOutcome(created.document, created.replayed)


async def cohort_trainees(db: Database, cid: str) -> list[Document]:
    """A cohort's rows in order, without the ID number's hash or ciphertext."""
    cursor = (
        db[Collection.TRAINEES].find({"cohort": cid}, {"id_enc": 0, "id_hash": 0}).sort("row", 1)
    )
    return [d async for d in cursor]
