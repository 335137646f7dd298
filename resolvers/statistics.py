"""Resolvers of the public statistics: thin calls into `registry.reports.statistics`."""

from __future__ import annotations

from collections.abc import Sequence

from registry.access import tokens
from registry.catalogue import reference_data as catalogue
from registry.reports import statistics
from resolvers.context import Context
from resolvers.errors import ArgumentError

MAX_YEAR = 9999


def _check_year(year: int | None) -> None:
    if year is not None and not statistics.FIRST_YEAR <= year <= MAX_YEAR:
        raise ArgumentError(
            f"year must be {statistics.FIRST_YEAR} or later", "INVALID_YEAR", argument="year"
        )


async def aggregate(
    ctx: Context,
    group_by: Sequence[statistics.Dimension],
    *,
    year: int | None,
    province: str | None,
    field: str | None,
    occupation: str | None,
    level: int | None,
) -> list[statistics.Row]:
    _check_year(year)
    if province is not None and province not in tokens.province_codes():
        raise ArgumentError(
            "province is a two-digit code (GB/T 2260)", "UNKNOWN_PROVINCE", argument="province"
        )
    if field is not None and await catalogue.field(ctx.db, field) is None:
        raise ArgumentError(
            "field is a two-digit code of the notice's fields (01-10)",
            "UNKNOWN_FIELD",
            argument="field",
        )
    primary = None
    if occupation is not None:
        occ = None
        if catalogue.OCCUPATION_CODE.match(occupation.strip()):
            occ = await catalogue.occupation(ctx.db, occupation)
        if occ is None:
            raise ArgumentError(
                f"{occupation[:32]!r} is not an occupation of the programme",
                "UNKNOWN_OCCUPATION",
                argument="occupation",
            )
        primary = occ.code
    return await statistics.aggregate(
        ctx.db,
        group_by,
        statistics.StatsFilter(
            year=year, province=province, field=field, occupation=primary, level=level
        ),
    )


async def progress(ctx: Context, year: int | None) -> list[statistics.YearProgress]:
    _check_year(year)
    return await statistics.progress(ctx.db, year)
