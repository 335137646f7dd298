"""GraphQL types and queries of the public statistics (see `registry.reports.statistics` for what each
measure counts and in which year)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import statistics as r
from resolvers.context import Context
from schema.catalogue import CODE_BY_LEVEL, Level
from schema.convert import from_model, source
from schema.cost import AGGREGATION
from schema.enums import described

Ctx = Info[Context, None]

StatisticsDimension = described(
    api.Dimension,
    "StatisticsDimension",
    "What to group statistics by.",
    {
        "YEAR": "The year each event happened (China Standard Time).",
        "FIELD": "The digital technology field (数字技术领域) of the occupation.",
        "OCCUPATION": "The occupation (职业), by primary code.",
        "LEVEL": "The level: 初级, 中级 or 高级.",
        "PROVINCE": "The reporting institution's province.",
    },
)


@strawberry.type(
    description="One group of the statistics: only the grouped dimensions are set. Each measure "
    "counts in the year its event happened (course end, exam, publication, revocation)."
)
class StatisticsRow:
    year: int | None = strawberry.field(description="The year, when grouped by YEAR.")
    field_code: str | None = source(
        "field",
        description="The field's two-digit code (one of the programme's ten digital technology fields, 数字技术领域). When grouped by FIELD.",
    )
    occupation_code: str | None = source(
        "occupation",
        description="The occupation's primary code (职业编码): the 2015 edition's, as printed on the 2021 standards, where known. When grouped by OCCUPATION.",
    )
    level: Level | None = strawberry.field(
        description="The level: JUNIOR 初级, INTERMEDIATE 中级 or SENIOR 高级. When grouped by LEVEL."
    )
    province: str | None = strawberry.field(
        description="Two-digit province code (GB/T 2260). The reporting institution's, when grouped by PROVINCE."
    )
    trainees: int = source(
        "counts.trainees",
        description="Trainees of reported training cohorts (培训人数), in the year the course ended.",
    )
    training_completions: int = source(
        "counts.training_completions", description="Training certificates issued."
    )
    candidates: int = source(
        "counts.candidates", description="Results of published assessment batches."
    )
    passes: int = source(
        "counts.passes", description="Of the candidates, passed (both scores at least 60)."
    )
    pass_rate: float | None = strawberry.field(
        description="passes / candidates; null without candidates."
    )
    certificates_issued: int = source(
        "counts.certificates_issued",
        description="Certificates published (revoked ones included), in the year of publication.",
    )
    certificates_revoked: int = source(
        "counts.certificates_revoked",
        description="Certificates revoked, in the year of the revocation.",
    )


@strawberry.type(
    description="A year against the programme's target (notice 一: about 80,000 a year)."
)
class YearProgress:
    year: int = strawberry.field(description="The year.")
    target: int = strawberry.field(
        description="The programme's target: 80,000 people a year (notice 一)."
    )
    people: int = strawberry.field(
        description="Distinct persons with a training completion or a certificate issued that year."
    )
    share: float = strawberry.field(description="people / target.")
    trainees: int = strawberry.field(description="Trainees of cohorts that ended in the year.")
    training_completions: int = strawberry.field(
        description="Training certificates issued for cohorts that ended in the year."
    )
    certificates_issued: int = strawberry.field(
        description="Professional technical level certificates (专业技术等级证书) published in the year."
    )


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        directives=[AGGREGATION],
        description="Public aggregates grouped by the given dimensions (none: one row of totals), "
        "optionally filtered.",
    )
    async def statistics(
        self,
        info: Ctx,
        group_by: Annotated[
            list[StatisticsDimension] | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="The dimensions to group by; none gives one row of totals."
            ),
        ] = None,
        year: Annotated[
            int | None, strawberry.argument(description="Only events of this year.")
        ] = None,
        province: Annotated[
            str | None,
            strawberry.argument(
                description="Only this province's (two-digit code, the reporting institution's)."
            ),
        ] = None,
        field: Annotated[
            str | None, strawberry.argument(description="Only this field (two-digit code).")
        ] = None,
        occupation: Annotated[
            str | None,
            strawberry.argument(description="Only this occupation (code, either edition)."),
        ] = None,
        level: Annotated[Level | None, strawberry.argument(description="Only this level.")] = None,
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
        return [from_model(StatisticsRow, row) for row in rows]

    @strawberry.field(
        directives=[AGGREGATION],
        description="Each year (or one) against the 80,000-a-year target.",
    )
    async def programme_progress(
        self,
        info: Ctx,
        year: Annotated[
            int | None,
            strawberry.argument(
                description="Only this year (2021 or later); all years to this one without it."
            ),
        ] = None,
    ) -> list[YearProgress]:
        return [from_model(YearProgress, p) for p in await r.progress(info.context, year)]
