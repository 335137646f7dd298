"""Resolvers of the office's catalogue edits and of the catalogue's public history: thin calls
into `registry.catalogue` (the domain checks the caller's right through its policy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from registry.catalogue import edits, history, standard_edits
from registry.catalogue import reference_data as catalogue
from registry.catalogue.validation import OccupationInput, StandardInput
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.outcome import Outcome


def _occupation(done: edits.Edited) -> Outcome[catalogue.Occupation]:
    return Outcome(catalogue.as_occupation(done.document), replayed=done.replayed)


def _standard(done: edits.Edited) -> Outcome[catalogue.Standard]:
    return Outcome(catalogue.as_standard(done.document), replayed=done.replayed)


async def add_occupation(ctx: Context, spec: OccupationInput) -> Outcome[catalogue.Occupation]:
    return _occupation(await edits.add_occupation(ctx.db, await principal(ctx), spec))


async def edit_occupation(
    ctx: Context, code: str, spec: OccupationInput
) -> Outcome[catalogue.Occupation]:
    return _occupation(await edits.edit_occupation(ctx.db, await principal(ctx), code, spec))


async def add_standard(ctx: Context, spec: StandardInput) -> Outcome[catalogue.Standard]:
    return _standard(await standard_edits.add_standard(ctx.db, await principal(ctx), spec))


async def edit_standard(
    ctx: Context, standard_id: str, spec: StandardInput
) -> Outcome[catalogue.Standard]:
    who = await principal(ctx)
    return _standard(await standard_edits.edit_standard(ctx.db, who, standard_id, spec))


async def occupation_history(
    ctx: Context, code: str
) -> list[history.Version[catalogue.Occupation]]:
    return await history.occupation_history(ctx.db, code)


async def standard_history(
    ctx: Context, standard_id: str
) -> list[history.Version[catalogue.Standard]]:
    return await history.standard_history(ctx.db, standard_id)


async def occupations_at(
    ctx: Context, wanted: Sequence[tuple[str, dt.datetime]]
) -> list[catalogue.Occupation | None]:
    """Each occupation as it stood at its moment (a certificate's issue), for a DataLoader."""
    return await history.occupations_at(ctx.db, wanted)
