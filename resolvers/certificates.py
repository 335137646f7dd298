"""Resolvers of assessment batches and certificates: thin calls into `registry.certificates`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from registry.certificates import lookup, policy, publication, review, revocation, submission
from registry.certificates.model import BatchAction
from registry.certificates.numbers import CertificateNumberError
from registry.certificates.validation import BatchInput
from registry.db import Document
from registry.errors import Forbidden, NotFound
from registry.identifiers import IdNumberError
from registry.problems import Problem, Rejected
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.errors import PublicError, public
from resolvers.global_ids import batch_key
from resolvers.pagination import check_first, decode_cursor, encode_cursor

CURSOR_KIND = "batch"


@dataclass
class BatchOutcome:
    batch: Document | None = None
    replayed: bool = False
    problems: list[Problem] = field(default_factory=list)


@dataclass
class CertificateOutcome:
    certificate: lookup.PublicCertificate | None = None
    problems: list[Problem] = field(default_factory=list)


async def submit(ctx: Context, batch: BatchInput) -> BatchOutcome:
    who = await principal(ctx)
    try:
        outcome = await submission.submit(ctx.db, who, batch, ctx.personal_data())
    except Rejected as rejected:
        return BatchOutcome(problems=list(rejected.problems))
    except Forbidden as error:
        raise public(error) from None
    return BatchOutcome(batch=outcome.batch, replayed=outcome.replayed)


async def resubmit(ctx: Context, batch_id: str, batch: BatchInput) -> BatchOutcome:
    who = await principal(ctx)
    batch_id = batch_key(batch_id)
    try:
        outcome = await submission.resubmit(ctx.db, who, batch_id, batch, ctx.personal_data())
    except Rejected as rejected:
        return BatchOutcome(problems=list(rejected.problems))
    except (Forbidden, NotFound) as error:
        raise public(error) from None
    return BatchOutcome(batch=outcome.batch, replayed=outcome.replayed)


async def _move(
    ctx: Context, batch_id: str, move: Callable[..., Awaitable[Document]]
) -> BatchOutcome:
    who = await principal(ctx)
    batch_id = batch_key(batch_id)
    try:
        doc = await move(who, batch_id)
    except Rejected as rejected:
        return BatchOutcome(problems=list(rejected.problems))
    except (Forbidden, NotFound) as error:
        raise public(error) from None
    return BatchOutcome(batch=doc)


async def approve_province(ctx: Context, batch_id: str) -> BatchOutcome:
    return await _move(ctx, batch_id, lambda who, bid: review.approve_province(ctx.db, who, bid))


async def check_cettic(ctx: Context, batch_id: str) -> BatchOutcome:
    return await _move(ctx, batch_id, lambda who, bid: review.check_cettic(ctx.db, who, bid))


async def publish(ctx: Context, batch_id: str) -> BatchOutcome:
    return await _move(
        ctx,
        batch_id,
        lambda who, bid: publication.publish(
            ctx.db, who, bid, master_key=ctx.master_key, base_url=ctx.settings.base_url
        ),
    )


async def return_batch(ctx: Context, batch_id: str, reason: str | None) -> BatchOutcome:
    return await _move(
        ctx, batch_id, lambda who, bid: review.return_batch(ctx.db, who, bid, reason or "")
    )


async def revoke(ctx: Context, number: str, reason: str) -> CertificateOutcome:
    who = await principal(ctx)
    try:
        doc = await revocation.revoke(ctx.db, who, number, reason)
    except CertificateNumberError as error:
        return CertificateOutcome(problems=[Problem("number", error.code, error.message)])
    except Rejected as rejected:
        return CertificateOutcome(problems=list(rejected.problems))
    except (Forbidden, NotFound) as error:
        raise public(error) from None
    if ctx.certificates is not None:
        # Other processes learn of it from the change stream; this one evicts now.
        ctx.certificates.evict(doc["_id"])
    found = await lookup.by_number(ctx.db, doc["_id"], doc["name"])
    return CertificateOutcome(certificate=found)


async def by_number(ctx: Context, number: str, holder_name: str) -> lookup.PublicCertificate | None:
    try:
        return await lookup.by_number(ctx.db, number, holder_name, ctx.certificates)
    except CertificateNumberError as error:
        raise PublicError(error.message, error.code, argument="number") from None


async def by_holder(
    ctx: Context, id_number: str, holder_name: str
) -> list[lookup.PublicCertificate]:
    try:
        return await lookup.by_holder(ctx.db, ctx.personal_data(), id_number, holder_name)
    except IdNumberError as error:
        # The message says what is wrong without repeating the number.
        raise PublicError(error.message, error.code, argument="idNumber") from None


async def batch(ctx: Context, batch_id: str) -> Document | None:
    who = await principal(ctx)
    batch_id = batch_key(batch_id)
    doc = await ctx.db.batches.find_one({"_id": batch_id})
    if doc is None or not policy.decide(who, BatchAction.VIEW, doc).allowed:
        return None  # the same answer for "not yours" and "not there"
    return doc


async def batches(
    ctx: Context, status: str | None, first: int, after: str | None
) -> tuple[list[tuple[str, Document]], bool, bool]:
    who = await principal(ctx)
    check_first(first)
    try:
        scope = policy.decide(who, BatchAction.LIST).require().scope
    except Forbidden as error:
        raise public(error) from None
    query: Document = scope.query()
    if status:
        query["status"] = status
    after_key = decode_cursor(CURSOR_KIND, after)
    if after_key:
        query["_id"] = {"$gt": after_key}
    docs = [d async for d in ctx.db.batches.find(query).sort("_id", 1).limit(first + 1)]
    return (
        [(encode_cursor(CURSOR_KIND, d["_id"]), d) for d in docs[:first]],
        len(docs) > first,
        after_key is not None,
    )


async def batch_results(ctx: Context, batch_id: str) -> list[Document]:
    """The current results of a batch (names, scores, certificate numbers; never ID numbers)."""
    cursor = ctx.db.results.find(
        {"batch": batch_id, "current": True}, {"id_enc": 0, "id_hash": 0, "binding": 0}
    ).sort("row", 1)
    return [d async for d in cursor]
