"""Per-request DataLoaders: one database round trip for many look-ups of the same kind."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from registry import catalogue
from resolvers.context import Context


def field_loader(ctx: Context) -> DataLoader[str, catalogue.Field | None]:
    loader = ctx.loaders.get("field")
    if loader is None:

        async def load(codes: Sequence[str]) -> list[catalogue.Field | None]:
            by_code = {f.code: f for f in await catalogue.fields(ctx.db)}
            return [by_code.get(code) for code in codes]

        loader = ctx.loaders["field"] = DataLoader(load_fn=load)
    return loader
