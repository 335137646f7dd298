"""Submitting an assessment batch: validated as a whole, nothing stored from a rejected batch; the
same idempotency key sent again returns the first result and never duplicates anything.

Passing results get their certificate number (a serial from the institution's counter, in the
same transaction) and their holder-binding commitment here, so publication need not wait for
Argon2id: one commitment costs ~28 ms, computed on all cores before the transaction starts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from credentials import binding
from registry import audit, clock
from registry.auth import Principal, Role
from registry.certificates import numbers
from registry.certificates.validation import BatchInput, CleanResult, check_batch, is_late
from registry.db import SCHEMA_VERSION, Database, Document
from registry.errors import Forbidden
from registry.institutions import directory
from registry.personal import PersonalData
from registry.problems import Rejected, reject
from registry.training.links import check_training_links, missing_training
from registry.transactions import in_transaction

# PyNaCl releases the GIL inside Argon2id, so threads use every core.
_BINDING_POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="binding")


class BatchStatus:
    SUBMITTED = "SUBMITTED"
    PROVINCE_APPROVED = "PROVINCE_APPROVED"
    CETTIC_CHECKED = "CETTIC_CHECKED"
    PUBLISHED = "PUBLISHED"
    RETURNED = "RETURNED"


@dataclass(frozen=True)
class SubmitOutcome:
    batch: Document
    replayed: bool


def batch_id(institution: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{institution}\n{idempotency_key.strip()}".encode()).hexdigest()
    return "bat_" + digest[:20]


def request_digest(batch: BatchInput, clean: list[CleanResult], personal: PersonalData) -> str:
    """What the request asked for, with ID numbers only as keyed hashes."""
    payload = {
        "examDate": batch.exam_date.isoformat(),
        "lateReason": (batch.late_reason or "").strip(),
        "rows": [
            [
                r.name,
                personal.lookup_hash(r.id_number),
                r.occupation,
                r.direction,
                r.level,
                r.theory,
                r.skill,
                r.training_certificate,
            ]
            for r in clean
        ],
    }
    return hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


async def commitments(id_numbers: list[str]) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    return list(
        await asyncio.gather(
            *(loop.run_in_executor(_BINDING_POOL, binding.commit, n) for n in id_numbers)
        )
    )


def _require_evaluation_institution(principal: Principal) -> str:
    if principal.role is not Role.EVALUATION_INSTITUTION or principal.institution is None:
        raise Forbidden(
            "assessment batches are submitted by EVALUATION_INSTITUTION; you are "
            + (principal.role.value if principal.role else "the public (no token)")
        )
    return principal.institution


def result_key(id_hash: str, occupation: str, direction: str | None, level: int) -> str:
    return f"{id_hash}|{occupation}|{direction or ''}|{level}"


async def submit(
    db: Database,
    principal: Principal,
    batch: BatchInput,
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
    replaces: Document | None = None,
) -> SubmitOutcome:
    """Store a batch (or, with `replaces`, the corrected results of a returned batch)."""
    uscc = _require_evaluation_institution(principal)
    moment = now or clock.now()
    today = clock.china_date(moment)
    institution = await directory.get(db, uscc)
    bid = replaces["_id"] if replaces else batch_id(uscc, batch.idempotency_key)
    existing = await db.batches.find_one({"_id": bid}) if replaces is None else None
    clean, problems, _ = await check_batch(db, institution, batch, today)
    # A cited training certificate must exist, be this person's, for this occupation and level,
    # and not be revoked (the standard requires the training before the assessment).
    problems += await check_training_links(db, personal, clean)
    if problems:
        raise Rejected(problems)
    assert institution is not None and institution.number is not None
    digest = request_digest(batch, clean, personal)
    if existing is not None:
        return _replay(existing, digest)

    hashes = [personal.lookup_hash(r.id_number) for r in clean]
    keep: dict[str, Document] = {}
    if replaces is not None:
        # Unchanged passing results keep their certificate number (and binding): the same
        # person, occupation, direction and level.
        async for cert in db.certificates.find({"batch": bid, "status": "PENDING"}):
            keep[
                result_key(cert["id_hash"], cert["occupation"], cert["direction"], cert["level"])
            ] = cert
    fresh = [
        r
        for r, h in zip(clean, hashes, strict=True)
        if r.passed and result_key(h, r.occupation, r.direction, r.level) not in keep
    ]
    fresh_bindings = iter(await commitments([r.id_number for r in fresh]))
    year = today.year

    async def work(session: AsyncClientSession) -> Document:
        if replaces is None and (found := await db.batches.find_one({"_id": bid}, session=session)):
            return found
        if replaces is not None:
            current = await db.batches.find_one({"_id": bid}, session=session)
            if (
                current is None
                or current["status"] != BatchStatus.RETURNED
                or current["revision"] != replaces["revision"]
            ):
                raise reject(
                    "batchId", "BATCH_CHANGED", "the batch is no longer RETURNED; reload it"
                )
        serials = iter(await numbers.allocate_serials(db, uscc, year, len(fresh), session=session))
        results: list[Document] = []
        certificates: list[Document] = []
        reused: set[str] = set()
        revision = (replaces or {}).get("revision", 0) + 1
        for r, id_hash in zip(clean, hashes, strict=True):
            number = None
            if r.passed:
                kept = keep.get(result_key(id_hash, r.occupation, r.direction, r.level))
                if kept is not None:
                    number = kept["_id"]
                    reused.add(number)
                else:
                    number = str(
                        numbers.CertificateNumber(
                            "Z",
                            institution.province,
                            institution.number or "",
                            year % 100,
                            r.level,
                            r.field,
                            next(serials),
                        )
                    )
                    certificates.append(
                        {
                            "_id": number,
                            "batch": bid,
                            "institution": uscc,
                            "name": r.name,
                            "id_hash": id_hash,
                            "occupation": r.occupation,
                            "field": r.field,
                            "direction": r.direction,
                            "level": r.level,
                            "exam_date": batch.exam_date.isoformat(),
                            "binding": next(fresh_bindings),
                            "status": "PENDING",
                            "created_at": moment,
                            "schema_version": SCHEMA_VERSION,
                        }
                    )
            results.append(
                {
                    "_id": f"{bid}:{revision}:{r.row}",
                    "batch": bid,
                    "revision": revision,
                    "institution": uscc,
                    "row": r.row,
                    "name": r.name,
                    "id_hash": id_hash,
                    "id_enc": personal.encrypt(r.id_number),
                    "occupation": r.occupation,
                    "direction": r.direction,
                    "level": r.level,
                    "theory": r.theory,
                    "skill": r.skill,
                    "passed": r.passed,
                    "training_certificate": r.training_certificate,
                    "training_exemption": r.training_exemption,
                    # Flagged, not refused: no training certificate and no exemption reason.
                    "training_flagged": bool(missing_training([r])),
                    "certificate": number,
                    "exam_date": batch.exam_date.isoformat(),
                    "current": True,
                    "schema_version": SCHEMA_VERSION,
                }
            )
        late = is_late(batch.exam_date, today)
        doc: Document = {
            "_id": bid,
            "institution": uscc,
            "province": institution.province,
            "idempotency_key": batch.idempotency_key.strip(),
            "digest": digest,
            "exam_date": batch.exam_date.isoformat(),
            "submitted_at": moment,
            "late": late,
            "late_reason": (batch.late_reason or "").strip() or None,
            "status": BatchStatus.SUBMITTED,
            "revision": revision,
            "counts": {
                "results": len(clean),
                "passed": sum(r.passed for r in clean),
                "failed": sum(not r.passed for r in clean),
            },
            "history": [
                *(replaces or {}).get("history", []),
                {
                    "at": moment,
                    "action": "resubmit" if replaces else "submit",
                    "from": (replaces or {}).get("status"),
                    "to": BatchStatus.SUBMITTED,
                    "actor": principal.actor,
                    "reason": None,
                },
            ],
            "returns": (replaces or {}).get("returns", []),
            "schema_version": SCHEMA_VERSION,
        }
        if replaces is not None:
            await db.results.update_many(
                {"batch": bid, "current": True}, {"$set": {"current": False}}, session=session
            )
            withdrawn = [n for n in keep if keep[n]["_id"] not in reused]
            if withdrawn:
                await db.certificates.update_many(
                    {"_id": {"$in": [keep[n]["_id"] for n in withdrawn]}},
                    {"$set": {"status": "WITHDRAWN", "withdrawn_at": moment}},
                    session=session,
                )
            await db.batches.replace_one({"_id": bid}, doc, session=session)
        else:
            await db.batches.insert_one(doc, session=session)
        if results:
            await db.results.insert_many(results, session=session)
        if certificates:
            await db.certificates.insert_many(certificates, session=session)
        await audit.append(
            db,
            actor=principal,
            action="batch.resubmit" if replaces else "batch.submit",
            entity=f"batch:{bid}",
            before=replaces,
            after=doc,
            session=session,
        )
        return doc

    try:
        stored = await in_transaction(db, work)
    except DuplicateKeyError:
        # A concurrent request with the same key won the race; answer as a replay.
        raced = await db.batches.find_one({"_id": bid})
        if raced is None:
            raise
        stored = raced
    if replaces is None and stored.get("digest") != digest:
        return _replay(stored, digest)
    return SubmitOutcome(stored, replayed=stored["submitted_at"] != moment and replaces is None)


def _replay(existing: Document, digest: str) -> SubmitOutcome:
    if existing["digest"] != digest:
        raise reject(
            "idempotencyKey",
            "IDEMPOTENCY_KEY_REUSED",
            "this idempotency key was used for a different batch; use a new key for new results",
        )
    return SubmitOutcome(existing, replayed=True)
