"""The review pipeline of a batch: SUBMITTED → PROVINCE_APPROVED (provincial HR department of the
institution's province) → CETTIC_CHECKED → PUBLISHED (office), or RETURNED with reasons by the
reviewer of the current step, then corrected and resubmitted by the institution."""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.client_session import AsyncClientSession

from registry import audit, clock
from registry.auth import Principal, Role
from registry.certificates.submission import BatchStatus, SubmitOutcome, submit
from registry.certificates.validation import BatchInput
from registry.db import Database, Document
from registry.errors import Conflict, Forbidden, NotFound
from registry.personal import PersonalData
from registry.problems import reject
from registry.transactions import in_transaction

MAX_REASON = 2000

# action: (from, to, role)
STEPS: dict[str, tuple[str, str, Role]] = {
    "approveProvince": (
        BatchStatus.SUBMITTED,
        BatchStatus.PROVINCE_APPROVED,
        Role.PROVINCIAL_REVIEWER,
    ),
    "checkCettic": (
        BatchStatus.PROVINCE_APPROVED,
        BatchStatus.CETTIC_CHECKED,
        Role.CETTIC_REVIEWER,
    ),
}
# Who owns a batch at each status, and so may return it (the office may return at any step).
OWNER = {
    BatchStatus.SUBMITTED: Role.PROVINCIAL_REVIEWER,
    BatchStatus.PROVINCE_APPROVED: Role.CETTIC_REVIEWER,
    BatchStatus.CETTIC_CHECKED: Role.OFFICE_ADMIN,
}


def _who(principal: Principal) -> str:
    return principal.role.value if principal.role else "the public (no token)"


async def load(db: Database, batch_id: str, session: AsyncClientSession | None = None) -> Document:
    doc = await db.batches.find_one({"_id": batch_id}, session=session)
    if doc is None:
        raise NotFound(f"no batch {batch_id[:40]}", code="BATCH_NOT_FOUND", field="batchId")
    return doc


def can_see(principal: Principal, doc: Document) -> bool:
    if principal.role in (Role.OFFICE_ADMIN, Role.CETTIC_REVIEWER):
        return True
    if principal.role is Role.PROVINCIAL_REVIEWER:
        return bool(principal.province == doc["province"])
    if principal.role is Role.EVALUATION_INSTITUTION:
        return bool(principal.institution == doc["institution"])
    return False


def _check_province(principal: Principal, doc: Document, action: str) -> None:
    if principal.role is Role.PROVINCIAL_REVIEWER and principal.province != doc["province"]:
        raise Forbidden(
            f"{action}: the batch is from province {doc['province']}, you review {principal.province}"
        )


async def _move(
    db: Database,
    principal: Principal,
    batch_id: str,
    action: str,
    target: str,
    sources: set[str],
    *,
    reason: str | None,
    now: dt.datetime | None,
) -> Document:
    moment = now or clock.now()

    async def work(session: AsyncClientSession) -> Document:
        doc = await load(db, batch_id, session)
        _check_province(principal, doc, action)
        last = doc["history"][-1]
        if (
            doc["status"] == target
            and last["action"] == action
            and last["actor"] == principal.actor
        ):
            return doc  # a retry of the step that already happened
        if doc["status"] not in sources:
            raise reject(
                "batchId", "ILLEGAL_TRANSITION", f"cannot {action}: the batch is {doc['status']}"
            )
        new = {
            **doc,
            "status": target,
            "revision": doc["revision"] + 1,
            "history": [
                *doc["history"],
                {
                    "at": moment,
                    "action": action,
                    "from": doc["status"],
                    "to": target,
                    "actor": principal.actor,
                    "reason": reason,
                },
            ],
        }
        if target == BatchStatus.RETURNED:
            new["returns"] = [
                *doc.get("returns", []),
                {
                    "at": moment,
                    "from": doc["status"],
                    "reason": reason,
                    "by": principal.role.value if principal.role else None,
                },
            ]
        result = await db.batches.replace_one(
            {"_id": batch_id, "revision": doc["revision"]}, new, session=session
        )
        if result.matched_count != 1:
            raise Conflict("the batch changed while this request ran; retry it")
        await audit.append(
            db,
            actor=principal,
            action=f"batch.{action}",
            entity=f"batch:{batch_id}",
            before=doc,
            after=new,
            session=session,
        )
        return new

    return await in_transaction(db, work)


async def advance(
    db: Database,
    principal: Principal,
    batch_id: str,
    action: str,
    *,
    now: dt.datetime | None = None,
) -> Document:
    source, target, role = STEPS[action]
    if principal.role is not role:
        raise Forbidden(f"{action} may be called by {role.value}; you are {_who(principal)}")
    return await _move(db, principal, batch_id, action, target, {source}, reason=None, now=now)


async def return_batch(
    db: Database,
    principal: Principal,
    batch_id: str,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> Document:
    allowed = {Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN}
    if principal.role not in allowed:
        raise Forbidden(
            "returnBatch may be called by the reviewer of the current step (PROVINCIAL_REVIEWER, "
            f"CETTIC_REVIEWER) or OFFICE_ADMIN; you are {_who(principal)}"
        )
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise reject(
            "reason",
            "REASON_REQUIRED",
            f"returning a batch needs a reason (1-{MAX_REASON} characters)",
        )
    doc = await load(db, batch_id)
    owner = OWNER.get(doc["status"])
    if (
        principal.role is not Role.OFFICE_ADMIN
        and owner is not None
        and principal.role is not owner
    ):
        raise Forbidden(
            f"returnBatch: at {doc['status']} the batch is with {owner.value}, not {_who(principal)}"
        )
    return await _move(
        db, principal, batch_id, "return", BatchStatus.RETURNED, set(OWNER), reason=text, now=now
    )


async def resubmit(
    db: Database,
    principal: Principal,
    batch_id: str,
    batch: BatchInput,
    personal: PersonalData,
    *,
    now: dt.datetime | None = None,
) -> SubmitOutcome:
    doc = await load(db, batch_id)
    if (
        principal.role is not Role.EVALUATION_INSTITUTION
        or principal.institution != doc["institution"]
    ):
        raise Forbidden(
            "resubmitBatch: only the institution that submitted the batch may resubmit it"
        )
    if doc["status"] != BatchStatus.RETURNED:
        if (
            doc["idempotency_key"] == batch.idempotency_key.strip()
            and doc["history"][-1]["action"] == "resubmit"
        ):
            return SubmitOutcome(doc, replayed=True)
        raise reject(
            "batchId",
            "ILLEGAL_TRANSITION",
            f"cannot resubmit: the batch is {doc['status']} (needs RETURNED)",
        )
    return await submit(db, principal, batch, personal, now=now, replaces=doc)
