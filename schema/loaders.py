"""Per-request DataLoaders over the resolvers' batch look-ups (`resolvers/loaders.py`): one
database round trip for many look-ups of the same kind within one request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from resolvers import api, catalogue_edits
from resolvers import loaders as batch
from resolvers.context import Context

K = TypeVar("K")
V = TypeVar("V")


def _loader(
    ctx: Context, name: str, load: Callable[[Context, Sequence[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    # Kept in the context so a loader never outlives its request.
    found: Any = ctx.loaders.get(name)
    if found is None:

        async def load_fn(keys: Sequence[K]) -> list[V]:
            return await load(ctx, keys)

        found = ctx.loaders[name] = DataLoader(load_fn=load_fn)
    return found  # type: ignore[no-any-return]


def field_loader(ctx: Context) -> DataLoader[str, api.Field | None]:
    return _loader(ctx, "field", batch.fields_by_code)


def occupation_loader(ctx: Context) -> DataLoader[str, api.Occupation | None]:
    """Occupations by primary code, for the scope entries of a page of institutions."""
    return _loader(ctx, "occupation", batch.occupations_by_code)


def occupation_at_loader(
    ctx: Context,
) -> DataLoader[tuple[str, dt.datetime], api.Occupation | None]:
    """Occupations as they stood at a moment, by (primary code, moment)."""
    return _loader(ctx, "occupation_at", catalogue_edits.occupations_at)


def reports_loader(ctx: Context) -> DataLoader[str, list[api.AnnualReport]]:
    return _loader(ctx, "reports", batch.reports_by_institution)
