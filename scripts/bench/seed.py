"""Seeding for the benchmarks.

A handful of certificates are made through the real path (`registry.demo.certificates`: submission
with Argon2id bindings, review, publication, signing); the look-up population is then cloned from
them with new numbers, names, hashes, salts and status indices, so documents and index entries have
the real shape and size. A clone's signature is not valid for its new content (nothing here
verifies clones; the verify benchmark uses credentials signed by the real publication path).

Cloning is deterministic in the clone's serial `i`, so the harness can pick random (number, name)
pairs among millions without reading them back from the database.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from registry.certificates import numbers
from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.indexes import INDEXES

SERIALS_PER_YEAR = 900_000
SURNAMES = demo_certificates.SURNAMES
GIVEN = demo_certificates.GIVEN
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    # The demo seed prints its tokens; stdout carries only the benchmarks' JSON lines.
    with contextlib.redirect_stdout(sys.stderr):
        yield


async def real_certificates(db: Database, settings: Settings, count: int) -> list[Document]:
    """Reference data, the demo institutions and about `count` certificates published through
    the real submission, review and publication path; returns the PUBLISHED ones."""
    with stdout_to_stderr():
        await demo.seed_demo(db, settings)
    previous = os.environ.get("REGISTRY_DEMO_CERTIFICATES")
    os.environ["REGISTRY_DEMO_CERTIFICATES"] = str(count)
    try:
        await demo_certificates.seed_certificates(db, settings)
    finally:
        if previous is None:
            del os.environ["REGISTRY_DEMO_CERTIFICATES"]
        else:
            os.environ["REGISTRY_DEMO_CERTIFICATES"] = previous
    return [d async for d in db.certificates.find({"status": "PUBLISHED"}).sort("_id", 1)]


def _mix(i: int, salt: int) -> int:
    """A cheap deterministic 64-bit hash of (i, salt)."""
    x = (i * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    x = (x * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 29)


def _bytes(i: int, salt: int, n: int) -> bytes:
    return hashlib.blake2b(f"{i}:{salt}".encode(), digest_size=n).digest()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# Byte -> base58btc character, for `_b58_text`: a clone's proof value needs the shape of one (87
# characters of the alphabet), not the base58 digits of a particular number, and 87 `divmod`s of a
# 512-bit integer were the dearest part of making a clone.
_B58_TABLE = bytes(ord(_B58[b % 58]) for b in range(256))


def _b58_text(i: int, salt: int, length: int) -> str:
    return hashlib.shake_128(f"{i}:{salt}".encode()).digest(length).translate(_B58_TABLE).decode()


@dataclass(frozen=True)
class Template:
    doc: Document
    number: numbers.CertificateNumber


class Cloner:
    """Makes clone `i` of the templates: template `i % len(templates)` with a fresh identity."""

    def __init__(self, templates: list[Document]) -> None:
        if not templates:
            raise ValueError("no template certificates to clone")
        # A clone is not in the log: it keeps no leaf index of its template's.
        self.templates = [
            Template({k: v for k, v in t.items() if k != "log_index"}, numbers.parse(t["_id"]))
            for t in templates
        ]

    def number(self, i: int) -> str:
        t = self.templates[i % len(self.templates)].number
        year = (t.year - 1 - i // SERIALS_PER_YEAR) % 100
        return str(
            numbers.CertificateNumber(
                t.kind,
                t.province,
                t.institution_number,
                year,
                t.level,
                t.field,
                1 + i % SERIALS_PER_YEAR,
            )
        )

    @staticmethod
    def name(i: int) -> str:
        h = _mix(i, 1)
        given = GIVEN[h % len(GIVEN)]
        if h & 0x10000:
            given += GIVEN[(h >> 20) % len(GIVEN)]
        return SURNAMES[(h >> 8) % len(SURNAMES)] + given

    def pair(self, i: int) -> tuple[str, str]:
        return self.number(i), self.name(i)

    def make(self, i: int) -> Document:
        t = self.templates[i % len(self.templates)].doc
        number, name = self.pair(i)
        binding = {
            **t["binding"],
            "salt": _b64url(_bytes(i, 2, 16)),
            "digest": _b64url(_bytes(i, 3, 32)),
        }
        index = _mix(i, 4) % 131_072
        cred = t["credential"]
        status = cred["credentialStatus"]
        subject = cred["credentialSubject"]
        credential = {
            **cred,
            "id": "urn:dte:certificate:" + number,
            "credentialSubject": {
                **subject,
                "name": name,
                "holderBinding": binding,
                "certificate": {**subject["certificate"], "number": number},
            },
            "credentialStatus": {
                **status,
                "id": f"{status['statusListCredential']}#{index}",
                "statusListIndex": str(index),
            },
            "proof": {
                **cred["proof"],
                "proofValue": "z" + _b58_text(i, 5, 87),
            },
        }
        return {
            **t,
            "_id": number,
            "batch": f"bat_clone{i // 200:011d}",
            "name": name,
            "id_hash": _bytes(i, 6, 32).hex(),
            "binding": binding,
            "credential": credential,
            "status_ref": {**t["status_ref"], "index": index},
        }


async def insert_clones(
    db: Database,
    cloner: Cloner,
    start: int,
    stop: int,
    *,
    chunk: int = 1000,
    in_flight: int = 2,
    deadline: float | None = None,
    keep_going: Callable[[int], bool] | None = None,
) -> int:
    """Insert clones `start`..`stop-1` with `insert_many` in chunks, `in_flight` chunks at a
    time (the next chunk is built while the database writes the last). Stops early, at a chunk
    boundary, once `time.monotonic()` passes `deadline` or `keep_going(next clone index)` says
    no; returns the next clone index."""
    pending: set[asyncio.Task[Any]] = set()
    i = start
    while i < stop:
        if deadline is not None and time.monotonic() > deadline:
            break
        if keep_going is not None and not keep_going(i):
            break
        end = min(stop, i + chunk)
        docs = [cloner.make(k) for k in range(i, end)]
        pending.add(asyncio.create_task(db.certificates.insert_many(docs, ordered=False)))
        i = end
        if len(pending) >= in_flight:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
    await asyncio.gather(*pending)
    return i


CERTIFICATE_INDEXES = tuple(model.document["name"] for model in INDEXES[Collection.CERTIFICATES])


async def secondary_indexes(db: Database) -> list[str]:
    """The names of the certificates collection's indexes other than `_id_`, sorted."""
    info = await db.certificates.index_information()
    return sorted(name for name in info if name != "_id_")


