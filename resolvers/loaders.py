"""Per-request DataLoaders: one database round trip for many look-ups of the same kind."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from registry import catalogue
from registry.institutions import reports
from resolvers.context import Context


def field_loader(ctx: Context) -> DataLoader[str, catalogue.Field | None]:
    loader = ctx.loaders.get("field")
    if loader is None:

        async def load(codes: Sequence[str]) -> list[catalogue.Field | None]:
            by_code = {f.code: f for f in await catalogue.fields(ctx.db)}
            return [by_code.get(code) for code in codes]

        loader = ctx.loaders["field"] = DataLoader(load_fn=load)
    return loader


def occupation_loader(ctx: Context) -> DataLoader[str, catalogue.Occupation | None]:
    """Occupations by primary code, for the scope entries of a page of institutions."""
    loader = ctx.loaders.get("occupation")
    if loader is None:

        async def load(codes: Sequence[str]) -> list[catalogue.Occupation | None]:
            found = await catalogue.occupations_by_codes(ctx.db, list(set(codes)))
            return [found.get(code) for code in codes]

        loader = ctx.loaders["occupation"] = DataLoader(load_fn=load)
    return loader


def reports_loader(ctx: Context) -> DataLoader[str, list[reports.AnnualReport]]:
    loader = ctx.loaders.get("reports")
    if loader is None:

        async def load(usccs: Sequence[str]) -> list[list[reports.AnnualReport]]:
            found = await reports.for_institutions(ctx.db, list(set(usccs)))
            return [found.get(u, []) for u in usccs]

        loader = ctx.loaders["reports"] = DataLoader(load_fn=load)
    return loader
