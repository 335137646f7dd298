"""GraphQL types of an institution's yearly metrics (notice 六(二))."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.convert import source
from schema.directory_enums import InstitutionKind


@strawberry.type(description="The employment rate an institution reports, with its source.")
class EmploymentRate:
    year: int
    surveyed: int
    employed: int
    rate: float
    source: str
    reported_at: dt.datetime


@strawberry.type(
    description="An institution's year (notice 六(二)): attendance, pass and employment rates."
)
class InstitutionMetrics:
    institution_uscc: str = source("institution")
    year: int
    kind: InstitutionKind  # type: ignore[valid-type]
    trainees: int
    completions: int
    completion_rate: float | None
    attendance_rate: float | None = strawberry.field(
        description="Mean attendance of the trainees of cohorts that ended in the year."
    )
    candidates: int = strawberry.field(
        description="Evaluation: its candidates; training: candidates citing its certificates "
        "(current results of published batches with an exam in the year)."
    )
    passes: int
    pass_rate: float | None
    employment: EmploymentRate | None = strawberry.field(
        description="Reported by the institution, with its source; null until reported."
    )
