"""Correcting a campaign: never a second seed, always a new campaign.

A campaign is drawn from one seed, ever. When an announcement or a draw was wrong (a population
day mistyped, a seed copied wrongly), the correction is a *new* campaign that names the one it
corrects and says why, publicly; announcing it moves the corrected campaign to CORRECTED (the move
of `registry.supervision.rules.CAMPAIGN_MOVES`) in the same transaction, and the corrected one
points to its correction. A campaign with a finding recorded is not corrected: its inspections
happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.problems import Problem, reject
from registry.storage import store
from registry.storage.db import Database, Document
from registry.supervision.policy import decide
from registry.supervision.rules import CAMPAIGN, CAMPAIGN_MOVES, Action, CampaignStatus

MAX_REASON = 5000


@dataclass(frozen=True)
class Correction:
    corrects: str  # the id of the campaign corrected
    reason: str


def correction(
    corrects: str | None, reason: str | None, problems: list[Problem]
) -> Correction | None:
    """The correction an announcement asks for (None: a campaign of its own); problems added to
    `problems`."""
    target = (corrects or "").strip()
    text = " ".join((reason or "").split())
    if not target:
        if text:
            problems.append(
                Problem("corrects", "CORRECTS_REQUIRED", "a correction names the campaign")
            )
        return None
    if not text or len(text) > MAX_REASON:
        problems.append(
            Problem(
                "correctionReason",
                "CORRECTION_REASON_REQUIRED",
                f"say publicly why the campaign is corrected (1-{MAX_REASON} characters)",
            )
        )
        return None
    return Correction(target, text)


async def require_right(db: Database, principal: Principal, corrects: str | None) -> None:
    """`Forbidden` when `principal` may not correct campaign `corrects` (asked before the
    announcement's input is validated: who before what)."""
    target = (corrects or "").strip()
    if not target:
        return
    doc = await db[CAMPAIGN.collection].find_one({"_id": target}, {"owner_province": 1})
    if doc is not None:  # an unknown campaign is CAMPAIGN_NOT_FOUND, when it is loaded
        decide(principal, Action.CORRECT, doc).require()


async def mark_corrected(
    db: Database,
    principal: Principal,
    fix: Correction,
    by: str,
    moment: dt.datetime,
    session: AsyncClientSession,
) -> None:
    """Move the corrected campaign to CORRECTED, pointing to campaign `by`, inside `session`."""
    if fix.corrects == by:
        raise reject("corrects", "ILLEGAL_TRANSITION", "a campaign cannot correct itself")
    doc = await store.load(db, CAMPAIGN, fix.corrects, session)
    decide(principal, Action.CORRECT, doc).require()
    source = CampaignStatus(doc["status"])
    move = CAMPAIGN_MOVES.check(Action.CORRECT, source, field="corrects")
    if doc.get("findings"):
        raise reject(
            "corrects",
            "FINDINGS_RECORDED",
            "findings are recorded in that campaign: its inspections happened",
        )
    entry = store.history_entry(
        Action.CORRECT, source.value, move.target.value, principal, moment, fix.reason
    )
    new: Document = {
        **doc,
        "status": move.target.value,
        "corrected_by": by,
        "history": [*doc.get("history", []), entry],
    }
    await store.save(db, CAMPAIGN, principal, Action.CORRECT, doc, new, session)
