"""The inspector roster (检查人员名录) the draws take inspectors from.

An inspector is identified by the number of the enforcement credential (执法证号): adding the same
number again with the same details changes nothing, so the mutation is safe to retry. Inspectors
are retired, never deleted: a past campaign's frozen roster keeps naming them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access import tokens
from registry.access.auth import ANONYMOUS, Principal
from registry.intake.identifiers import UsccError, normalise_uscc
from registry.problems import Problem, Rejected, reject
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction
from registry.supervision.policy import decide
from registry.supervision.rules import Action
from registry.trust import audit

INSPECTOR = store.Kind(
    Collection.SUPERVISION_INSPECTORS, "inspector", "supervision", "INSPECTOR_NOT_FOUND", "id"
)
_BADGE = re.compile(r"[A-Z0-9-]{4,40}")
MAX_NAME = 50


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str
    province: str
    affiliation: str | None
    active: bool
    added_at: dt.datetime


def _entry(doc: Document) -> RosterEntry:
    return RosterEntry(
        doc["_id"],
        doc["name"],
        doc["province"],
        doc.get("affiliation"),
        doc["active"],
        doc["added_at"],
    )


def inspector_id(badge: str) -> str:
    return "insp_" + hashlib.sha256(badge.encode()).hexdigest()[:12]


def _clean(name: str, province: str, badge: str, affiliation: str | None) -> tuple[str, Document]:
    """The badge and the inspector's fields, or `Rejected` with every problem found."""
    problems = []
    clean_name = " ".join(unicodedata.normalize("NFKC", name or "").split())
    if not clean_name or len(clean_name) > MAX_NAME:
        problems.append(Problem("name", "INVALID_NAME", f"the name has 1-{MAX_NAME} characters"))
    if province not in tokens.province_codes():
        problems.append(Problem("province", "UNKNOWN_PROVINCE", "not a province code (GB/T 2260)"))
    clean_badge = "".join((badge or "").split()).upper()
    if not _BADGE.fullmatch(clean_badge):
        problems.append(
            Problem("badge", "INVALID_BADGE", "the credential number has 4-40 letters, digits or -")
        )
    org = None
    if affiliation:
        try:
            org = normalise_uscc(affiliation)
        except UsccError as error:
            problems.append(Problem("affiliation", error.code, error.message))
    if problems:
        raise Rejected(problems)
    return clean_badge, {"name": clean_name, "province": province, "affiliation": org}


def _exists() -> Rejected:
    return reject(
        "badge",
        "INSPECTOR_EXISTS",
        "an inspector with this credential number is already on the roster "
        "(retired, or with other details)",
    )


def _same(existing: Document, fields: Document) -> Document:
    """`existing` when it is this active inspector (the same sent again), else `INSPECTOR_EXISTS`."""
    if existing["active"] and all(existing.get(k) == v for k, v in fields.items()):
        return existing
    raise _exists()


async def add(
    db: Database,
    principal: Principal,
    *,
    name: str,
    province: str,
    badge: str,
    affiliation: str | None = None,
    now: dt.datetime | None = None,
) -> RosterEntry:
    decide(principal, Action.ADD_INSPECTOR).require()
    decide(principal, Action.ADD_INSPECTOR, {"province": province}).require()
    clean_badge, fields = _clean(name, province, badge, affiliation)
    iid = inspector_id(clean_badge)
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    existing = await idempotency.find(db, INSPECTOR, iid)
    if existing is not None:
        return _entry(_same(existing, fields))
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

    async def build(session: AsyncClientSession) -> Document:
        return {
            "_id": iid,
            **fields,
            "digest": digest,
            "active": True,
            "added_at": moment,
            "added_by": principal.actor,
        }

    created = await idempotency.create_once(
        db,
        INSPECTOR,
        principal,
        iid,
        digest,
        build,
        action=Action.ADD_INSPECTOR,
        conflict=_exists(),
    )
    return _entry(_same(created.document, fields))


async def retire(
    db: Database, principal: Principal, iid: str, *, now: dt.datetime | None = None
) -> RosterEntry:
    decide(principal, Action.RETIRE_INSPECTOR).require()
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal

    async def work(session: AsyncClientSession) -> Document:
        doc = await store.load(db, INSPECTOR, iid, session)
        decide(principal, Action.RETIRE_INSPECTOR, doc).require()
        if not doc["active"]:
            return doc
        new = {**doc, "active": False, "retired_at": moment}
        return await store.save(
            db, INSPECTOR, principal, Action.RETIRE_INSPECTOR, doc, new, session
        )

    return _entry(await in_transaction(db, work))


async def active(db: Database, provinces: tuple[str, ...]) -> list[RosterEntry]:
    query: Document = {"active": True}
    if provinces:
        query["province"] = {"$in": list(provinces)}
    return [_entry(d) async for d in db[INSPECTOR.collection].find(query).sort("_id", 1)]


async def listing(
    db: Database, province: str | None, *, viewer: Principal = ANONYMOUS
) -> list[RosterEntry]:
    """The roster (of `province`) as `viewer` may see it: public, as the draws that use it."""
    query: Document = {} if province is None else {"province": province}
    query = decide(viewer, Action.BROWSE).require().scope.narrow(query)
    return [_entry(d) async for d in db[INSPECTOR.collection].find(query).sort("_id", 1)]
