"""Per-institution metrics for a year (notice 六(二): 培训出勤率、考核通过率、就业创业成功率), public.

- Attendance rate (training institutions): the mean attendance rate of the trainees of cohorts
  that ended in the year, from the attendance registers the cohorts report.
- Pass rate, from the `results` collection, counting the current results of PUBLISHED batches
  with an exam in the year: for an evaluation institution, its own candidates; for a training
  institution, the candidates whose result cites one of its training certificates.
- Employment rate: reported by the institution itself, with its source (survey, records) and the
  number surveyed, since the registry has no employment data of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.certificates.model import BatchStatus
from registry.errors import NotFound
from registry.institutions import reports
from registry.institutions.model import Kind
from registry.problems import Problem, Rejected, reject
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction
from registry.training import policy
from registry.training.model import TrainingAction
from registry.trust import audit

MAX_SOURCE = 500
# Audited as a change to the institution, as before the store: "institution.reportEmploymentRate".
EMPLOYMENT = store.Kind(
    Collection.EMPLOYMENT_REPORTS,
    "institution",
    "institution",
    "EMPLOYMENT_REPORT_NOT_FOUND",
    "year",
    entity_key="institution",
)
ACTION = "reportEmploymentRate"
MIN_YEAR = 2021


@dataclass(frozen=True)
class EmploymentReport:
    institution: str
    year: int
    surveyed: int
    employed: int
    source: str
    reported_at: dt.datetime
    revision: int

    @property
    def rate(self) -> float:
        return self.employed / self.surveyed


@dataclass(frozen=True)
class InstitutionMetrics:
    institution: str
    year: int
    kind: Kind
    trainees: int
    completions: int
    attendance_rate: float | None  # None without trainees
    candidates: int
    passes: int
    employment: EmploymentReport | None

    @property
    def pass_rate(self) -> float | None:
        return self.passes / self.candidates if self.candidates else None

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.trainees if self.trainees else None


def _report(doc: Document) -> EmploymentReport:
    return EmploymentReport(
        doc["institution"],
        doc["year"],
        doc["surveyed"],
        doc["employed"],
        doc["source"],
        doc["reported_at"],
        doc["revision"],
    )


def year_range(year: int) -> dict[str, str]:
    """Dates are stored as ISO text, so a year is a text range."""
    return {"$gte": f"{year:04d}-01-01", "$lte": f"{year:04d}-12-31"}


async def _pass_counts(db: Database, match: Document) -> tuple[int, int]:
    """(candidates, passes) among current results matching `match`, of PUBLISHED batches."""
    per_batch: dict[str, tuple[int, int]] = {}
    pipeline = [
        {"$match": {**match, "current": True}},
        {
            "$group": {
                "_id": "$batch",
                "n": {"$sum": 1},
                "passed": {"$sum": {"$cond": ["$passed", 1, 0]}},
            }
        },
    ]
    async for d in await db[Collection.RESULTS].aggregate(pipeline):
        per_batch[d["_id"]] = (d["n"], d["passed"])
    if not per_batch:
        return 0, 0
    published = {
        d["_id"]
        async for d in db[Collection.BATCHES].find(
            {"_id": {"$in": list(per_batch)}, "status": BatchStatus.PUBLISHED}, {"_id": 1}
        )
    }
    counts = [per_batch[b] for b in published]
    return sum(n for n, _ in counts), sum(p for _, p in counts)


@dataclass(frozen=True)
class _Counts:
    trainees: int = 0
    completions: int = 0
    attendance: float | None = None
    candidates: int = 0
    passes: int = 0


async def _training_counts(db: Database, inst: Document, year: int) -> _Counts:
    """A training institution's trainees of the year, and the results citing its certificates."""
    pipeline: list[Document] = [
        {"$match": {"institution": inst["_id"], "year": year}},
        {
            "$group": {
                "_id": None,
                "n": {"$sum": 1},
                "done": {"$sum": {"$cond": ["$completed", 1, 0]}},
                "attendance": {"$sum": "$attendance"},
            }
        },
    ]
    trainees = completions = 0
    attendance: float | None = None
    async for d in await db[Collection.TRAINEES].aggregate(pipeline):
        trainees, completions = d["n"], d["done"]
        attendance = d["attendance"] / d["n"] if d["n"] else None
    candidates = passes = 0
    if number := inst.get("number"):
        # Its certificates' numbers start with P, its province and its number (docs/identifiers.md).
        prefix = f"^P{inst['province']}{number}"
        candidates, passes = await _pass_counts(
            db, {"training_certificate": {"$regex": prefix}, "exam_date": year_range(year)}
        )
    return _Counts(trainees, completions, attendance, candidates, passes)


