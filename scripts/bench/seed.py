"""Seeding for the benchmarks.

A handful of certificates are made through the real path (`registry.demo_certificates`: submission
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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from registry import demo, demo_certificates
from registry.certificates import numbers
from registry.db import Database, Document
from registry.settings import Settings

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


def _b58(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        value, digit = divmod(value, 58)
        out.append(_B58[digit])
    return "".join(out)


@dataclass(frozen=True)
class Template:
    doc: Document
    number: numbers.CertificateNumber


class Cloner:
    """Makes clone `i` of the templates: template `i % len(templates)` with a fresh identity."""

    def __init__(self, templates: list[Document]) -> None:
        if not templates:
            raise ValueError("no template certificates to clone")
        self.templates = [Template(t, numbers.parse(t["_id"])) for t in templates]

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
                "proofValue": "z" + _b58(int.from_bytes(_bytes(i, 5, 64), "big"), 87),
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
) -> int:
    """Insert clones `start`..`stop-1` with `insert_many` in chunks, `in_flight` chunks at a
    time (the next chunk is built while the database writes the last). Stops early, at a chunk
    boundary, once `time.monotonic()` passes `deadline`; returns the next clone index."""
    pending: set[asyncio.Task[Any]] = set()
    i = start
    while i < stop:
        if deadline is not None and time.monotonic() > deadline:
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


def utc(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
