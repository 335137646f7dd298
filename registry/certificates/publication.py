"""Publication: the office's approval makes every certificate of a batch public and signed by the
evaluation institution's key (谁评价、谁发证、谁负责) — in one transaction, so a crash leaves
the batch either fully published or not at all, and publishing again completes it.

Until publication a passing result lives on its batch's `results` row (certificate number,
holder binding, when it was numbered); `certificates` holds only published certificates. So
publication reads the batch's current numbered results, signs each certificate, and inserts
complete published documents (in chunks, each signed while the one before is inserted), next to
the batch's transition (the audited store) and the status-list allocation, all in the batch's
transaction: nothing is deleted or updated per certificate. The batch's audit entry logs every
certificate in the transparency log in that same transaction (`registry.transparency.leaves`);
each certificate is inserted with the index its leaf will have (`log_index`), and the
checkpoint that covers them (the audit chain pinned at that entry) is signed in the transaction
too. A certificate number already present stops the insert (`CERTIFICATE_NUMBER_TAKEN`), and
the transaction writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError

from credentials import CertificateClaims, Level, SigningKey, issue_certificate
from registry.access.auth import Principal
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import review
from registry.certificates.model import BatchAction, CertificateStatus
from registry.certificates.validation import MAX_ROWS
from registry.errors import Conflict
from registry.reports import tally
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.transparency import checkpoints, leaves, log
from registry.trust import keystore, status_lists

# Certificates signed before their insert is sent: a batch of 200 goes as four statements. (A
# small first chunk, so the database starts sooner, measured no different: docs/benchmarks.md.)
INSERT_CHUNK = 50

# What a numbered result row gives its certificate (never the encrypted ID number), and what
# the statistics count of every current result.
_RESULT_FIELDS = {
    **tally.RESULT_FIELDS,
    "batch": 1,
    "institution": 1,
    "name": 1,
    "id_hash": 1,
    "occupation": 1,
    "field": 1,
    "direction": 1,
    "level": 1,
    "exam_date": 1,
    "binding": 1,
    "certificate": 1,
    "numbered_at": 1,
}


async def publish(
    db: Database,
    principal: Principal,
    batch_id: str,
    *,
    master_key: bytes,
    base_url: str,
    now: dt.datetime | None = None,
) -> Document:
    """Publish a CETTIC_CHECKED batch (OFFICE_ADMIN); a retry after success answers the batch."""
    moment = now or clock.now()
    note_signer = await checkpoints.signer(db, master_key, base_url)

    async def changes(batch: Document, session: AsyncClientSession) -> Document:
        await issue_certificates(
            db, batch, master_key=master_key, base_url=base_url, now=now, session=session
        )
        return {"published_at": moment}

    async def then(session: AsyncClientSession) -> None:
        # The certificates' leaves were logged with the batch's audit entry: sign the tree that
        # holds them in the same transaction, so their inclusion proofs exist once it commits.
        await checkpoints.sign_in(db, session, note_signer, now=now)

    return await review.advance(
        db, principal, batch_id, BatchAction.PUBLISH, now=moment, changes=changes, then=then
    )


async def numbered_results(
    db: Database, batch_id: str, session: AsyncClientSession | None = None
) -> list[Document]:
    """The batch's current passing results (those with a certificate number), by row. In a
    transaction, every current result read is handed to the statistics, which count the batch
    in the same transaction (`tally.results_read`), so that they need not read them again."""
    # One reply for the whole batch (not 101 rows and a getMore): a round trip fewer.
    cursor = db[Collection.RESULTS].find(
        {"batch": batch_id, "current": True}, _RESULT_FIELDS, batch_size=MAX_ROWS, session=session
    )
    current = [d async for d in cursor.sort("row", 1)]
    if session is not None:
        tally.results_read(session, batch_id, current)
    return [d for d in current if d.get("certificate") is not None]


@dataclass(frozen=True)
class Issuer:
    """What every certificate of one batch is signed with."""

    uscc: str
    name: str
    key: SigningKey
    occupation_names: dict[str, str]
    signed_at: dt.datetime
    base_url: str

    def certificate(self, row: Document, ref: status_lists.StatusRef, log_index: int) -> Document:
        """The complete published certificate of the numbered result `row`, whose leaf is
        `log_index` in the transparency log."""
        claims = CertificateClaims(
            certificate_number=row["certificate"],
            holder_name=row["name"],
            occupation_code=row["occupation"],
            occupation_name=self.occupation_names[row["occupation"]],
            level=Level(row["level"]),
            field_code=row["field"],
            issuer_uscc=self.uscc,
            issuer_name=self.name,
            valid_from=self.signed_at,
            direction=row["direction"],
        )
        credential = issue_certificate(
            claims,
            self.key,
            binding=row["binding"],
            status=status_lists.status_entry(self.base_url, ref),
            created=self.signed_at,
        )
        return published_document(
            row,
            published_at=self.signed_at,
            credential=credential,
            status_ref={"list_id": ref.list_id, "index": ref.index},
            log_index=log_index,
        )


def published_document(
    row: Document,
    *,
    published_at: dt.datetime,
    credential: Document,
    status_ref: Document,
    log_index: int,
) -> Document:
    """The certificate as stored: the result's holder and occupation, its number as `_id`, and
    the index of its leaf in the transparency log (where the batch's leaves will land)."""
    return {
        "_id": row["certificate"],
        "batch": row["batch"],
        "institution": row["institution"],
        "name": row["name"],
        "id_hash": row["id_hash"],
        "occupation": row["occupation"],
        "field": row["field"],
        "direction": row["direction"],
        "level": row["level"],
        "exam_date": row["exam_date"],
        "binding": row["binding"],
        "status": CertificateStatus.PUBLISHED.value,
        "created_at": row["numbered_at"],
        "schema_version": SCHEMA_VERSION,
        "published_at": published_at,
        "credential": credential,
        "status_ref": status_ref,
        "log_index": log_index,
    }


async def issuer(
    db: Database,
    batch: Document,
    rows: list[Document],
    *,
    master_key: bytes,
    base_url: str,
    now: dt.datetime | None,
    session: AsyncClientSession,
) -> Issuer:
    institution = await db[Collection.INSTITUTIONS].find_one(
        {"_id": batch["institution"]}, {"name": 1}, session=session
    )
    assert institution is not None
    # The batch's own occupations, by code: the catalogue may list any number of them.
    found = await catalogue.occupations_by_codes(db, sorted({r["occupation"] for r in rows}))
    key = await keystore.institution_key(db, master_key, batch["institution"], session=session)
    # Taken after the key: a first key is valid from its creation, and the proof's `created`
    # must fall inside the key's window.
    signed_at = now or clock.now()
    names = {code: occupation.name for code, occupation in found.items()}
    return Issuer(batch["institution"], institution["name"], key, names, signed_at, base_url)


async def issue_certificates(
    db: Database,
    batch: Document,
    *,
    master_key: bytes,
    base_url: str,
    now: dt.datetime | None,
    session: AsyncClientSession,
) -> None:
    """Sign the batch's numbered results and insert them as published certificates (chunk by
    chunk, stopping at the first error) in the caller's transaction, each with its leaf index;
    hand the leaves to the log."""
    leaves.published(session, batch["_id"], [])  # a retried transaction starts from nothing
    rows = await numbered_results(db, batch["_id"], session)
    if not rows:
        return
    signer = await issuer(
        db, batch, rows, master_key=master_key, base_url=base_url, now=now, session=session
    )
    refs = await status_lists.allocate(db, len(rows), owner=batch["institution"], session=session)
    # The batch's leaves are appended, in number order, by its audit entry later in this
    # transaction, after everything logged so far (the log checks that each lands there).
    first = (await log.read_head(db, session)).size
    rank = {number: n for n, number in enumerate(sorted(r["certificate"] for r in rows))}
    made: list[log.Leaf] = []

    def chunk(start: int, stop: int) -> list[Document]:
        documents = [
            signer.certificate(row, ref, first + rank[row["certificate"]])
            for row, ref in zip(rows[start:stop], refs[start:stop], strict=True)
        ]
        # The leaves too are made while the chunk before is being inserted.
        made.extend(leaves.publication_leaf(doc, plain=True) for doc in documents)
        return documents

    try:
        await store.insert_many_made(
            db,
            Collection.CERTIFICATES,
            (chunk(k, k + INSERT_CHUNK) for k in range(0, len(rows), INSERT_CHUNK)),
            session,
        )
    except BulkWriteError as error:
        if not all(e.get("code") == 11000 for e in error.details.get("writeErrors", [])):
            raise
        # Numbers come from a counter that never goes back: only a hand-made document collides.
        raise Conflict(
            "a certificate number of this batch is already taken; nothing was published",
            code="CERTIFICATE_NUMBER_TAKEN",
        ) from None
    leaves.published(session, batch["_id"], made)
