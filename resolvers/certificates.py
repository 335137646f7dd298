"""Resolvers of assessment batches and certificates: thin calls into `registry.certificates`.

Mutations return an `Outcome`; domain errors pass through and are shown by `schema/errors.py`.
Each review action is its own function: no action string is dispatched here."""

from __future__ import annotations

from registry.access.auth import Principal
from registry.certificates import (
    binder,
    lookup,
    parts,
    policy,
    publication,
    review,
    revocation,
    submission,
)
from registry.certificates.model import BatchAction
from registry.certificates.validation import BatchInput, ResultInput
from registry.storage.collections import Collection
from registry.storage.db import Document
from registry.transparency import inclusion as log_inclusion
from resolvers.auth import permitted, principal
from resolvers.context import Context
from resolvers.global_ids import batch_key
from resolvers.outcome import Outcome
from resolvers.pagination import Page, check_first, decode_cursor, page

CURSOR_KIND = "batch"


def _id(doc: Document) -> str:
    return str(doc["_id"])


async def submit(ctx: Context, batch: BatchInput) -> Outcome[Document]:
    who = await principal(ctx)
    outcome = await submission.submit(ctx.db, who, batch, ctx.personal_data())
    return Outcome(outcome.batch, replayed=outcome.replayed)


async def resubmit(ctx: Context, batch_id: str, batch: BatchInput) -> Outcome[Document]:
    who = await permitted(ctx, policy.decide, BatchAction.RESUBMIT)
    batch_id = batch_key(batch_id)
    outcome = await submission.resubmit(ctx.db, who, batch_id, batch, ctx.personal_data())
    return Outcome(outcome.batch, replayed=outcome.replayed)


async def open_batch(ctx: Context, header: parts.BatchHeader) -> Outcome[Document]:
    who = await permitted(ctx, policy.decide, BatchAction.OPEN)
    outcome = await parts.open_batch(ctx.db, who, header, personal=ctx.personal_data())
    return Outcome(outcome.batch, replayed=outcome.replayed)


async def add_part(
    ctx: Context, batch_id: str, number: int, results: list[ResultInput]
) -> Outcome[dict[str, Document]]:
    who = await permitted(ctx, policy.decide, BatchAction.ADD_PART)
    outcome = await parts.add_part(
        ctx.db, who, batch_key(batch_id), number, results, ctx.personal_data()
    )
    value = {"part": outcome.part, "batch": outcome.batch}
    return Outcome(value, replayed=outcome.replayed)


async def close_batch(ctx: Context, batch_id: str) -> Outcome[Document]:
    who = await permitted(ctx, policy.decide, BatchAction.CLOSE)
    outcome = await parts.close_batch(ctx.db, who, batch_key(batch_id), ctx.personal_data())
    return Outcome(outcome.batch, replayed=outcome.replayed)


async def binding_progress(ctx: Context, batch_id: str) -> tuple[int, int]:
    """(rows bound, rows to bind) of a batch the caller was shown."""
    doc = await review.load(ctx.db, batch_id)
    return await binder.progress(ctx.db, doc)


async def approve_province(ctx: Context, batch_id: str) -> Outcome[Document]:
    who = await permitted(ctx, policy.decide, BatchAction.APPROVE_PROVINCE)
    return Outcome(await review.approve_province(ctx.db, who, batch_key(batch_id)))


async def check_cettic(ctx: Context, batch_id: str) -> Outcome[Document]:
    who = await permitted(ctx, policy.decide, BatchAction.CHECK_CETTIC)
    return Outcome(await review.check_cettic(ctx.db, who, batch_key(batch_id)))


async def publish(ctx: Context, batch_id: str) -> Outcome[Document]:
    who = await permitted(ctx, policy.decide, BatchAction.PUBLISH)
    doc = await publication.publish(
        ctx.db, who, batch_key(batch_id), master_key=ctx.master_key, base_url=ctx.settings.base_url
    )
    return Outcome(doc)


async def return_batch(ctx: Context, batch_id: str, reason: str) -> Outcome[Document]:
    who = await permitted(ctx, policy.decide, BatchAction.RETURN)
    return Outcome(await review.return_batch(ctx.db, who, batch_key(batch_id), reason))


async def revoke(ctx: Context, number: str, reason: str) -> Outcome[lookup.PublicCertificate]:
    who = await principal(ctx)
    doc = await revocation.revoke(ctx.db, who, number, reason)
    if ctx.certificates is not None:
        # Other processes learn of it from the change stream; this one evicts now.
        ctx.certificates.evict(doc["_id"])
    return Outcome(await lookup.by_number(ctx.db, doc["_id"], doc["name"]))


async def by_number(ctx: Context, number: str, holder_name: str) -> lookup.PublicCertificate | None:
    return await lookup.by_number(ctx.db, number, holder_name, ctx.certificates)


async def inclusion(ctx: Context, number: str) -> log_inclusion.Inclusion | None:
    """The certificate's inclusion proof against the latest log checkpoint (None if unlogged)."""
    return await log_inclusion.of_certificate(ctx.db, ctx.master_key, ctx.settings.base_url, number)


def credential_file(
    credential: Document, found: log_inclusion.Inclusion | None
) -> dict[str, object]:
    """The credential file the registry hands out: the envelope (credential + inclusion)."""
    return log_inclusion.envelope(credential, found)


async def by_holder(
    ctx: Context, id_number: str, holder_name: str
) -> list[lookup.PublicCertificate]:
    return await lookup.by_holder(ctx.db, ctx.personal_data(), id_number, holder_name)


async def batch(ctx: Context, batch_id: str) -> Document | None:
    who = await principal(ctx)
    batch_id = batch_key(batch_id)
    doc = await ctx.db[Collection.BATCHES].find_one({"_id": batch_id})
    if doc is None or not policy.decide(who, BatchAction.VIEW, doc).allowed:
        return None  # the same answer for "not yours" and "not there"
    return doc


async def batches(
    ctx: Context, status: str | None, first: int, after: str | None
) -> Page[Document]:
    who = await principal(ctx)
    check_first(first)
    visible = _visible_batches(who, status)
    after_key = decode_cursor(CURSOR_KIND, after)
    query = {"$and": [visible, {"_id": {"$gt": after_key}}]} if after_key else visible
    docs = [d async for d in ctx.db[Collection.BATCHES].find(query).sort("_id", 1).limit(first + 1)]
    return page(
        CURSOR_KIND,
        docs[:first],
        _id,
        more=len(docs) > first,
        after=after_key,
        count=lambda: ctx.db[Collection.BATCHES].count_documents(visible),
    )


def _visible_batches(who: Principal, status: str | None) -> Document:
    """The batches `who` may list (its scope), of `status` when given."""
    query: Document = policy.decide(who, BatchAction.LIST).require().scope.query()
    if status:
        query["status"] = status
    return query


async def batch_results(ctx: Context, batch_id: str) -> list[Document]:
    """The current results of a batch (names, scores, certificate numbers; never ID numbers)."""
    cursor = (
        ctx.db[Collection.RESULTS]
        .find({"batch": batch_id, "current": True}, {"id_enc": 0, "id_hash": 0, "binding": 0})
        .sort("row", 1)
    )
    return [d async for d in cursor]
