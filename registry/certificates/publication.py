"""Publication: the office's approval makes every certificate of a batch public and signed by the
evaluation institution's key (谁评价、谁发证、谁负责) — in one transaction, so a crash leaves
the batch either fully published or not at all, and publishing again completes it."""

from __future__ import annotations

import datetime as dt

from pymongo import UpdateOne
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
    names = {o.code: o.name for o in (await catalogue.occupations(db, limit=100))[0]}

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
        key = await keystore.institution_key(db, master_key, doc["institution"], session=session)
        # Taken after the key: a first key is valid from its creation, and the proof's `created`
        # must fall inside the key's window.
        signed_at = now or clock.now()
        refs = await status_lists.allocate(db, len(pending), session=session)
        updates = []
        for cert, ref in zip(pending, refs, strict=True):
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
            updates.append(
                UpdateOne(
                    {"_id": cert["_id"], "status": "PENDING"},
                    {
                        "$set": {
                            "status": "PUBLISHED",
                            "published_at": signed_at,
                            "credential": credential,
                            "status_ref": {"list_id": ref.list_id, "index": ref.index},
                        }
                    },
                )
            )
        if updates:
            result = await db.certificates.bulk_write(updates, ordered=False, session=session)
            if result.modified_count != len(updates):
                raise Conflict("certificates changed during publication; retry it")
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
