"""The public directory: who is (or was) listed, for what, on any date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from registry.access.auth import ANONYMOUS, Principal
from registry.calendar import clock
from registry.institutions import publicity
from registry.institutions.model import Institution, Kind, Status, from_document
from registry.institutions.policy import decide
from registry.institutions.rules import Action
from registry.storage.collections import Collection
from registry.storage.db import Database, Document

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
    in_publicity: bool | None = None  # True: its publicity runs today; False: it does not


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
    if f.in_publicity is not None:
        running = publicity.running_filter(today)
        query.setdefault("$and", []).append(running if f.in_publicity else {"$nor": [running]})
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


def _visible(f: DirectoryFilter, viewer: Principal) -> Document:
    """The filter's query, narrowed to what the policy lets `viewer` browse."""
    return decide(viewer, Action.BROWSE).require().scope.narrow(query_for(f))


async def page(
    db: Database,
    f: DirectoryFilter,
    *,
    limit: int,
    after: str | None,
    viewer: Principal = ANONYMOUS,
) -> tuple[list[Institution], bool]:
    query = _visible(f, viewer)
    if after is not None:
        query = {"$and": [query, {"_id": {"$gt": after}}]}
    limit = max(0, min(limit, MAX_PAGE))
    cursor = db[Collection.INSTITUTIONS].find(query).sort("_id", 1).limit(limit + 1)
    docs = [d async for d in cursor]
    return [from_document(d) for d in docs[:limit]], len(docs) > limit


async def count(db: Database, f: DirectoryFilter, *, viewer: Principal = ANONYMOUS) -> int:
    return await db[Collection.INSTITUTIONS].count_documents(_visible(f, viewer))


async def get(db: Database, uscc: str, *, viewer: Principal = ANONYMOUS) -> Institution | None:
    """The institution, or None when there is none or `viewer` may not see it."""
    doc = await db[Collection.INSTITUTIONS].find_one({"_id": uscc})
    if doc is None or not decide(viewer, Action.VIEW, doc).allowed:
        return None
    return from_document(doc)
