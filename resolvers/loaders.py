"""Batch look-ups for per-request loaders: one database round trip for many keys of one kind.

Each takes the keys in request order and answers in the same order (None or [] for a key not
found). The GraphQL layer wraps them in DataLoaders (`schema/loaders.py`); nothing here knows
GraphQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from registry.catalogue import reference_data as catalogue
from registry.institutions import reports
from resolvers.context import Context


async def fields_by_code(ctx: Context, codes: Sequence[str]) -> list[catalogue.Field | None]:
    by_code = {f.code: f for f in await catalogue.fields(ctx.db)}
    return [by_code.get(code) for code in codes]


async def occupations_by_code(
    ctx: Context, codes: Sequence[str]
) -> list[catalogue.Occupation | None]:
    found = await catalogue.occupations_by_codes(ctx.db, list(set(codes)))
    return [found.get(code) for code in codes]


async def reports_by_institution(
    ctx: Context, usccs: Sequence[str]
) -> list[list[reports.AnnualReport]]:
    found = await reports.for_institutions(ctx.db, list(set(usccs)))
    return [found.get(u, []) for u in usccs]
