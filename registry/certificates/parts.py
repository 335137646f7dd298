"""Submitting a large batch in parts: open it, add its parts, close it (`model.BATCH_MOVES`).

A batch of up to 5,000 results does not fit one request of the public API (its body limit and
request timeout protect every other client), so an institution opens the batch with its
metadata and the number of results to come, adds parts of at most `MAX_PART_ROWS` rows, each
well within the body limit, and closes it. Every step is safe to retry:

- opening is an idempotent creation keyed by the idempotency key, like a one-request submission
  (the same key and content again answers the same batch);
- a part is stored once per (batch, part number), with the digest of its content: the same part
  again answers the stored part (`replayed`), another content under the same number is
  `BATCH_PART_CONFLICT`. Parts are numbered from 1 and added in order (`BATCH_PART_OUT_OF_ORDER`),
  so each row has its place in the batch when it arrives and problems name it by that place;
- closing checks what no part can see alone (the count announced at opening; the same candidate,
  occupation and level in two parts), reserves the serial numbers of the passing results and
  makes the batch BINDING, in one transaction; it reads only keyed hashes, so it stays short
  for 5,000 rows. The service's binder (`binder.py`) then writes the batch's result rows
  (`part_rows.write_rows`: the same documents a one-request batch gets, numbered from the
  reservation) and computes their holder bindings. A retry of the close answers the batch as
  it is.

Until it is closed a batch has no result rows, is not reviewable and shows nowhere; one not
closed within `OPEN_HOURS` of its opening expires, and its parts are deleted with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.certificates import numbers, policy, review, submission
from registry.certificates.model import (
    BATCH,
    BATCH_MOVES,
    BATCH_PART,
    OPEN_HOURS,
    BatchAction,
    BatchStatus,
)
from registry.certificates.submission import SubmitOutcome
from registry.certificates.validation import (
    MAX_PART_ROWS,
    MAX_ROWS,
    BatchInput,
    CleanResult,
    Part,
    ResultInput,
    check_batch,
    check_header,
    is_late,
    result_duplicates,
    session_roster,
)
from registry.errors import Conflict
from registry.institutions import directory
from registry.institutions.model import Institution
from registry.intake import rows
from registry.problems import Problem, Rejected, reject
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.training.links import check_training_links
from registry.trust import audit


@dataclass(frozen=True)
class BatchHeader:
    """What opening a batch states: its key, exam, late reason and how many results will come."""

    idempotency_key: str = field(metadata=rows.OPAQUE)
    exam_date: dt.date
    result_count: int
    late_reason: str | None = None
    # The exam session the results are for (registry.exams), as for a batch in one request.
    session: str | None = field(default=None, metadata=rows.OPAQUE)

    def as_input(self, results: list[ResultInput] | None = None) -> BatchInput:
        return BatchInput(
            self.idempotency_key, self.exam_date, results or [], self.late_reason, self.session
        )


@dataclass(frozen=True)
class PartOutcome:
    part: Document
    batch: Document
    replayed: bool


def header_of(batch: Document) -> BatchHeader:
    """The header an open batch was opened with."""
    return BatchHeader(
        batch["idempotency_key"],
        dt.date.fromisoformat(batch["exam_date"]),
        batch["expected"],
        batch["late_reason"],
        batch.get("session"),  # batches opened before sessions have no such field
    )


def opened_on(batch: Document) -> dt.date:
    """The day the batch counts as reported: the day it was opened (late, listing)."""
    return clock.china_date(batch["submitted_at"])


# --- open -------------------------------------------------------------------------------------


async def _institution(db: Database, principal: Principal) -> Institution | None:
    assert principal.institution is not None  # the policy admits only a bound institution
    return await directory.get(db, principal.institution)


async def open_batch(
    db: Database,
    principal: Principal,
    header: BatchHeader,
    *,
    personal: PersonalData | None = None,
    now: dt.datetime | None = None,
) -> SubmitOutcome:
    """Open a batch for `header.result_count` results in parts, once per idempotency key (a
    retry answers the same batch, `replayed`; the key with other content is
    `IDEMPOTENCY_KEY_REUSED`, as for a one-request submission: both share the key's batch id).
    A header naming an exam session is checked by the session rule of every batch
    (`validation.session_roster`; it needs `personal`), and each part's rows against its list."""
    policy.decide(principal, BatchAction.OPEN).require()
    moment = now or audit.now()  # to the millisecond: a retry reads back equal
    institution = await _institution(db, principal)
    checks = rows.Problems()
    check_header(checks, institution, header.as_input(), clock.china_date(moment))
    rows.check_count(checks, "resultCount", header.result_count, MAX_ROWS, ("batch", "result"))
    await session_roster(db, checks, institution, header.as_input(), personal)
    if checks.problems:
        raise Rejected(checks.problems)
    assert institution is not None
    bid = submission.batch_id(institution.uscc, header.idempotency_key)
    digest = submission.digest_of(
        {
            "parts": True,
            "examDate": header.exam_date.isoformat(),
            "lateReason": (header.late_reason or "").strip(),
            "resultCount": header.result_count,
            **submission.session_fields(header.session),
        }
    )
    if (retry := await idempotency.earlier(db, BATCH, bid, digest)) is not None:
        return SubmitOutcome(retry.document, replayed=True)

    async def build(_session: AsyncClientSession) -> Document:
        return opened_batch(principal, institution, header, bid, digest, moment)

    created = await idempotency.create_once(
        db, BATCH, principal, bid, digest, build, action=BatchAction.OPEN
    )
    return SubmitOutcome(created.document, created.replayed)


def opened_batch(
    principal: Principal,
    institution: Institution,
    header: BatchHeader,
    bid: str,
    digest: str,
    moment: dt.datetime,
) -> Document:
    status = BATCH_MOVES[BatchAction.OPEN].target
    entry = store.history_entry(BatchAction.OPEN, None, status, principal, moment, None)
    return {
        "_id": bid,
        "institution": institution.uscc,
        "province": institution.province,
        "idempotency_key": header.idempotency_key.strip(),
        "digest": digest,
        "exam_date": header.exam_date.isoformat(),
        "submitted_at": moment,
        "late": is_late(header.exam_date, clock.china_date(moment)),
        "late_reason": (header.late_reason or "").strip() or None,
        "session": header.session,
        "counts": {"results": 0, "passed": 0, "failed": 0},
        "expected": header.result_count,
        "received": {"parts": 0, "rows": 0},
        "expires_at": moment + dt.timedelta(hours=OPEN_HOURS),
        "status": status.value,
        "revision": 1,
        "history": [entry],
        "returns": [],
        "schema_version": SCHEMA_VERSION,
    }


# --- add a part -------------------------------------------------------------------------------


def part_id(bid: str, number: int) -> str:
    return f"{bid}:{number}"


def part_conflict(number: int) -> Rejected:
    return reject(
        "part",
        "BATCH_PART_CONFLICT",
        f"part {number} of this batch was already stored with other content; a part cannot be "
        "replaced (open a new batch to send other results)",
    )


async def _first_row(db: Database, bid: str, number: int) -> int:
    """How many rows the parts before `number` hold (`BATCH_PART_OUT_OF_ORDER` if one lacks)."""
    earlier = [
        p
        async for p in db[Collection.BATCH_PARTS].find(
            {"batch": bid, "number": {"$lt": number}}, {"size": 1}
        )
    ]
    if len(earlier) != number - 1:
        raise reject(
            "part",
            "BATCH_PART_OUT_OF_ORDER",
            f"parts are added in order: part {number} needs parts 1-{number - 1} first "
            f"({len(earlier)} of them are stored)",
        )
    return sum(p["size"] for p in earlier)


def _refuse_if_expired(batch: Document, moment: dt.datetime) -> None:
    expires = batch.get("expires_at")
    if batch["status"] == BatchStatus.OPEN and expires is not None and expires <= moment:
        raise reject(
            "batchId",
            "BATCH_EXPIRED",
            f"the batch was not closed within {OPEN_HOURS} hours of opening; open a new one",
        )


async def _open_batch_for(
    db: Database, principal: Principal, bid: str, action: BatchAction
) -> Document:
    """The batch `bid`, if the caller may `action` it (`Forbidden`, `BATCH_NOT_FOUND`)."""
    policy.decide(principal, action).require()
    batch = await review.load(db, bid)
    policy.decide(principal, action, batch).require()
    return batch


async def check_part(
    db: Database,
    batch: Document,
    number: int,
    results: list[ResultInput],
    personal: PersonalData,
) -> tuple[list[CleanResult], int]:
    """The part's clean rows and its first row's place, or `Rejected` with every problem."""
    if not 1 <= number <= MAX_ROWS:
        raise reject("part", "INVALID_PART_NUMBER", f"a part number is 1-{MAX_ROWS}")
    first = await _first_row(db, batch["_id"], number)
    institution = await directory.get(db, batch["institution"])
    shape = Part(first, MAX_PART_ROWS, ("part", "result"))
    header = header_of(batch)
    clean, problems, _ = await check_batch(
        db, institution, header.as_input(results), opened_on(batch), shape, personal
    )
    problems += await check_training_links(db, personal, clean)
    if problems:
        raise Rejected(problems)
    return clean, first


def stored_rows(clean: list[CleanResult], personal: PersonalData) -> list[Document]:
    """A part's rows as kept until the close: the ID number encrypted, never in clear."""
    return [
        {
            "row": r.row,
            "name": r.name,
            "id_enc": personal.encrypt(r.id_number),
            "id_hash": personal.lookup_hash(r.id_number),
            "occupation": r.occupation,
            "field": r.field,
            "direction": r.direction,
            "level": r.level,
            "theory": r.theory,
            "skill": r.skill,
            "training_certificate": r.training_certificate,
            "training_exemption": r.training_exemption,
        }
        for r in clean
    ]


def _may_take_parts(batch: Document, moment: dt.datetime) -> None:
    """The batch is OPEN and not past its time (`ILLEGAL_TRANSITION`, `BATCH_EXPIRED`); a batch
    submitted in one request is never OPEN."""
    _refuse_if_expired(batch, moment)
    BATCH_MOVES.check(BatchAction.ADD_PART, BatchStatus(batch["status"]), field="batchId")


def _room(batch: Document, size: int) -> None:
    """The part fits the count announced at opening (`BATCH_ROWS_EXCEEDED`)."""
    received = batch["received"]
    if received["rows"] + size > batch["expected"]:
        raise reject(
            "results",
            "BATCH_ROWS_EXCEEDED",
            f"the batch was opened for {batch['expected']} results; {received['rows']} are "
            f"stored and this part has {size}",
        )


async def add_part(
    db: Database,
    principal: Principal,
    bid: str,
    number: int,
    results: list[ResultInput],
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
) -> PartOutcome:
    """Store part `number` of the OPEN batch `bid` once (see the module docstring)."""
    batch = await _open_batch_for(db, principal, bid, BatchAction.ADD_PART)
    moment = now or audit.now()  # to the millisecond: a retry reads back equal
    pid = part_id(bid, number)
    stored = await idempotency.find(db, BATCH_PART, pid)
    if stored is None:  # a stored part answers its retry whatever the batch became since
        _may_take_parts(batch, moment)
    clean, first = await check_part(db, batch, number, results, personal)
    digest = submission.digest_of(submission.rows_payload(clean, personal))
    if stored is not None:
        replayed = idempotency.replay(BATCH_PART, stored, digest, part_conflict(number))
        return PartOutcome(replayed.document, await review.load(db, bid), True)
    _room(batch, len(clean))

    async def build(session: AsyncClientSession) -> Document:
        # The batch's counters are the point where parts and the close meet: a part counts only
        # if the batch is still OPEN with exactly the parts before it (the close, racing, fails).
        counted = await store.update_one(
            db,
            Collection.BATCHES,
            {"_id": bid, "status": BatchStatus.OPEN.value, "received.parts": number - 1},
            {"$inc": {"received.parts": 1, "received.rows": len(clean), "revision": 1}},
            session,
        )
        if not counted:
            raise Conflict("the batch changed while this part was stored; retry the part")
        return {
            "_id": pid,
            "batch": bid,
            "institution": batch["institution"],
            "number": number,
            "first_row": first + 1,
            "size": len(clean),
            "passed": sum(r.passed for r in clean),
            "digest": digest,
            "rows": stored_rows(clean, personal),
            "stored_at": moment,
        }

    created = await idempotency.create_once(
        db,
        BATCH_PART,
        principal,
        pid,
        digest,
        build,
        action=BatchAction.ADD_PART,
        conflict=part_conflict(number),
    )
    return PartOutcome(created.document, await review.load(db, bid), created.replayed)


# --- close ------------------------------------------------------------------------------------


def incomplete(batch: Document, received: int) -> Problem:
    return Problem(
        "resultCount",
        "BATCH_INCOMPLETE",
        f"the batch was opened for {batch['expected']} results and its parts hold {received}; "
        "add the missing parts before closing it",
    )


async def check_across(db: Database, batch: Document) -> Document:
    """What the parts cannot see alone: their rows add up to the announced count, and no
    candidate, occupation and level comes twice across parts (each part was checked by the one
    rule when it came). The batch's counts, or `Rejected` naming each row by its place."""
    keys: list[tuple[int, tuple[str, str, int]]] = []
    passed = 0
    stored = db[Collection.BATCH_PARTS].find(
        {"batch": batch["_id"]},
        {"passed": 1, "rows.row": 1, "rows.id_hash": 1, "rows.occupation": 1, "rows.level": 1},
    )
    async for part in stored.sort("number", 1):
        passed += part["passed"]
        keys += [(r["row"] - 1, (r["id_hash"], r["occupation"], r["level"])) for r in part["rows"]]
    problems = rows.duplicates_across(result_duplicates(), "results", keys)
    seen = len(keys)
    if seen != batch["expected"]:
        problems.insert(0, incomplete(batch, seen))
    if problems:
        raise Rejected(problems)
    return {"results": seen, "passed": passed, "failed": seen - passed}


async def close_batch(
    db: Database,
    principal: Principal,
    bid: str,
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
) -> SubmitOutcome:
    """Close the OPEN batch `bid`: checked as a whole, the serial numbers of its passing results
    reserved, BINDING — in one transaction. The binder then writes its result rows (numbered
    from that reservation) and their bindings. A retry answers the batch as it now is."""
    batch = await _open_batch_for(db, principal, bid, BatchAction.CLOSE)
    closed = review.has_moved(BatchAction.CLOSE, BatchStatus.OPEN, BatchStatus.EXPIRED)
    if closed(batch):
        return SubmitOutcome(batch, replayed=True)
    moment = now or audit.now()  # to the millisecond: a retry reads back equal
    _refuse_if_expired(batch, moment)
    BATCH_MOVES.check(BatchAction.CLOSE, BatchStatus(batch["status"]), field="batchId")
    counts = await check_across(db, batch)
    moved: list[bool] = []  # whether this call's transaction made the move (not a racing one)

    def already(doc: Document) -> bool:
        moved.clear()  # each attempt of the transaction starts here
        return closed(doc)

    async def changes(current: Document, session: AsyncClientSession) -> Document:
        moved.append(True)
        if current["revision"] != batch["revision"]:
            raise Conflict("a part arrived while the batch was closed; close it again")
        year = clock.china_date(moment).year
        serials = await numbers.allocate_serials(
            db, batch["institution"], year, counts["passed"], session=session
        )
        reserved = {"first": serials.start, "count": len(serials)}
        return {"counts": counts, "closed_at": moment, "expires_at": None, "serials": reserved}

    stored = await review.advance(
        db, principal, bid, BatchAction.CLOSE, now=moment, changes=changes, precheck=already
    )
    return SubmitOutcome(stored, replayed=not moved)
