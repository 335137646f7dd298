"""GraphQL types of an institution's yearly metrics (notice 六(二))."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.convert import source
from schema.directory_enums import InstitutionKind


@strawberry.type(description="The employment rate an institution reports, with its source.")
class EmploymentRate:
    year: int = strawberry.field(description="The year it covers.")
    surveyed: int = strawberry.field(description="People surveyed.")
    employed: int = strawberry.field(description="Of those, employed or self-employed (就业创业).")
    rate: float = strawberry.field(description="employed / surveyed.")
    source: str = strawberry.field(
        description="Where the figure comes from, e.g. 结业学员电话回访."
    )
    reported_at: dt.datetime = strawberry.field(description="When it was reported.")


@strawberry.type(
    description="An institution's year (notice 六(二)): attendance, pass and employment rates."
)
class InstitutionMetrics:
    institution_uscc: str = source(
        "institution", description="The institution, by its unified social credit code."
    )
    year: int = strawberry.field(description="The year measured.")
    kind: InstitutionKind = strawberry.field(description="TRAINING or EVALUATION.")  # type: ignore[valid-type]
    trainees: int = strawberry.field(description="Trainees of its cohorts that ended in the year.")
    completions: int = strawberry.field(description="Of those, completed.")
    completion_rate: float | None = strawberry.field(
        description="completions / trainees; null without trainees."
    )
    attendance_rate: float | None = strawberry.field(
        description="Mean attendance of the trainees of cohorts that ended in the year."
    )
    candidates: int = strawberry.field(
        description="Evaluation: its candidates; training: candidates citing its certificates "
        "(current results of published batches with an exam in the year)."
    )
    passes: int = strawberry.field(description="Of the candidates, passed.")
    pass_rate: float | None = strawberry.field(
        description="passes / candidates (考核通过率); null without candidates."
    )
    employment: EmploymentRate | None = strawberry.field(
        description="Reported by the institution, with its source; null until reported."
    )
