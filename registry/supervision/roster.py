"""The inspector roster (检查人员名录) the draws take inspectors from.

An inspector is identified by the number of the enforcement credential (执法证号): adding the same
number again with the same details changes nothing, so the mutation is safe to retry. Inspectors
are retired, never deleted: a past campaign's frozen roster keeps naming them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry import audit, tokens
from registry.auth import Principal
from registry.db import SCHEMA_VERSION, Database, Document
from registry.errors import NotFound
from registry.identifiers import UsccError, normalise_uscc
from registry.problems import Problem, Rejected, reject
from registry.supervision import rules
from registry.transactions import in_transaction

ROSTER = "supervision_inspectors"
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
    rules.require(principal, "addInspector")
    rules.require_province(principal, province, "addInspector")
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
    iid = inspector_id(clean_badge)
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal

    async def work(session: AsyncClientSession) -> Document:
        existing = await db[ROSTER].find_one({"_id": iid}, session=session)
        fields = {"name": clean_name, "province": province, "affiliation": org}
        if existing is not None:
            if all(existing.get(k) == v for k, v in fields.items()) and existing["active"]:
                return existing  # the same inspector sent again
            raise reject(
                "badge",
                "INSPECTOR_EXISTS",
                "an inspector with this credential number is already on the roster "
                "(retired, or with other details)",
            )
        doc = {
            "_id": iid,
            **fields,
            "active": True,
            "added_at": moment,
            "added_by": principal.actor,
            "schema_version": SCHEMA_VERSION,
        }
        await db[ROSTER].insert_one(doc, session=session)
        await audit.append(
            db,
            actor=principal,
            action="supervision.addInspector",
            entity=f"inspector:{iid}",
            before=None,
            after=doc,
            session=session,
        )
        return doc

    return _entry(await in_transaction(db, work))


async def retire(
    db: Database, principal: Principal, iid: str, *, now: dt.datetime | None = None
) -> RosterEntry:
    rules.require(principal, "retireInspector")
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal

    async def work(session: AsyncClientSession) -> Document:
        doc = await db[ROSTER].find_one({"_id": iid}, session=session)
        if doc is None:
            raise NotFound("no inspector with this id", code="INSPECTOR_NOT_FOUND", field="id")
        rules.require_province(principal, doc["province"], "retireInspector")
        if not doc["active"]:
            return doc
        new = {**doc, "active": False, "retired_at": moment}
        await db[ROSTER].replace_one({"_id": iid, "active": True}, new, session=session)
        await audit.append(
            db,
            actor=principal,
            action="supervision.retireInspector",
            entity=f"inspector:{iid}",
            before=doc,
            after=new,
            session=session,
        )
        return new

    return _entry(await in_transaction(db, work))


async def active(db: Database, provinces: tuple[str, ...]) -> list[RosterEntry]:
    query: Document = {"active": True}
    if provinces:
        query["province"] = {"$in": list(provinces)}
    return [_entry(d) async for d in db[ROSTER].find(query).sort("_id", 1)]


async def listing(db: Database, province: str | None) -> list[RosterEntry]:
    query: Document = {} if province is None else {"province": province}
    return [_entry(d) async for d in db[ROSTER].find(query).sort("_id", 1)]
