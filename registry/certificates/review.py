"""The review pipeline of a batch (`model.BATCH_MOVES`): each step one call, each through the
audited store, with the access rule from `policy`."""

from __future__ import annotations

import datetime as dt

from registry.access.auth import Principal
from registry.calendar import clock
from registry.certificates import policy
from registry.certificates.model import BATCH, BATCH_MOVES, BatchAction, BatchStatus
from registry.storage import store
from registry.storage.db import Database, Document
from registry.storage.transitions import clean_reason


async def load(db: Database, batch_id: str) -> Document:
    """The batch `batch_id`, or `BATCH_NOT_FOUND`."""
    return await store.load(db, BATCH, batch_id)


async def advance(
    db: Database,
    principal: Principal,
    batch_id: str,
    action: BatchAction,
    *,
    reason: str | None = None,
    now: dt.datetime | None = None,
    changes: store.Changes | None = None,
    precheck: store.Precheck | None = None,
    then: store.Then | None = None,
) -> Document:
    """Move the batch by `action` (a retry of the step that already happened answers the batch
    unchanged; `precheck` replaces that test); `Forbidden` unless the policy allows it on this
    batch."""
    policy.decide(principal, action).require()

    def authorize(doc: Document) -> None:
        policy.decide(principal, action, doc).require()

    return await store.apply_transition(
        db,
        BATCH,
        BATCH_MOVES,
        principal,
        batch_id,
        action,
        at=now or clock.now(),
        reason=reason,
        authorize=authorize,
        changes=changes,
        precheck=precheck,
        then=then,
    )


def has_moved(action: BatchAction, *still: BatchStatus) -> store.Precheck:
    """A retry test for a move whose batch may have gone further since (another actor, the
    binder): the batch's history holds `action` and its status is none of `still`."""

    def moved(doc: Document) -> bool:
        done = any(h["action"] == action for h in doc.get("history", []))
        return done and doc["status"] not in still

    return moved


async def approve_province(
    db: Database, principal: Principal, batch_id: str, *, now: dt.datetime | None = None
) -> Document:
    return await advance(db, principal, batch_id, BatchAction.APPROVE_PROVINCE, now=now)


async def check_cettic(
    db: Database, principal: Principal, batch_id: str, *, now: dt.datetime | None = None
) -> Document:
    return await advance(db, principal, batch_id, BatchAction.CHECK_CETTIC, now=now)


async def return_batch(
    db: Database,
    principal: Principal,
    batch_id: str,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> Document:
    """Return the batch to its institution with `reason` (kept in the batch's `returns`)."""
    policy.decide(principal, BatchAction.RETURN).require()
    text = clean_reason(reason, "returning a batch")
    moment = now or clock.now()

    async def returns(doc: Document, _session: object) -> dict[str, object]:
        entry = {
            "at": moment,
            "from": doc["status"],
            "reason": text,
            "by": principal.role.value if principal.role else None,
        }
        return {"returns": [*doc.get("returns", []), entry]}

    return await advance(
        db, principal, batch_id, BatchAction.RETURN, reason=text, now=moment, changes=returns
    )
