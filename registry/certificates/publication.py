"""Publication: the office's approval makes every certificate of a batch public and signed by the
evaluation institution's key (谁评价、谁发证、谁负责) — in one transaction, so a crash leaves
the batch either fully published or not at all, and publishing again completes it.

The batch's certificates are written as one `delete_many` of its PENDING documents (checked:
every one of them must still be PENDING, else `Conflict` and the transaction writes nothing)
and `insert_many` of the complete published documents, not as one update per certificate: the
embedded database plans, and rebuilds its index options for, every update statement, and a
statement for the whole batch each way costs it about a third of the time (docs/benchmarks.md,
finding 2; `python -m scripts.bench.experiments writes`, and `... publish` for the whole
publication). The published document is exactly what the former `$set` made of the pending one:
the same fields in the same order. Change streams (and the oplog) therefore show a delete and
an insert for each certificate instead of an update. The credentials are signed while the
database runs the delete and then the inserts (the documents signed during one statement go in
the next), so signing, CPU in this process, overlaps the database's work in its own process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from pymongo.asynchronous.client_session import AsyncClientSession

from credentials.certificate import CertificateClaims, Level, StatusEntry, issue_certificate
from registry import audit, catalogue, clock, keystore, status_lists
from registry.auth import Principal, Role
from registry.certificates.review import load
from registry.certificates.submission import BatchStatus
from registry.db import Database, Document
from registry.errors import Conflict, Forbidden
from registry.problems import reject
from registry.transactions import in_transaction


async def publish(
    db: Database,
    principal: Principal,
    batch_id: str,
    *,
    master_key: bytes,
    base_url: str,
    now: dt.datetime | None = None,
) -> Document:
    if principal.role is not Role.OFFICE_ADMIN:
        raise Forbidden(
            "publishBatch may be called by OFFICE_ADMIN; you are "
            + (principal.role.value if principal.role else "the public (no token)")
        )
    moment = now or clock.now()

    async def work(session: AsyncClientSession) -> Document:
        doc = await load(db, batch_id, session)
        if doc["status"] == BatchStatus.PUBLISHED:
            return doc  # a retry after success
        if doc["status"] != BatchStatus.CETTIC_CHECKED:
            raise reject(
                "batchId",
                "ILLEGAL_TRANSITION",
                f"cannot publish: the batch is {doc['status']} (needs CETTIC_CHECKED)",
            )
        institution = await db.institutions.find_one(
            {"_id": doc["institution"]}, {"name": 1}, session=session
        )
        assert institution is not None
        pending = [
            c
            async for c in db.certificates.find(
                {"batch": batch_id, "status": "PENDING"}, session=session
            )
        ]
        # The batch's own occupations, by code: the catalogue may list any number of them.
        found = await catalogue.occupations_by_codes(db, sorted({c["occupation"] for c in pending}))
        names = {code: occupation.name for code, occupation in found.items()}
        key = await keystore.institution_key(db, master_key, doc["institution"], session=session)
        # Taken after the key: a first key is valid from its creation, and the proof's `created`
        # must fall inside the key's window.
        signed_at = now or clock.now()
        refs = dict(
            zip(
                (c["_id"] for c in pending),
                await status_lists.allocate(db, len(pending), session=session),
                strict=True,
            )
        )

        def published(cert: Document) -> Document:
            ref = refs[cert["_id"]]
            claims = CertificateClaims(
                certificate_number=cert["_id"],
                holder_name=cert["name"],
                occupation_code=cert["occupation"],
                occupation_name=names[cert["occupation"]],
                level=Level(cert["level"]),
                field_code=cert["field"],
                issuer_uscc=doc["institution"],
                issuer_name=institution["name"],
                valid_from=signed_at,
                direction=cert["direction"],
            )
            status = StatusEntry(status_lists.status_list_url(base_url, ref.list_id), ref.index)
            credential = issue_certificate(
                claims, key, binding=cert["binding"], status=status, created=signed_at
            )
            return published_document(
                cert,
                published_at=signed_at,
                credential=credential,
                status_ref={"list_id": ref.list_id, "index": ref.index},
            )

        await replace_pending(db, batch_id, pending, published, session=session)
        new = {
            **doc,
            "status": BatchStatus.PUBLISHED,
            "published_at": moment,
            "revision": doc["revision"] + 1,
            "history": [
                *doc["history"],
                {
                    "at": moment,
                    "action": "publish",
                    "from": doc["status"],
                    "to": BatchStatus.PUBLISHED,
                    "actor": principal.actor,
                    "reason": None,
                },
            ],
        }
        replaced = await db.batches.replace_one(
            {"_id": batch_id, "revision": doc["revision"]}, new, session=session
        )
        if replaced.matched_count != 1:
            raise Conflict("the batch changed while this request ran; retry it")
        await audit.append(
            db,
            actor=principal,
            action="batch.publish",
            entity=f"batch:{batch_id}",
            before=doc,
            after=new,
            session=session,
        )
        return new

    return await in_transaction(db, work)


SIGN_SLICE: Final = 16
"""Credentials signed between two turns of the event loop while a statement is in flight."""


def published_document(
    pending: Document,
    *,
    published_at: dt.datetime,
    credential: Document,
    status_ref: Document,
) -> Document:
    """The certificate as published: the pending document with `status` PUBLISHED (in its place)
    and `published_at`, `credential` and `status_ref` added after the other fields, exactly as
    `$set` of those four fields made it."""
    return {
        **pending,
        "status": "PUBLISHED",
        "published_at": published_at,
        "credential": credential,
        "status_ref": status_ref,
    }


async def replace_pending(
    db: Database,
    batch_id: str,
    pending: list[Document],
    publish_one: Callable[[Document], Document],
    *,
    session: AsyncClientSession,
) -> None:
    """Replace the `pending` certificates (all of the batch's PENDING ones, as read in the
    caller's transaction) by `publish_one` of each, in that transaction.

    The delete of the batch's PENDING documents is sent first, and the published documents are
    made (signed) while the database runs it. Unless it deleted exactly as many documents as
    `pending` holds (a certificate changed or was added concurrently), this raises `Conflict`
    before inserting anything, and the caller's transaction is aborted: nothing is written.
    Then the documents signed so far are inserted, the next ones signed meanwhile, and so on:
    one statement at a time on the session (one insert when signing keeps up with the delete,
    a few otherwise).

    The delete is by `{batch, status}`, on the `batch_status` index, rather than by
    `{_id: {$in: ids}}`: the embedded database matches every candidate against the whole `$in`
    list, quadratic in the batch's size (14-19 % of its time for batches of 200).
    """
    if not pending:
        return
    certificates = db.certificates
    documents: list[Document] = []

    async def sign_while(running: asyncio.Future[Any]) -> None:
        # Sign slices until the operation in flight is answered (or nothing is left to sign):
        # each turn of the event loop in between lets it go out and its reply come in.
        try:
            while len(documents) < len(pending):
                await asyncio.sleep(0)
                if running.done():
                    return
                for cert in pending[len(documents) : len(documents) + SIGN_SLICE]:
                    documents.append(publish_one(cert))
        except BaseException:
            # A session takes one operation at a time: let this one finish before the caller's
            # transaction is aborted through the same session.
            await asyncio.wait([running])
            if not running.cancelled():
                running.exception()  # retrieved; the signing error is the one reported
            raise

    deleting = asyncio.ensure_future(
        certificates.delete_many({"batch": batch_id, "status": "PENDING"}, session=session)
    )
    await sign_while(deleting)
    if (await deleting).deleted_count != len(pending):
        raise Conflict("certificates changed during publication; retry it")
    sent = 0
    while sent < len(pending):
        if sent == len(documents):  # nothing signed waits: sign one slice first
            documents.extend(publish_one(c) for c in pending[sent : sent + SIGN_SLICE])
        inserting = asyncio.ensure_future(
            certificates.insert_many(documents[sent:], ordered=True, session=session)
        )
        sent = len(documents)
        await sign_while(inserting)
        await inserting
