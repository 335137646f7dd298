"""Submitting an assessment batch: validated as a whole, nothing stored from a rejected batch; the
same idempotency key sent again returns the first result and never duplicates anything.

validate → plan → build → persist. Passing results get their certificate number (a serial from
the institution's counter, in the same transaction) and their holder-binding commitment here,
kept on the batch's `results` rows until publication, so publication need not wait for
Argon2id: one commitment costs ~28 ms, computed before the transaction starts in a pool of half
the cores (`BINDING_THREADS`), so look-ups keep the rest.
A resubmission keeps the number and binding of every unchanged passing result; the numbers of
results it drops stay on the superseded rows and are never handed out again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from credentials import binding
from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.certificates import numbers, policy, review
from registry.certificates.model import BATCH, BATCH_MOVES, BatchAction, BatchStatus
from registry.certificates.validation import BatchInput, CleanResult, check_batch, is_late
from registry.errors import ConfigurationError
from registry.institutions import directory
from registry.institutions.model import Institution
from registry.problems import Rejected, reject
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.training.links import check_training_links, missing_training


# PyNaCl releases the GIL inside Argon2id, so each thread keeps a core busy. Half the cores at
# most, shared by every submission of the process: a 5,000-row batch (~2 CPU-minutes) queues here
# instead of taking every core from the look-ups (docs/benchmarks.md, "Look-ups during a large
# submission").
def _binding_threads(env: Mapping[str, str]) -> int:
    """`REGISTRY_BINDING_THREADS`, or half the cores (at least one)."""
    text = env.get("REGISTRY_BINDING_THREADS", "").strip()
    if not text:
        return max(1, (os.cpu_count() or 2) // 2)
    if not text.isdigit() or int(text) < 1:
        raise ConfigurationError(
            f"REGISTRY_BINDING_THREADS must be a whole number ≥ 1, got {text!r}"
        )
    return int(text)


BINDING_THREADS = _binding_threads(os.environ)
_BINDING_POOL = ThreadPoolExecutor(max_workers=BINDING_THREADS, thread_name_prefix="binding")


@contextlib.contextmanager
def seeding_pool(threads: int) -> Iterator[None]:
    """Within the block, this process's bindings run on `threads` threads instead of
    `BINDING_THREADS`; the threads are gone when it ends. Only for seeding before the service
    takes requests (the demo's first start): then no look-up needs the cores kept free."""
    global _BINDING_POOL
    kept, wide = _BINDING_POOL, ThreadPoolExecutor(threads, thread_name_prefix="binding-seed")
    _BINDING_POOL = wide
    try:
        yield
    finally:
        _BINDING_POOL = kept
        wide.shutdown(wait=True)


@dataclass(frozen=True)
class SubmitOutcome:
    batch: Document
    replayed: bool


@dataclass(frozen=True)
class Checked:
    """A batch that passed validation, with what every later step needs."""

    principal: Principal
    institution: Institution
    batch: BatchInput
    rows: list[CleanResult]
    hashes: list[str]
    digest: str
    moment: dt.datetime


@dataclass
class Plan:
    """Which passing rows keep a number (resubmission) and the fresh bindings of the others."""

    checked: Checked
    kept: dict[str, Document] = field(default_factory=dict)
    # One binding per fresh passing row, in order; None where the binder computes it later.
    fresh: list[Document | None] = field(default_factory=list)


def batch_id(institution: str, idempotency_key: str) -> str:
    return idempotency.key_id("bat_", institution, idempotency_key)


def digest_of(payload: Any) -> str:
    """SHA-256 of `payload` as canonical JSON: what a request asked for, for idempotency."""
    return hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


def rows_payload(clean: list[CleanResult], personal: PersonalData) -> list[list[Any]]:
    """The rows as a digest reads them, with ID numbers only as keyed hashes."""
    return [
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
    ]


def session_fields(session: str | None) -> Document:
    """What a batch's idempotency digest holds of the exam session it names: the session when
    named, nothing otherwise, so the digests of batches without a session stay as they were.
    The same for a batch in one request and one opened for parts."""
    return {"session": session} if session is not None else {}


def request_digest(batch: BatchInput, clean: list[CleanResult], personal: PersonalData) -> str:
    """What the request asked for, with ID numbers only as keyed hashes."""
    return digest_of(
        {
            "examDate": batch.exam_date.isoformat(),
            "lateReason": (batch.late_reason or "").strip(),
            "rows": rows_payload(clean, personal),
            **session_fields(batch.session),
        }
    )


async def commitments(id_numbers: list[str]) -> list[dict[str, Any]]:
    """The holder binding of each ID number, computed in the bounded pool: the one way every
    submission path (one request, the binder of a batch in parts, the import) binds a row."""
    loop = asyncio.get_running_loop()
    return list(
        await asyncio.gather(
            *(loop.run_in_executor(_BINDING_POOL, binding.commit, n) for n in id_numbers)
        )
    )


def result_key(id_hash: str, occupation: str, direction: str | None, level: int) -> str:
    return f"{id_hash}|{occupation}|{direction or ''}|{level}"


# --- validate ---------------------------------------------------------------------------------


async def validate(
    db: Database,
    principal: Principal,
    batch: BatchInput,
    personal: PersonalData,
    now: dt.datetime | None,
) -> Checked:
    """The checked batch, or `Rejected` with every problem (nothing is stored)."""
    policy.decide(principal, BatchAction.SUBMIT).require()
    assert principal.institution is not None  # the policy admits only a bound institution
    moment = now or clock.now()
    institution = await directory.get(db, principal.institution)
    clean, problems, _ = await check_batch(
        db, institution, batch, clock.china_date(moment), personal=personal
    )
    # A cited training certificate must exist, be this person's, for this occupation and level,
    # and not be revoked (the standard requires the training before the assessment).
    problems += await check_training_links(db, personal, clean)
    if problems:
        raise Rejected(problems)
    assert institution is not None and institution.number is not None
    hashes = [personal.lookup_hash(r.id_number) for r in clean]
    digest = request_digest(batch, clean, personal)
    return Checked(principal, institution, batch, clean, hashes, digest, moment)


# --- plan -------------------------------------------------------------------------------------


async def numbered_results(db: Database, bid: str) -> dict[str, Document]:
    """The batch's current passing results with their numbers, by `result_key`."""
    cursor = db[Collection.RESULTS].find(
        {"batch": bid, "current": True, "certificate": {"$ne": None}}, {"id_enc": 0}
    )
    return {
        result_key(d["id_hash"], d["occupation"], d["direction"], d["level"]): d
        async for d in cursor
    }


async def plan(checked: Checked, kept: dict[str, Document], *, bind: bool = True) -> Plan:
    """Keep the numbers of `kept` rows that are unchanged; bind the other passing rows now, or
    (`bind=False`) leave their binding to the binder (`binder.py`)."""
    fresh = [
        r
        for r, h in zip(checked.rows, checked.hashes, strict=True)
        if r.passed and result_key(h, r.occupation, r.direction, r.level) not in kept
    ]
    if not bind:
        return Plan(checked, kept, [None] * len(fresh))
    made: list[Document | None] = list(await commitments([r.id_number for r in fresh]))
    return Plan(checked, kept, made)


# --- build ------------------------------------------------------------------------------------


def certificate_number(institution: Institution, year: int, row: CleanResult, serial: int) -> str:
    return str(
        numbers.CertificateNumber(
            "Z",
            institution.province,
            institution.number or "",
            year % 100,
            row.level,
            row.field,
            serial,
        )
    )


def pending_fields(
    the_plan: Plan,
    row: CleanResult,
    id_hash: str,
    serials: Iterator[int],
    bindings: Iterator[Document | None],
) -> Document:
    """What a passing result keeps for its certificate: number, binding, when it was numbered."""
    checked = the_plan.checked
    kept = the_plan.kept.get(result_key(id_hash, row.occupation, row.direction, row.level))
    if kept is not None:
        return {k: kept[k] for k in ("certificate", "field", "binding", "numbered_at")}
    year = clock.china_date(checked.moment).year
    return {
        "certificate": certificate_number(checked.institution, year, row, next(serials)),
        "field": row.field,
        "binding": next(bindings),
        "numbered_at": checked.moment,
    }


def result_document(
    checked: Checked, personal: PersonalData, bid: str, revision: int, index: int
) -> Document:
    r, id_hash = checked.rows[index], checked.hashes[index]
    return {
        "_id": f"{bid}:{revision}:{r.row}",
        "batch": bid,
        "revision": revision,
        "institution": checked.institution.uscc,
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
        "certificate": None,
        "exam_date": checked.batch.exam_date.isoformat(),
        "current": True,
        "schema_version": SCHEMA_VERSION,
    }


def numbered_rows(
    the_plan: Plan,
    personal: PersonalData,
    bid: str,
    revision: int,
    serials: Iterator[int],
) -> list[Document]:
    """The batch's result rows for `revision`; fresh passing rows numbered from `serials`."""
    checked = the_plan.checked
    bindings = iter(the_plan.fresh)
    docs = []
    for index, row in enumerate(checked.rows):
        doc = result_document(checked, personal, bid, revision, index)
        if row.passed:
            doc.update(pending_fields(the_plan, row, checked.hashes[index], serials, bindings))
        docs.append(doc)
    return docs


async def results(
    db: Database,
    the_plan: Plan,
    personal: PersonalData,
    bid: str,
    revision: int,
    session: AsyncClientSession,
) -> list[Document]:
    """The batch's result rows for `revision`, fresh numbers taken in the caller's transaction."""
    checked = the_plan.checked
    year = clock.china_date(checked.moment).year
    serials = await numbers.allocate_serials(
        db, checked.institution.uscc, year, len(the_plan.fresh), session=session
    )
    return numbered_rows(the_plan, personal, bid, revision, iter(serials))


def counts(rows: list[CleanResult]) -> Document:
    """How many results a batch has, and how many passed and failed."""
    return {
        "results": len(rows),
        "passed": sum(r.passed for r in rows),
        "failed": sum(not r.passed for r in rows),
    }


def batch_fields(checked: Checked) -> Document:
    """The batch's fields a submission (or resubmission) sets."""
    batch = checked.batch
    today = clock.china_date(checked.moment)
    return {
        "idempotency_key": batch.idempotency_key.strip(),
        "digest": checked.digest,
        "exam_date": batch.exam_date.isoformat(),
        "submitted_at": checked.moment,
        "late": is_late(batch.exam_date, today),
        "late_reason": (batch.late_reason or "").strip() or None,
        "session": batch.session,
        "counts": counts(checked.rows),
    }


def new_batch(checked: Checked, bid: str) -> Document:
    status = BATCH_MOVES[BatchAction.SUBMIT].target
    entry = store.history_entry(
        BatchAction.SUBMIT, None, status, checked.principal, checked.moment, None
    )
    return {
        "_id": bid,
        "institution": checked.institution.uscc,
        "province": checked.institution.province,
        **batch_fields(checked),
        "status": status.value,
        "revision": 1,
        "history": [entry],
        "returns": [],
        "schema_version": SCHEMA_VERSION,
    }


# --- persist ----------------------------------------------------------------------------------


async def submit(
    db: Database,
    principal: Principal,
    batch: BatchInput,
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
) -> SubmitOutcome:
    """Store a new batch once per idempotency key; a retry answers the first batch (`replayed`),
    the same key with other content `IDEMPOTENCY_KEY_REUSED`."""
    checked = await validate(db, principal, batch, personal, now)
    bid = batch_id(checked.institution.uscc, batch.idempotency_key)
    if (retry := await idempotency.earlier(db, BATCH, bid, checked.digest)) is not None:
        return SubmitOutcome(retry.document, replayed=True)
    the_plan = await plan(checked, {})

    async def build(session: AsyncClientSession) -> Document:
        rows = await results(db, the_plan, personal, bid, 1, session)
        await db[Collection.RESULTS].insert_many(rows, session=session)
        return new_batch(checked, bid)

    created = await idempotency.create_once(
        db, BATCH, principal, bid, checked.digest, build, action=BatchAction.SUBMIT
    )
    return SubmitOutcome(created.document, created.replayed)


async def resubmit(
    db: Database,
    principal: Principal,
    bid: str,
    batch: BatchInput,
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
) -> SubmitOutcome:
    """Replace the results of a RETURNED batch by corrected ones; the same request again
    answers the resubmitted batch (`replayed`)."""
    doc = await review.load(db, bid)
    policy.decide(principal, BatchAction.RESUBMIT, doc).require()
    if _is_resubmission_retry(doc, batch):
        return SubmitOutcome(doc, replayed=True)
    BATCH_MOVES.check(BatchAction.RESUBMIT, BatchStatus(doc["status"]), field="batchId")
    checked = await validate(db, principal, batch, personal, now)
    the_plan = await plan(checked, await numbered_results(db, bid))

    async def changes(current: Document, session: AsyncClientSession) -> Document:
        if current["revision"] != doc["revision"]:
            raise reject("batchId", "BATCH_CHANGED", "the batch is no longer RETURNED; reload it")
        await db[Collection.RESULTS].update_many(
            {"batch": bid, "current": True}, {"$set": {"current": False}}, session=session
        )
        rows = await results(db, the_plan, personal, bid, current["revision"] + 1, session)
        await db[Collection.RESULTS].insert_many(rows, session=session)
        return batch_fields(checked)

    stored = await review.advance(
        db, principal, bid, BatchAction.RESUBMIT, now=checked.moment, changes=changes
    )
    return SubmitOutcome(stored, replayed=stored["submitted_at"] != checked.moment)


def _is_resubmission_retry(doc: Document, batch: BatchInput) -> bool:
    return bool(
        doc["status"] != BatchStatus.RETURNED
        and doc["idempotency_key"] == batch.idempotency_key.strip()
        and doc["history"][-1]["action"] == BatchAction.RESUBMIT
    )
