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

from registry.catalogue.model import Completeness
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document

OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
EDITIONS = ("2015", "2022")
LEVEL_CODES = (1, 2, 3)
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
    # Whether `directions` holds all of the standard's directions, some, or none yet (stated
    # in the data: an empty list alone cannot say whether there are none or none known).
    directions_state: Completeness = Completeness.UNKNOWN
    version: int = 1


@dataclass(frozen=True)
class Level:
    code: int
    key: str
    name: str
    name_en: str


@dataclass(frozen=True)
class StandardLevel:
    """One level of a standard: None where the value is not yet entered from the official text."""

    level: int
    training_hours: int | None
    conditions: str | None

    @property
    def state(self) -> Completeness:
        known = [v is not None for v in (self.training_hours, self.conditions)]
        if all(known):
            return Completeness.COMPLETE
        return Completeness.INCOMPLETE if any(known) else Completeness.UNKNOWN


@dataclass(frozen=True)
class Standard:
    id: str
    title: str
    occupations: tuple[str, ...]
    issued_by: str | None
    issued_on: str | None
    confirmed: bool
    levels: tuple[StandardLevel, ...] = ()
    version: int = 1


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


def occupation_document(
    *,
    name: str,
    field: str,
    codes: list[Document],
    directions: list[Document],
    directions_expected: int | None,
    directions_state: Completeness,
) -> Document:
    """An occupation as stored: `codes` as `{edition, code, confirmed}` in edition order, its
    primary code (the 2015 edition's where there is one) as `_id`."""
    codes = sorted(codes, key=lambda c: EDITIONS.index(c["edition"]))
    by_edition = {c["edition"]: c["code"] for c in codes}
    primary = by_edition.get("2015") or by_edition["2022"]
    return {
        "_id": primary,
        "name": name,
        "field": field,
        "codes": codes,
        "codes_all": [c["code"] for c in codes],
        "directions": directions,
        "directions_expected": directions_expected,
        "directions_state": directions_state.value,
        "sort_key": f"{field}|{primary}",
    }


def standard_levels(levels: list[Document] | None) -> list[Document]:
    """A standard's three levels as stored; a level not given is stored as not yet entered."""
    given = {lv["level"]: lv for lv in levels or []}
    return [
        {
            "level": code,
            "training_hours": given.get(code, {}).get("training_hours"),
            "conditions": given.get(code, {}).get("conditions"),
        }
        for code in LEVEL_CODES
    ]


def _shipped_occupation(occ: Document, directions: dict[str, Document]) -> Document:
    codes = occ["codes"]
    primary = codes.get("2015") or codes["2022"]
    known = directions.get(primary, {"names": [], "expected": None, "state": "UNKNOWN"})
    return occupation_document(
        name=occ["name"],
        field=occ["field"],
        codes=[
            {"edition": ed, "code": codes[ed], "confirmed": occ["confirmed"][ed]}
            for ed in EDITIONS
            if ed in codes
        ],
        directions=known["names"],
        directions_expected=known["expected"],
        directions_state=Completeness(known["state"]),
    )


def _shipped_standard(s: Document) -> Document:
    levels = [
        {
            "level": lv["level"],
            "training_hours": lv["trainingHours"],
            "conditions": lv["conditions"],
        }
        for lv in s.get("levels", [])
    ]
    return {
        "_id": s["id"],
        "title": s["title"],
        "occupations": s["occupations"],
        "issued_by": s.get("issuedBy"),
        "issued_on": s.get("issuedOn"),
        "confirmed": s["confirmed"],
        "levels": standard_levels(levels),
    }


def shipped_documents() -> dict[Collection, list[Document]]:
    """The shipped reference data as the documents stored per collection."""
    directions = {entry["occupation"]: entry for entry in _shipped("directions")}
    return {
        Collection.FIELDS: [
            {"_id": f["code"], "name": f["name"], "name_en": f["nameEn"]}
            for f in _shipped("fields")
        ],
        Collection.LEVELS: [
            {"_id": lv["code"], "key": lv["key"], "name": lv["name"], "name_en": lv["nameEn"]}
            for lv in _shipped("levels")
        ],
        Collection.OCCUPATIONS: [
            _shipped_occupation(o, directions) for o in _shipped("occupations")
        ],
        Collection.STANDARDS: [_shipped_standard(s) for s in _shipped("standards")],
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


def as_occupation(doc: Document) -> Occupation:
    return Occupation(
        code=doc["_id"],
        name=doc["name"],
        field=doc["field"],
        codes=tuple(OccupationCode(c["edition"], c["code"], c["confirmed"]) for c in doc["codes"]),
        directions=tuple(Direction(d["name"], d["placeholder"]) for d in doc["directions"]),
        directions_expected=doc.get("directions_expected"),
        sort_key=doc["sort_key"],
        directions_state=Completeness(doc.get("directions_state") or _directions_state(doc)),
        version=doc.get("version", 1),
    )


def _directions_state(doc: Document) -> Completeness:
    """The state of an occupation stored before the state was: complete only when as many
    directions are entered as the standard is known to have, none of them a placeholder."""
    named = [d for d in doc["directions"] if not d["placeholder"]]
    if not named:
        return Completeness.UNKNOWN
    expected = doc.get("directions_expected")
    return Completeness.COMPLETE if expected == len(named) else Completeness.INCOMPLETE


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
    return as_occupation(doc) if doc else None


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
    return [as_occupation(d) for d in docs[:limit]], len(docs) > limit


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
    return await _all(db, Collection.STANDARDS, as_standard, query)


def as_standard(d: Document) -> Standard:
    levels = tuple(
        StandardLevel(lv["level"], lv["training_hours"], lv["conditions"])
        for lv in standard_levels(d.get("levels"))
    )
    return Standard(
        d["_id"],
        d["title"],
        tuple(d["occupations"]),
        d.get("issued_by"),
        d.get("issued_on"),
        d["confirmed"],
        levels,
        d.get("version", 1),
    )


async def provinces(db: Database) -> list[Province]:
    return await _all(db, Collection.PROVINCES, lambda d: Province(d["_id"], d["name"]))


async def occupations_by_codes(db: Database, codes: list[str]) -> dict[str, Occupation]:
    """By primary code, in one round trip."""
    return {
        d["_id"]: as_occupation(d)
        async for d in db[Collection.OCCUPATIONS].find({"_id": {"$in": codes}})
    }
