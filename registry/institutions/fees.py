"""Fee changes during a listing (notice 四(六)4): an institution sets and discloses its fees; a
change is recorded with the day it takes effect, the schedule before it, and when it was
recorded, and the schedule shown as current is the one in effect (the latest effective day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.institutions.application import FeeInput, fee_schedule
from registry.institutions.lifecycle import KIND
from registry.institutions.model import Institution, Status, from_document
from registry.institutions.policy import decide
from registry.institutions.rules import Action
from registry.problems import Problem, Rejected, reject
from registry.storage import store
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction

MAX_NOTE = 500


def _checked(fees: list[FeeInput], note: str | None) -> tuple[list[dict[str, Any]], str | None]:
    problems: list[Problem] = []
    schedule = fee_schedule(fees, problems)
    text = note.strip() if note and note.strip() else None
    if text and len(text) > MAX_NOTE:
        problems.append(Problem("note", "TOO_LONG", f"a note is limited to {MAX_NOTE} characters"))
    if problems:
        raise Rejected(problems)
    return schedule, text


def _effective_day(doc: Document, day: dt.date, today: dt.date) -> None:
    """`day` must lie in the listing period running today, and not after today."""
    if Status(doc["status"]) is not Status.LISTED:
        raise reject(
            "uscc", "NOT_LISTED", f"fees change during a listing; this one is {doc['status']}"
        )
    period = doc["listings"][-1]
    start, until = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["until"])
    if not (start <= day < until) or today >= until:
        raise reject(
            "effectiveFrom",
            "OUTSIDE_LISTING",
            f"the change must take effect within the listing ({start} to {until}, exclusive)",
        )
    if day > today:
        raise reject(
            "effectiveFrom",
            "IN_THE_FUTURE",
            "record a fee change on or after the day it takes effect",
        )


def _with_change(doc: Document, change: Document) -> Document:
    changes = [*doc.get("fee_changes", []), change]
    # The schedule in effect: the latest effective day; of changes on one day, the last recorded.
    current = max(enumerate(changes), key=lambda c: (c[1]["effective_from"], c[0]))[1]
    return {**doc, "fee_changes": changes, "fees": current["fees"]}


async def change_fees(
    db: Database,
    principal: Principal,
    uscc: str,
    fees: list[FeeInput],
    effective_from: dt.date,
    note: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    """Record institution `uscc`'s new fee schedule from `effective_from`; the same change again
    (same day, same schedule) changes nothing."""
    decide(principal, Action.CHANGE_FEES, {"_id": uscc}).require()
    schedule, text = _checked(fees, note)
    moment = now or clock.now()
    day = effective_from.isoformat()

    async def work(session: AsyncClientSession) -> Document:
        doc = await store.load(db, KIND, uscc, session)
        decide(principal, Action.CHANGE_FEES, doc).require()
        if any(
            c["effective_from"] == day and c["fees"] == schedule for c in doc.get("fee_changes", [])
        ):
            return doc  # a retry of a recorded change
        _effective_day(doc, effective_from, clock.china_date(moment))
        change = {
            "effective_from": day,
            "fees": schedule,
            "previous_fees": doc["fees"],
            "recorded_at": moment,
            "actor": principal.actor,
            "note": text,
        }
        return await store.save(
            db, KIND, principal, Action.CHANGE_FEES, doc, _with_change(doc, change), session
        )

    return from_document(await in_transaction(db, work))
