"""The public history of occupations and standards, as domain types: every version with who made
it, when and which fields it changed, and the entry as it stood at a moment (what a certificate
issued then shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from registry.catalogue import reference_data as catalogue
from registry.catalogue import versions
from registry.catalogue.model import OCCUPATION, STANDARD
from registry.storage.collections import Collection
from registry.storage.db import Database, Document

T = TypeVar("T")


@dataclass(frozen=True)
class Version(Generic[T]):
    version: int
    at: dt.datetime | None  # None: as shipped
    by: str | None  # the office token that made it (`Principal.actor`); None: the seed
    changed: tuple[str, ...]
    entry: T


async def _history(
    db: Database, kind: str, collection: Collection, key: str, make: Callable[[Document], T]
) -> list[Version[T]]:
    stored = await versions.history(db, kind, key)
    if stored:
        return [Version(v.version, v.at, v.by, v.changed, make(v.snapshot)) for v in stored]
    current = await db[collection].find_one({"_id": key})
    if current is None:
        return []
    # Never edited: the one version there is, as shipped or as added.
    return [Version(current.get("version", 1), None, None, (), make(current))]


async def occupation_history(db: Database, code: str) -> list[Version[catalogue.Occupation]]:
    """Every version of the occupation `code` (primary code), oldest first."""
    return await _history(
        db, OCCUPATION.entity, Collection.OCCUPATIONS, code, catalogue.as_occupation
    )


async def standard_history(db: Database, standard_id: str) -> list[Version[catalogue.Standard]]:
    """Every version of the standard `standard_id`, oldest first."""
    return await _history(
        db, STANDARD.entity, Collection.STANDARDS, standard_id, catalogue.as_standard
    )


async def occupations_at(
    db: Database, wanted: Sequence[tuple[str, dt.datetime]]
) -> list[catalogue.Occupation | None]:
    """Each occupation (primary code) as it stood at its moment, in `wanted`'s order: the
    version in force then, the current entry when it was never edited; two round trips."""
    codes = sorted({code for code, _ in wanted})
    stored = await versions.of_entries(db, OCCUPATION.entity, codes)
    current = await catalogue.occupations_by_codes(db, codes)
    out: list[catalogue.Occupation | None] = []
    for code, moment in wanted:
        snapshot = versions.in_force(stored.get(code, []), moment)
        out.append(catalogue.as_occupation(snapshot) if snapshot else current.get(code))
    return out
