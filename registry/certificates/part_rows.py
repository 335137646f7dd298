"""The result rows of a batch closed in parts, written by the binder (`binder.py`).

The close (`parts.close_batch`) reserved the serial numbers of the batch's passing results; here
each part's rows become the same result documents a one-request batch gets
(`submission.numbered_rows`), numbered from that reservation in row order, without bindings yet.
Written part by part and safe to repeat after a kill at any point: a row's id is fixed, one
already there is kept, and a part drops its rows only once its result rows are written.
"""

from __future__ import annotations

from pymongo.errors import BulkWriteError

from registry.access.auth import SYSTEM
from registry.access.personal import PersonalData
from registry.certificates import submission
from registry.certificates.parts import header_of
from registry.certificates.submission import Checked
from registry.certificates.validation import CleanResult
from registry.institutions import directory
from registry.institutions.model import Institution
from registry.storage.collections import Collection
from registry.storage.db import Database, Document


def clean_rows(part: Document, personal: PersonalData) -> list[CleanResult]:
    """A stored part's rows as the clean results they were checked as."""
    return [
        CleanResult(
            r["row"],
            r["name"],
            personal.decrypt(r["id_enc"]),
            r["occupation"],
            r["field"],
            r["direction"],
            r["level"],
            r["theory"],
            r["skill"],
            r["training_certificate"],
            r["training_exemption"],
        )
        for r in part["rows"]
    ]


def part_rows(
    batch: Document,
    institution: Institution,
    part: Document,
    personal: PersonalData,
    first_serial: int,
) -> list[Document]:
    """The result rows of one part of a closed batch: the same documents a one-request batch
    gets (`submission.numbered_rows`), numbered from `first_serial`, without bindings yet."""
    clean = clean_rows(part, personal)
    header = header_of(batch)
    checked = Checked(
        SYSTEM,
        institution,
        header.as_input(),
        clean,
        [r["id_hash"] for r in part["rows"]],
        batch["digest"],
        batch["closed_at"],
    )
    the_plan = submission.Plan(checked, {}, [None] * part["passed"])
    serials = iter(range(first_serial, first_serial + part["passed"]))
    return submission.numbered_rows(the_plan, personal, batch["_id"], 1, serials)


async def write_rows(db: Database, batch: Document, personal: PersonalData) -> int:
    """Write the result rows of every part of the closed `batch` not written yet, and drop the
    part's rows (the result rows hold them now; the part keeps what answers a retry). Safe to
    repeat after a kill at any point: a row has a fixed id, and one already there is kept."""
    institution = await directory.get(db, batch["institution"])
    assert institution is not None
    first, written = batch["serials"]["first"], 0
    async for part in db[Collection.BATCH_PARTS].find({"batch": batch["_id"]}).sort("number", 1):
        if "rows" in part:
            docs = part_rows(batch, institution, part, personal, first)
            written += await _insert_new(db, docs)
            await db[Collection.BATCH_PARTS].update_one(
                {"_id": part["_id"]}, {"$unset": {"rows": ""}, "$set": {"written": True}}
            )
        first += part["passed"]
    return written


async def _insert_new(db: Database, docs: list[Document]) -> int:
    """Insert `docs`, keeping any already there (a resumed write); how many were new."""
    try:
        return len((await db[Collection.RESULTS].insert_many(docs, ordered=False)).inserted_ids)
    except BulkWriteError as error:
        if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
            raise
        return int(error.details.get("nInserted", 0))
