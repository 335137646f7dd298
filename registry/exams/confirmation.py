"""Confirming the registration list (报考名单): the institution decides every registered
candidate against the conditions, confirming or refusing with a reason, and the session moves to
LIST_CONFIRMED, all in one transaction (the list is whole or not at all). A retry of the same
confirmation by the same caller answers the session unchanged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.access.policy import authorizer
from registry.calendar import clock
from registry.exams import policy
from registry.exams.model import (
    REGISTRATION,
    REGISTRATION_MOVES,
    SESSION,
    SESSION_MOVES,
    ExamAction,
    RegistrationStatus,
    SessionStatus,
)
from registry.problems import Problem, Rejected, id_number_out_of_place
from registry.storage import store
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction
from registry.storage.transitions import MAX_REASON


@dataclass(frozen=True)
class Decision:
    """One candidate's decision: confirmed, or refused with `reason` (which condition fails)."""

    registration: str
    confirmed: bool
    reason: str | None = None


def _check(pending: list[Document], decisions: list[Decision]) -> dict[str, Decision]:
    """Every registered candidate decided once, every refusal with a reason, or `Rejected`."""
    problems: list[Problem] = []
    ids = {d["_id"] for d in pending}
    by_id: dict[str, Decision] = {}
    for i, decision in enumerate(decisions):
        where = f"decisions[{i}]"
        reason = (decision.reason or "").strip()
        if decision.registration not in ids:
            problems.append(
                Problem(
                    f"{where}.registration",
                    "REGISTRATION_NOT_FOUND",
                    "no registration of this session waits for a decision",
                )
            )
        elif decision.registration in by_id:
            problems.append(
                Problem(
                    f"{where}.registration",
                    "DUPLICATE_DECISION",
                    "the registration is decided twice",
                )
            )
        if not decision.confirmed and not 1 <= len(reason) <= MAX_REASON:
            problems.append(
                Problem(
                    f"{where}.reason",
                    "REASON_REQUIRED",
                    f"a refusal needs a reason (1-{MAX_REASON} characters)",
                )
            )
        elif wrong := id_number_out_of_place(f"{where}.reason", reason):
            problems.append(wrong)  # the candidate is told the reason
        by_id.setdefault(decision.registration, decision)
    for missing in sorted(ids - by_id.keys()):
        problems.append(
            Problem(
                "decisions", "UNDECIDED_REGISTRATION", f"registration {missing} has no decision"
            )
        )
    if problems:
        raise Rejected(problems)
    return by_id


async def _decide_one(
    db: Database,
    principal: Principal,
    doc: Document,
    decision: Decision,
    at: dt.datetime,
    s: AsyncClientSession,
) -> None:
    action = ExamAction.CONFIRM if decision.confirmed else ExamAction.REFUSE
    move = REGISTRATION_MOVES.check(action, RegistrationStatus(doc["status"]))
    reason = None if decision.confirmed else (decision.reason or "").strip()
    new = {
        **doc,
        "status": move.target.value,
        "refusal": reason,
        "history": [
            *doc.get("history", []),
            store.history_entry(action, doc["status"], move.target.value, principal, at, reason),
        ],
    }
    await store.save(db, REGISTRATION, principal, action, doc, new, s)


async def confirm_list(
    db: Database,
    principal: Principal,
    session_id: str,
    decisions: list[Decision],
    now: dt.datetime | None = None,
) -> Document:
    """The session with its list confirmed; `Rejected` (nothing written) when a decision is
    missing, doubled or a refusal has no reason; `Forbidden` for another institution."""
    policy.decide(principal, ExamAction.CONFIRM_LIST).require()
    at = now or clock.now()
    check = authorizer(policy.decide, principal, ExamAction.CONFIRM_LIST)

    async def work(s: AsyncClientSession) -> Document:
        session = await store.load(db, SESSION, session_id, s)
        check(session)
        if store.is_replay(
            session, ExamAction.CONFIRM_LIST, SessionStatus.LIST_CONFIRMED, principal
        ):
            return session
        move = SESSION_MOVES.check(ExamAction.CONFIRM_LIST, SessionStatus(session["status"]))
        pending = (
            await db[REGISTRATION.collection]
            .find({"session": session_id, "status": RegistrationStatus.REGISTERED.value}, session=s)
            .to_list(None)
        )
        chosen = _check(pending, decisions)
        for doc in pending:
            await _decide_one(db, principal, doc, chosen[doc["_id"]], at, s)
        entry = store.history_entry(
            ExamAction.CONFIRM_LIST, session["status"], move.target.value, principal, at, None
        )
        new = {
            **session,
            "status": move.target.value,
            "confirmed_at": at,
            "history": [*session.get("history", []), entry],
        }
        return await store.save(db, SESSION, principal, ExamAction.CONFIRM_LIST, session, new, s)

    return await in_transaction(db, work)


async def session(db: Database, session_id: str) -> Document | None:
    """An announced session, public (it names no person); None when unknown."""
    return await db[SESSION.collection].find_one({"_id": session_id}, {"history": 0})


async def registrations_of(db: Database, principal: Principal, session_id: str) -> list[Document]:
    """The session's registrations in the order they came, for the institution that announced
    it (`Forbidden` for anyone else); never the keyed hash of the ID number."""
    found = await store.load(db, SESSION, session_id)
    policy.decide(principal, ExamAction.VIEW, found).require()
    cursor = db[REGISTRATION.collection].find(
        {"session": session_id}, {"id_hash": 0}, sort=[("registered_at", 1), ("_id", 1)]
    )
    return await cursor.to_list(None)


def _sessions_query(institution: str | None) -> Document:
    return {} if institution is None else {"institution": institution}


async def sessions_page(
    db: Database, institution: str | None, *, limit: int, after: str | None
) -> tuple[list[Document], bool]:
    """Announced sessions (public notices: they name no person), by id; one institution's when
    `institution` is given."""
    query = _sessions_query(institution)
    if after is not None:
        query["_id"] = {"$gt": after}
    cursor = db[SESSION.collection].find(query, {"history": 0}).sort("_id", 1).limit(limit + 1)
    docs = [d async for d in cursor]
    return docs[:limit], len(docs) > limit


async def count_sessions(db: Database, institution: str | None) -> int:
    """How many sessions `sessions_page` lists, over all pages."""
    return await db[SESSION.collection].count_documents(_sessions_query(institution))
