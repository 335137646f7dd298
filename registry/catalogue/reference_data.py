"""The reference catalogue: fields, occupations (both code editions), directions, levels,
national standards and provinces.

The shipped data (`registry/data/*.json`) is loaded idempotently: a seed inserts what is missing
and never overwrites an entry the office has since edited (`edited` is set by office edits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from pymongo import UpdateOne

from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document

OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
EDITIONS = ("2015", "2022")
MAX_PAGE = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Field:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Direction:
    name: str
    placeholder: bool


@dataclass(frozen=True)
class OccupationCode:
    edition: str
    code: str
    confirmed: bool


@dataclass(frozen=True)
class Occupation:
    code: str  # the primary code: the 2015 edition's where there is one (printed on the standards)
    name: str
    field: str
    codes: tuple[OccupationCode, ...]
    directions: tuple[Direction, ...]
    directions_expected: int | None
    sort_key: str


@dataclass(frozen=True)
class Level:
    code: int
    key: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Standard:
    id: str
    title: str
    occupations: tuple[str, ...]
    issued_by: str | None
    issued_on: str | None
    confirmed: bool


@dataclass(frozen=True)
class Province:
    code: str
    name: str


@dataclass(frozen=True)
class SeedReport:
    inserted: dict[str, int]
    unchanged: dict[str, int]


def _load(name: str) -> Any:
    return json.loads(resources.files("registry.data").joinpath(name).read_text("utf-8"))


def _shipped(name: str) -> list[Any]:
    """The entries of the shipped file `name`.json (each file holds one list under its name)."""
    entries: list[Any] = _load(f"{name}.json")[name]
    return entries


def shipped_documents() -> dict[Collection, list[Document]]:
    """The shipped reference data as the documents stored per collection."""
    directions = {entry["occupation"]: entry for entry in _shipped("directions")}
    occupations = []
    for occ in _shipped("occupations"):
        codes = occ["codes"]
        primary = codes.get("2015") or codes["2022"]
        known = directions.get(primary, {"names": [], "expected": None})
        occupations.append(
            {
                "_id": primary,
                "name": occ["name"],
                "field": occ["field"],
                "codes": [
                    {"edition": ed, "code": codes[ed], "confirmed": occ["confirmed"][ed]}
                    for ed in EDITIONS
                    if ed in codes
                ],
                "codes_all": [codes[ed] for ed in EDITIONS if ed in codes],
                "directions": known["names"],
                "directions_expected": known["expected"],
                "sort_key": f"{occ['field']}|{primary}",
            }
        )
    return {
        Collection.FIELDS: [
            {"_id": f["code"], "name": f["name"], "name_en": f["nameEn"]}
            for f in _shipped("fields")
        ],
        Collection.LEVELS: [
            {"_id": lv["code"], "key": lv["key"], "name": lv["name"], "name_en": lv["nameEn"]}
            for lv in _shipped("levels")
        ],
        Collection.OCCUPATIONS: occupations,
        Collection.STANDARDS: [
            {
                "_id": s["id"],
                "title": s["title"],
                "occupations": s["occupations"],
                "issued_by": s.get("issuedBy"),
                "issued_on": s.get("issuedOn"),
                "confirmed": s["confirmed"],
            }
            for s in _shipped("standards")
        ],
        Collection.PROVINCES: [
            {"_id": p["code"], "name": p["name"]} for p in _shipped("provinces")
        ],
    }


async def seed_reference(db: Database) -> SeedReport:
    """Insert the shipped reference data where missing; safe to run any number of times."""
    inserted: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    for collection, docs in shipped_documents().items():
        ops = [
            UpdateOne(
                {"_id": doc["_id"]},
                {"$setOnInsert": {**doc, "schema_version": SCHEMA_VERSION, "source": "seed"}},
                upsert=True,
            )
            for doc in docs
        ]
        result = await db[collection].bulk_write(ops, ordered=False)
        inserted[collection] = result.upserted_count
        unchanged[collection] = len(docs) - result.upserted_count
    return SeedReport(inserted, unchanged)


def normalise_occupation_code(code: str) -> str:
    return code.strip()


def _occupation(doc: Document) -> Occupation:
    return Occupation(
        code=doc["_id"],
        name=doc["name"],
        field=doc["field"],
        codes=tuple(OccupationCode(c["edition"], c["code"], c["confirmed"]) for c in doc["codes"]),
        directions=tuple(Direction(d["name"], d["placeholder"]) for d in doc["directions"]),
        directions_expected=doc.get("directions_expected"),
        sort_key=doc["sort_key"],
    )


async def _all(
    db: Database,
    collection: Collection,
    make: Callable[[Document], T],
    query: Document | None = None,
) -> list[T]:
    """Every entry of a catalogue collection (that matches `query`) in `_id` order."""
    return [make(d) async for d in db[collection].find(query or {}).sort("_id", 1)]


def _field(d: Document) -> Field:
    return Field(d["_id"], d["name"], d["name_en"])


async def fields(db: Database) -> list[Field]:
    return await _all(db, Collection.FIELDS, _field)


async def field(db: Database, code: str) -> Field | None:
    d = await db[Collection.FIELDS].find_one({"_id": code})
    return _field(d) if d else None


async def levels(db: Database) -> list[Level]:
    return await _all(
        db, Collection.LEVELS, lambda d: Level(d["_id"], d["key"], d["name"], d["name_en"])
    )


async def occupation(db: Database, code: str) -> Occupation | None:
    """By either edition's code."""
    doc = await db[Collection.OCCUPATIONS].find_one({"codes_all": normalise_occupation_code(code)})
    return _occupation(doc) if doc else None