async def drop_certificate_indexes(db: Database) -> None:
    """Drop the certificates collection's secondary indexes (those of `registry.storage.indexes`), so a
    bulk load writes documents only; `build_certificate_indexes` puts them back."""
    present = set(await secondary_indexes(db))
    for name in CERTIFICATE_INDEXES:
        if name in present:
            await db.certificates.drop_index(name)


async def build_certificate_indexes(db: Database) -> None:
    """Create the certificates collection's indexes exactly as `registry.storage.indexes` declares them
    and check that nothing else is there: the look-up must run with the service's indexes."""
    await db.certificates.create_indexes(INDEXES[Collection.CERTIFICATES])
    have = await secondary_indexes(db)
    if have != sorted(CERTIFICATE_INDEXES):
        raise RuntimeError(
            f"certificates indexes after the build: {have}, expected {sorted(CERTIFICATE_INDEXES)}"
        )


@dataclass
class SeedReport:
    """What one `seed_clones` call did: clones `start`..`reached - 1` are in the database."""

    start: int
    reached: int
    insert_s: float
    index_s: float  # building the secondary indexes afterwards (0 when they were kept)
    indexed_docs: int  # documents in the collection when the indexes were built

    @property
    def seconds(self) -> float:
        return self.insert_s + self.index_s

    @property
    def docs_per_s(self) -> float | None:
        return (self.reached - self.start) / self.seconds if self.seconds > 0 else None

    @property
    def index_docs_per_s(self) -> float | None:
        return self.indexed_docs / self.index_s if self.index_s > 0 else None


async def seed_clones(
    db: Database,
    cloner: Cloner,
    start: int,
    stop: int,
    *,
    chunk: int = 1000,
    in_flight: int = 2,
    deadline: float | None = None,
    indexes_after: bool = True,
    index_docs_per_s: float = 1500.0,
) -> SeedReport:
    """Insert clones `start`..`stop-1`; with `indexes_after`, drop the certificates' secondary
    indexes first and build them again at the end (part of the time reported).

    SecantusDB maintains every index entry of an inserted document in Python, re-reading the
    index catalogue three times per document; building an index afterwards is one pass over the
    collection per index. For the four indexes of `certificates` that is about a quarter less
    server CPU per document (250,000 clones: 564 µs inserting with the indexes against 199 µs
    inserting without them + 216 µs building them). The indexes are back, exactly as
    `registry.storage.indexes` declares them, before this returns, also when the insert fails.

    With a `deadline` (`time.monotonic()`), inserting stops early so that the index build,
    estimated at `index_docs_per_s` over every document in the collection, still ends by then."""
    if stop <= start:
        return SeedReport(start, start, 0.0, 0.0, 0)
    if not indexes_after:
        began = time.perf_counter()
        reached = await insert_clones(
            db, cloner, start, stop, chunk=chunk, in_flight=in_flight, deadline=deadline
        )
        return SeedReport(start, reached, time.perf_counter() - began, 0.0, 0)
    before = await db.certificates.estimated_document_count()
    reserve_per_doc = 1.0 / index_docs_per_s
    began = time.perf_counter()
    await drop_certificate_indexes(db)

    def keep_going(i: int) -> bool:
        # Chunks still in flight land too; the build then covers every document there.
        docs = before + (i - start) + chunk * in_flight
        return deadline is None or time.monotonic() + docs * reserve_per_doc < deadline

    try:
        reached = await insert_clones(
            db, cloner, start, stop, chunk=chunk, in_flight=in_flight, keep_going=keep_going
        )
    finally:
        inserted = time.perf_counter()
        await build_certificate_indexes(db)
    built = time.perf_counter()
    return SeedReport(
        start, reached, inserted - began, built - inserted, before + (reached - start)
    )


def utc(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
