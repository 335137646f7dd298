"""GraphQL types and queries of the public statistics (see `registry.statistics` for what each
measure counts and in which year)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import statistics as r
from resolvers.context import Context
from schema.catalogue import CODE_BY_LEVEL, LEVEL_BY_CODE, Level

Ctx = Info[Context, None]

StatisticsDimension = strawberry.enum(
    api.Dimension, name="StatisticsDimension", description="What to group statistics by."
)


@strawberry.type(
    description="One group of the statistics: only the grouped dimensions are set. Each measure "
    "counts in the year its event happened (course end, exam, publication, revocation)."
)
class StatisticsRow:
    year: int | None
    field_code: str | None
    occupation_code: str | None
    level: Level | None
    province: str | None
    trainees: int
    training_completions: int = strawberry.field(description="Training certificates issued.")
    candidates: int = strawberry.field(description="Results of published assessment batches.")
    passes: int
    pass_rate: float | None
    certificates_issued: int
    certificates_revoked: int

    @classmethod
    def from_domain(cls, row: api.Row) -> StatisticsRow:
        c = row.counts
        return cls(
            year=row.year,
            field_code=row.field,
            occupation_code=row.occupation,
            level=LEVEL_BY_CODE[row.level] if row.level else None,
            province=row.province,
            trainees=c["trainees"],
            training_completions=c["training_completions"],
            candidates=c["candidates"],
            passes=c["passes"],
            pass_rate=row.pass_rate,
            certificates_issued=c["certificates_issued"],
            certificates_revoked=c["certificates_revoked"],
        )


@strawberry.type(
    description="A year against the programme's target (notice 一: about 80,000 a year)."
)
class YearProgress:
    year: int
    target: int
    people: int = strawberry.field(
        description="Distinct persons with a training completion or a certificate issued that year."
    )
    share: float = strawberry.field(description="people / target.")
    trainees: int
    training_completions: int
    certificates_issued: int

    @classmethod
    def from_domain(cls, p: api.YearProgress) -> YearProgress:
        return cls(
            year=p.year,
            target=p.target,
            people=p.people,
            share=p.share,
            trainees=p.trainees,
            training_completions=p.training_completions,
            certificates_issued=p.certificates_issued,
        )


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        description="Public aggregates grouped by the given dimensions (none: one row of totals), "
        "optionally filtered."
    )
    async def statistics(
        self,
        info: Ctx,
        group_by: list[StatisticsDimension] | None = None,  # type: ignore[valid-type]
        year: int | None = None,
        province: str | None = None,
        field: str | None = None,
        occupation: str | None = None,
        level: Level | None = None,
    ) -> list[StatisticsRow]:
        rows = await r.aggregate(
            info.context,
            [api.Dimension(d) for d in group_by or []],
            year=year,
            province=province,
            field=field,
            occupation=occupation,
            level=CODE_BY_LEVEL[level] if level else None,
        )
        return [StatisticsRow.from_domain(row) for row in rows]

    @strawberry.field(description="Each year (or one) against the 80,000-a-year target.")
    async def programme_progress(self, info: Ctx, year: int | None = None) -> list[YearProgress]:
        return [YearProgress.from_domain(p) for p in await r.progress(info.context, year)]