async def occupations(
    db: Database,
    *,
    field: str | None = None,
    search: str | None = None,
    limit: int = 20,
    after: str | None = None,
) -> tuple[list[Occupation], bool]:
    """One page in catalogue order (field, then code), after the sort key `after`.

    Returns the page and whether more follow. Search matches a name substring or a code prefix
    of either edition.
    """
    query = _occupations_matching(field, search)
    if after is not None:
        query["sort_key"] = {"$gt": after}
    limit = max(0, min(limit, MAX_PAGE))
    cursor = db[Collection.OCCUPATIONS].find(query).sort("sort_key", 1).limit(limit + 1)
    docs = [doc async for doc in cursor]
    return [_occupation(d) for d in docs[:limit]], len(docs) > limit


async def count_occupations(
    db: Database, *, field: str | None = None, search: str | None = None
) -> int:
    """How many occupations `occupations` lists with the same filters, over all pages."""
    return await db[Collection.OCCUPATIONS].count_documents(_occupations_matching(field, search))


def _occupations_matching(field: str | None, search: str | None) -> Document:
    query: Document = {}
    if field is not None:
        query["field"] = field
    if search:
        text = search.strip()
        query["$or"] = [
            {"name": {"$regex": re.escape(text)}},
            {"codes_all": {"$regex": "^" + re.escape(text)}},
        ]
    return query


async def standards(db: Database, *, occupation_code: str | None = None) -> list[Standard]:
    query: Document = {}
    if occupation_code is not None:
        occ = await occupation(db, occupation_code)
        if occ is None:
            return []
        query["occupations"] = occ.code
    return await _all(db, Collection.STANDARDS, _standard, query)


def _standard(d: Document) -> Standard:
    occupations = tuple(d["occupations"])
    return Standard(
        d["_id"], d["title"], occupations, d.get("issued_by"), d.get("issued_on"), d["confirmed"]
    )


async def provinces(db: Database) -> list[Province]:
    return await _all(db, Collection.PROVINCES, lambda d: Province(d["_id"], d["name"]))


async def occupations_by_codes(db: Database, codes: list[str]) -> dict[str, Occupation]:
    """By primary code, in one round trip."""
    return {
        d["_id"]: _occupation(d)
        async for d in db[Collection.OCCUPATIONS].find({"_id": {"$in": codes}})
    }
