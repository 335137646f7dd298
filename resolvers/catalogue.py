"""Resolvers of the reference catalogue: thin calls into `registry.catalogue.reference_data`."""

from __future__ import annotations

from registry.catalogue import reference_data as catalogue
from resolvers.context import Context
from resolvers.errors import ArgumentError
from resolvers.pagination import Page, check_first, decode_cursor, page

CURSOR_KIND = "occupation"


async def fields(ctx: Context) -> list[catalogue.Field]:
    return await catalogue.fields(ctx.db)


async def levels(ctx: Context) -> list[catalogue.Level]:
    return await catalogue.levels(ctx.db)


async def field(ctx: Context, code: str) -> catalogue.Field | None:
    return await catalogue.field(ctx.db, code)


async def occupation(ctx: Context, code: str) -> catalogue.Occupation | None:
    if not catalogue.OCCUPATION_CODE.match(code.strip()):
        raise ArgumentError(
            f"occupation code must look like 2-02-38-01, got {code[:32]!r}",
            "INVALID_OCCUPATION_CODE",
            argument="code",
        )
    return await catalogue.occupation(ctx.db, code)


async def occupation_by_key(ctx: Context, key: str) -> catalogue.Occupation | None:
    """The occupation a global id names (its key is a primary code, not checked as input)."""
    return await catalogue.occupation(ctx.db, key)


async def occupations(
    ctx: Context, *, field: str | None, search: str | None, first: int, after: str | None
) -> Page[catalogue.Occupation]:
    check_first(first)
    if search is not None and len(search) > 100:
        raise ArgumentError("`search` is limited to 100 characters", "INVALID_ARGUMENT")
    after_key = decode_cursor(CURSOR_KIND, after)
    items, more = await catalogue.occupations(
        ctx.db, field=field, search=search, limit=first, after=after_key
    )
    return page(
        CURSOR_KIND,
        items,
        lambda occ: occ.sort_key,
        more=more,
        after=after_key,
        count=lambda: catalogue.count_occupations(ctx.db, field=field, search=search),
    )


async def standards(ctx: Context, occupation: str | None) -> list[catalogue.Standard]:
    return await catalogue.standards(ctx.db, occupation_code=occupation)


async def provinces(ctx: Context) -> list[catalogue.Province]:
    return await catalogue.provinces(ctx.db)
