"""Annual plans and summaries (notice 四(六)1): each listed institution plans its training or
assessment for the year and reports at the year's end; both are public."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.institutions.policy import decide
from registry.institutions.rules import Action
from registry.problems import Problem, Rejected, reject
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction

MAX_TEXT = 20_000
# Audited as the institution's own change: "institution.report.plan" on "institution:<uscc>".
REPORT = store.Kind(
    Collection.INSTITUTION_REPORTS,
    "institution",
    "institution.report",
    "REPORT_NOT_FOUND",
    "year",
    entity_key="institution",
)


class ReportKind(StrEnum):
    PLAN = "PLAN"
    SUMMARY = "SUMMARY"


@dataclass(frozen=True)
class AnnualReport:
    institution: str
    year: int
    kind: ReportKind
    people: int  # planned (PLAN) or actually trained/assessed (SUMMARY)
    sessions: int
    text: str
    submitted_at: dt.datetime
    revision: int


def _report(doc: Document) -> AnnualReport:
    return AnnualReport(
        doc["institution"],
        doc["year"],
        ReportKind(doc["kind"]),
        doc["people"],
        doc["sessions"],
        doc["text"],
        doc["submitted_at"],
        doc["revision"],
    )


def _problems(year: int, people: int, sessions: int, text: str, this_year: int) -> list[Problem]:
    problems = []
    if not (2021 <= year <= this_year + 1):
        problems.append(
            Problem("year", "INVALID_YEAR", f"year must be between 2021 and {this_year + 1}")
        )
    if people < 0 or sessions < 0:
        problems.append(Problem("people", "NEGATIVE", "counts cannot be negative"))
    if not text.strip() or len(text) > MAX_TEXT:
        problems.append(
            Problem("text", "INVALID_TEXT", f"text is required, at most {MAX_TEXT} characters")
        )
    return problems


async def require_listed(
    db: Database, uscc: str | None, what: str, session: AsyncClientSession
) -> None:
    """`NOT_LISTED` (on `year`) unless institution `uscc` has been on the directory: only such an
    institution reports `what` for a year."""
    inst = await db[Collection.INSTITUTIONS].find_one(
        {"_id": uscc}, {"listings": 1}, session=session
    )
    if inst is None or not inst.get("listings"):
        raise reject("year", "NOT_LISTED", f"{what} are for institutions on the directory")


def same_content(content: Document) -> Callable[[Document], bool]:
    """Whether a stored report already says `content` (then submitting it again writes nothing)."""
    return lambda before: all(before.get(k) == v for k, v in content.items())


async def submit(
    db: Database,
    principal: Principal,
    kind: ReportKind,
    year: int,
    people: int,
    sessions: int,
    text: str,
    *,
    now: dt.datetime | None = None,
) -> AnnualReport:
    """Submit or replace the plan or summary for a year; the same content again is a no-op."""
    decide(principal, Action.SUBMIT_REPORT).require()
    moment = now or clock.now()
    problems = _problems(year, people, sessions, text, clock.china_date(moment).year)
    if problems:
        raise Rejected(problems)
    uscc = principal.institution
    key = f"{uscc}:{year}:{kind.value}"
    content: dict[str, Any] = {"people": people, "sessions": sessions, "text": text.strip()}
    action = kind.value.lower()

    async def work(session: AsyncClientSession) -> Document:
        await require_listed(db, uscc, "annual reports", session)
        doc = {"_id": key, "institution": uscc, "year": year, "kind": kind.value, **content}
        doc["submitted_at"] = moment
        unchanged = same_content(content)
        return (await store.put(db, REPORT, principal, action, doc, session, unchanged=unchanged))[
            0
        ]

    return _report(await in_transaction(db, work))


async def for_institutions(db: Database, usccs: list[str]) -> dict[str, list[AnnualReport]]:
    out: dict[str, list[AnnualReport]] = {u: [] for u in usccs}
    async for doc in (
        db[REPORT.collection]
        .find({"institution": {"$in": usccs}})
        .sort([("institution", 1), ("year", -1), ("kind", 1)])
    ):
        out[doc["institution"]].append(_report(doc))
    return out
