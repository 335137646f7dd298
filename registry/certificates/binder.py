"""The binder: the service's worker that computes the holder bindings of closed batches.

A batch closed in parts (`parts.py`) is BINDING: its serial numbers are reserved, its rows still
in its parts. The binder first writes its result rows (`part_rows.write_rows`, part by part, each row
with its certificate number and no binding), then takes the unbound ones `CHUNK` at a time, computes the bindings in
the bounded pool every submission shares (`submission.commitments`: `REGISTRY_BINDING_THREADS`
threads, half the cores by default, so look-ups keep the rest), and writes each row's binding
only where the row has none (`binding: None` in the filter). The rows themselves are the
progress: a binder killed at any moment loses at most the chunk it was computing, and the next
one (after a restart) takes only the rows still unbound — no row is bound twice, none is skipped.
When no row is left the batch moves BINDING → SUBMITTED (`BatchAction.BIND`) and is reviewable.

The same loop expires OPEN batches not closed within `model.OPEN_HOURS` (`BatchAction.EXPIRE`),
deleting their parts (never reviewed, never public: nothing of them is a record).

Several processes may each run a binder (`registry serve --workers`): the conditional writes keep
every row bound once, though two may then compute the same chunk.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Callable

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import SYSTEM
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.certificates import part_rows, review, submission
from registry.certificates.model import BATCH, BATCH_MOVES, BatchAction, BatchStatus
from registry.errors import Conflict
from registry.problems import Rejected
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document

log = logging.getLogger("registry.binder")

# Rows a chunk: enough to keep every thread of the pool busy, small enough that a kill loses
# little (the chunk's rows are written together).
CHUNK = max(8, 4 * submission.BINDING_THREADS)
POLL_S = 1.0


def unbound(bid: str) -> Document:
    """The batch's passing rows still waiting for their binding."""
    return {"batch": bid, "current": True, "certificate": {"$ne": None}, "binding": None}


async def progress(db: Database, batch: Document) -> tuple[int, int]:
    """(rows bound, rows to bind) of `batch`: its passing results."""
    total = int(batch.get("counts", {}).get("passed", 0))
    if batch["status"] != BatchStatus.BINDING:
        # Before the close nothing is counted yet (0 of 0); after the binder, all of them.
        return total, total
    # Counted from the bound rows: rows not yet written are not bound either.
    bound = {**unbound(batch["_id"]), "binding": {"$ne": None}}
    return await db[Collection.RESULTS].count_documents(bound), total


async def bind_chunk(db: Database, personal: PersonalData, bid: str, run: str) -> int | None:
    """Bind up to `CHUNK` unbound rows of `bid`; how many this call wrote (None: none was left)."""
    rows = [r async for r in db[Collection.RESULTS].find(unbound(bid), {"id_enc": 1}).limit(CHUNK)]
    if not rows:
        return None
    made = await submission.commitments([personal.decrypt(r["id_enc"]) for r in rows])
    writes = [
        UpdateOne({"_id": r["_id"], "binding": None}, {"$set": {"binding": b, "bound_by": run}})
        for r, b in zip(rows, made, strict=True)
    ]
    result = await db[Collection.RESULTS].bulk_write(writes, ordered=False)
    return result.modified_count


async def bind_batch(
    db: Database,
    personal: PersonalData,
    bid: str,
    *,
    run: str,
    on_chunk: Callable[[int], None] | None = None,
) -> int:
    """Write the result rows of the BINDING batch `bid`, bind every unbound passing row, then
    move it to SUBMITTED. Returns how many rows this call bound; `on_chunk(bound so far)` after
    each chunk."""
    await part_rows.write_rows(db, await review.load(db, bid), personal)
    done = 0
    while (wrote := await bind_chunk(db, personal, bid, run)) is not None:
        done += wrote
        if on_chunk is not None:
            on_chunk(done)
    await finish(db, bid)
    return done


async def finish(db: Database, bid: str, now: dt.datetime | None = None) -> Document:
    """BINDING → SUBMITTED once no row is left unbound (a retry answers the batch as it is)."""

    async def changes(_current: Document, session: AsyncClientSession) -> Document:
        left = await db[Collection.RESULTS].count_documents(unbound(bid), session=session)
        unwritten = await db[Collection.BATCH_PARTS].count_documents(
            {"batch": bid, "rows": {"$exists": True}}, session=session
        )
        if left or unwritten:
            raise Conflict(f"{unwritten} parts unwritten and {left} rows unbound in the batch")
        return {}

    return await store.apply_transition(
        db,
        BATCH,
        BATCH_MOVES,
        SYSTEM,
        bid,
        BatchAction.BIND,
        at=now or clock.now(),
        changes=changes,
        precheck=review.has_moved(BatchAction.BIND, BatchStatus.BINDING),
    )


async def expire(db: Database, now: dt.datetime) -> int:
    """Expire every OPEN batch whose time ran out, deleting its parts; how many expired."""
    expired = 0
    due = db[Collection.BATCHES].find(
        {"status": BatchStatus.OPEN.value, "expires_at": {"$lte": now}}, {"_id": 1}
    )
    async for doc in due:

        async def drop_parts(current: Document, session: AsyncClientSession) -> Document:
            await db[Collection.BATCH_PARTS].delete_many({"batch": current["_id"]}, session=session)
            return {}

        try:
            await store.apply_transition(
                db,
                BATCH,
                BATCH_MOVES,
                SYSTEM,
                doc["_id"],
                BatchAction.EXPIRE,
                at=now,
                changes=drop_parts,
            )
            expired += 1
        except (Rejected, Conflict):
            continue  # closed (or changed) since it was read: no longer due
    return expired


async def sweep(db: Database, personal: PersonalData, run: str) -> None:
    """One pass: expire what is due, then bind every BINDING batch to the end."""
    await expire(db, clock.now())
    binding = db[Collection.BATCHES].find({"status": BatchStatus.BINDING.value}, {"_id": 1})
    for bid in [d["_id"] async for d in binding]:
        bound = await bind_batch(db, personal, bid, run=run)
        log.info("batch bound", extra={"batch": bid, "rows": bound})


async def run(db: Database, personal: PersonalData, *, poll_s: float = POLL_S) -> None:
    """The binder of a service process: a sweep every `poll_s` seconds until cancelled. A failed
    sweep is logged and tried again (its work is safe to repeat)."""
    run_id = uuid.uuid4().hex[:12]
    while True:
        try:
            await sweep(db, personal, run_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("binder sweep failed; trying again")
        await asyncio.sleep(poll_s)
