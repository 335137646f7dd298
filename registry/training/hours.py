"""Continuing-education hours (notice 五(一)): the hours of each completion count for the holder's
《专业技术人员继续教育证书》 in the year the course was completed, nationwide.

Who may read a record:

- anyone who gives the holder's ID number and name (the registry's rule for personal look-ups;
  a wrong name answers an empty record, so the look-up is no oracle; the API rate-limits it);
- reviewers (OFFICE_ADMIN, CETTIC_REVIEWER, PROVINCIAL_REVIEWER) by the ID number alone; a
  provincial reviewer sees the hours credited by institutions of its province only.

The ID number is only ever used as a keyed hash here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.intake.identifiers import normalise_id_number
from registry.intake.names import name_key
from registry.problems import reject
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.training import policy
from registry.training.model import CreditStatus, TrainingAction

MIN_YEAR = 2021


@dataclass(frozen=True)
class CeEntry:
    certificate: str
    institution: str
    occupation: str
    direction: str | None
    level: int
    hours: float
    completed_on: dt.date


@dataclass(frozen=True)
class CeYear:
    year: int
    hours: float
    entries: tuple[CeEntry, ...]


@dataclass(frozen=True)
class CeRecord:
    holder_name: str | None  # as recorded by the training institution; None when nothing found
    years: tuple[CeYear, ...]

    def year(self, year: int) -> CeYear | None:
        return next((y for y in self.years if y.year == year), None)


def _entry(doc: Document) -> CeEntry:
    return CeEntry(
        certificate=doc["certificate"],
        institution=doc["institution"],
        occupation=doc["occupation"],
        direction=doc.get("direction"),
        level=doc["level"],
        hours=doc["hours"],
        completed_on=dt.date.fromisoformat(doc["completed_on"]),
    )


def check_year(year: int | None) -> None:
    if year is not None and not MIN_YEAR <= year <= 9999:
        raise reject("year", "INVALID_YEAR", f"year must be {MIN_YEAR} or later")


async def record(
    db: Database,
    personal: PersonalData,
    principal: Principal,
    id_number: str,
    holder_name: str | None,
    *,
    year: int | None = None,
) -> CeRecord:
    """Raises `IdNumberError` (whose message never repeats the number) for an invalid number,
    `Rejected` when the public leaves out the name."""
    check_year(year)
    by_id_number = policy.decide(principal, TrainingAction.HOURS_BY_ID_NUMBER)
    name = name_key(holder_name or "")
    if not by_id_number.allowed and not name:
        raise reject("holderName", "REQUIRED", "the holder's name is required with the ID number")
    # A reviewer reads within its reach (a provincial reviewer: its province's credits).
    query: Document = by_id_number.scope.query() if by_id_number.allowed else {}
    query["id_hash"] = personal.lookup_hash(normalise_id_number(id_number))
    query["status"] = CreditStatus.ACTIVE
    if year is not None:
        query["year"] = year
    docs = [
        d
        async for d in db[Collection.CE_CREDITS]
        .find(query, {"id_hash": 0})
        .sort([("year", 1), ("_id", 1)])
        if not name or name_key(d["name"]) == name
    ]
    by_year: dict[int, list[CeEntry]] = defaultdict(list)
    for d in docs:
        by_year[d["year"]].append(_entry(d))
    years = tuple(
        CeYear(y, round(sum(e.hours for e in entries), 2), tuple(entries))
        for y, entries in sorted(by_year.items())
    )
    return CeRecord(holder_name=docs[-1]["name"] if docs else None, years=years)