async def institution_metrics(db: Database, uscc: str, year: int) -> InstitutionMetrics:
    if not MIN_YEAR <= year <= 9999:
        raise reject("year", "INVALID_YEAR", f"year must be {MIN_YEAR} or later")
    inst = await db[Collection.INSTITUTIONS].find_one(
        {"_id": uscc}, {"kind": 1, "province": 1, "number": 1}
    )
    if inst is None:
        raise NotFound("no institution with this code", code="INSTITUTION_NOT_FOUND", field="uscc")
    kind = Kind(inst["kind"])
    if kind is Kind.TRAINING:
        counts = await _training_counts(db, inst, year)
    else:
        query = {"institution": uscc, "exam_date": year_range(year)}
        candidates, passes = await _pass_counts(db, query)
        counts = _Counts(candidates=candidates, passes=passes)
    found = await db[Collection.EMPLOYMENT_REPORTS].find_one({"_id": f"{uscc}:{year}"})
    return InstitutionMetrics(
        institution=uscc,
        year=year,
        kind=kind,
        trainees=counts.trainees,
        completions=counts.completions,
        attendance_rate=counts.attendance,
        candidates=counts.candidates,
        passes=counts.passes,
        employment=_report(found) if found else None,
    )


def _checked_source(year: int, surveyed: int, employed: int, source: str, this_year: int) -> str:
    """The source text, normalised; `Rejected` with every problem of the report's figures."""
    problems = []
    if not MIN_YEAR <= year <= this_year:
        problems.append(Problem("year", "INVALID_YEAR", f"year is {MIN_YEAR}-{this_year}"))
    if surveyed < 1:
        problems.append(Problem("surveyed", "INVALID_COUNT", "at least one person surveyed"))
    if not 0 <= employed <= max(surveyed, 0):
        problems.append(
            Problem("employed", "INVALID_COUNT", "employed is between 0 and the number surveyed")
        )
    text = " ".join((source or "").split())
    if not text or len(text) > MAX_SOURCE:
        problems.append(
            Problem(
                "source",
                "SOURCE_REQUIRED",
                f"say where the figure comes from (1-{MAX_SOURCE} characters), e.g. a follow-up survey",
            )
        )
    if problems:
        raise Rejected(problems)
    return text


async def _save_report(
    db: Database,
    session: AsyncClientSession,
    principal: Principal,
    year: int,
    content: Document,
    moment: dt.datetime,
) -> Document:
    """Store the report of the principal's institution for `year` with its audit entry; the
    stored one unchanged when it already says the same."""
    uscc = principal.institution
    await reports.require_listed(db, uscc, "employment rates", session)
    doc = {"_id": f"{uscc}:{year}", "institution": uscc, "year": year, **content}
    doc["reported_at"] = moment
    unchanged = reports.same_content(content)
    stored, _ = await store.put(
        db, EMPLOYMENT, principal, ACTION, doc, session, unchanged=unchanged
    )
    return stored


async def report_employment(
    db: Database,
    principal: Principal,
    year: int,
    surveyed: int,
    employed: int,
    source: str,
    *,
    now: dt.datetime | None = None,
) -> EmploymentReport:
    """Submit or replace the employment rate of a year; the same content again is a no-op."""
    policy.decide(principal, TrainingAction.REPORT_EMPLOYMENT).require()
    assert principal.institution is not None  # the policy admits only a bound institution
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    text = _checked_source(year, surveyed, employed, source, clock.china_date(moment).year)
    content = {"surveyed": surveyed, "employed": employed, "source": text}

    async def work(session: AsyncClientSession) -> Document:
        return await _save_report(db, session, principal, year, content, moment)

    return _report(await in_transaction(db, work))
