"""The public directory: who is (or was) listed, for what, on any date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from registry import clock
from registry.db import Database, Document
from registry.institutions.model import Institution, Kind, Status, from_document

MAX_PAGE = 100


@dataclass(frozen=True)
class DirectoryFilter:
    kind: Kind | None = None
    province: str | None = None
    occupation: str | None = None  # primary code (resolve either edition before)
    level: int | None = None
    status: Status | None = None
    listed_on: dt.date | None = None
    search: str | None = None


def _scope_match(f: DirectoryFilter) -> Document | None:
    match: Document = {}
    if f.occupation is not None:
        match["occupation"] = f.occupation
    if f.level is not None:
        match["level"] = f.level
    return match or None


def query_for(f: DirectoryFilter, today: dt.date | None = None) -> Document:
    today = today or clock.today()
    query: Document = {}
    if f.kind is not None:
        query["kind"] = f.kind.value
    if f.province is not None:
        query["province"] = f.province
    scope = _scope_match(f)
    if f.listed_on is not None:
        day = f.listed_on.isoformat()
        period: Document = {"start": {"$lte": day}, "until": {"$gt": day}}
        if scope:
            period["scope"] = {"$elemMatch": scope}
        query["listings"] = {"$elemMatch": period}
    elif scope:
        query["scope"] = {"$elemMatch": scope}
    if f.status is not None:
        # LISTED past its validity reads as EXPIRED (see Institution.effective_status).
        now = today.isoformat()
        if f.status is Status.LISTED:
            query["status"] = Status.LISTED.value
            query["valid_until"] = {"$gt": now}
        elif f.status is Status.EXPIRED:
            query["$or"] = [
                {"status": Status.EXPIRED.value},
                {"status": Status.LISTED.value, "valid_until": {"$lte": now}},
            ]
        else:
            query["status"] = f.status.value
    if f.search:
        text = f.search.strip()
        query.setdefault("$and", []).append(
            {
                "$or": [
                    {"name": {"$regex": re.escape(text)}},
                    {"_id": {"$regex": "^" + re.escape(text.upper())}},
                ]
            }
        )
    return query


async def page(
    db: Database, f: DirectoryFilter, *, limit: int, after: str | None
) -> tuple[list[Institution], bool]:
    query = query_for(f)
    if after is not None:
        query = {"$and": [query, {"_id": {"$gt": after}}]}
    limit = max(0, min(limit, MAX_PAGE))
    docs = [d async for d in db.institutions.find(query).sort("_id", 1).limit(limit + 1)]
    return [from_document(d) for d in docs[:limit]], len(docs) > limit


async def count(db: Database, f: DirectoryFilter) -> int:
    return await db.institutions.count_documents(query_for(f))


async def get(db: Database, uscc: str) -> Institution | None:
    doc = await db.institutions.find_one({"_id": uscc})
    return from_document(doc) if doc else None


async def get_many(db: Database, usccs: Sequence[str]) -> dict[str, Institution]:
    return {
        d["_id"]: from_document(d)
        async for d in db.institutions.find({"_id": {"$in": list(usccs)}})
    }
