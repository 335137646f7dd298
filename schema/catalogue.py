"""GraphQL types of the reference catalogue."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import catalogue_edits as history
from resolvers.context import Context
from resolvers.global_ids import to_global_id
from schema import words
from schema.convert import from_model, private_source, source
from schema.enums import with_values
from schema.loaders import field_loader, occupation_at_loader, occupation_loader
from schema.node import Node


@with_values(
    "The three levels of a professional technical level certificate.",
    {
        "JUNIOR": "初级 (junior), digit 1.",
        "INTERMEDIATE": "中级 (intermediate), digit 2.",
        "SENIOR": "高级 (senior), digit 3.",
    },
)
class Level(Enum):
    JUNIOR = "JUNIOR"
    INTERMEDIATE = "INTERMEDIATE"
    SENIOR = "SENIOR"

    @classmethod
    def _missing_(cls, value: object) -> Level | None:
        # The domain names a level by its digit in certificate numbers: Level(2) is INTERMEDIATE,
        # so `from_model` converts domain levels like any enum.
        return LEVEL_BY_CODE.get(value) if isinstance(value, int) else None


# The domain names levels by their digit in certificate numbers (1-3).
LEVEL_BY_CODE = {1: Level.JUNIOR, 2: Level.INTERMEDIATE, 3: Level.SENIOR}
CODE_BY_LEVEL = {v: k for k, v in LEVEL_BY_CODE.items()}


@with_values(
    "How much of a catalogue value is entered, stated in the data (never guessed).",
    {
        "COMPLETE": "Everything the official text has is entered (for directions: all of them; "
        "none where the standard has none).",
        "INCOMPLETE": "Some of it is entered; the rest is not yet known.",
        "UNKNOWN": "Nothing is entered yet: not yet published, or not yet read from the text.",
    },
)
class CatalogueCompleteness(Enum):
    COMPLETE = "COMPLETE"
    INCOMPLETE = "INCOMPLETE"
    UNKNOWN = "UNKNOWN"


@strawberry.type(description="One of the ten digital technology fields of the programme.")
class Field:
    code: str = strawberry.field(description="01-10, in the notice's order.")
    name: str = strawberry.field(description="The field's Chinese name, e.g. 人工智能.")
    name_en: str = strawberry.field(description="The field's English name.")


@strawberry.type(description="A level with its Chinese name and its digit in certificate numbers.")
class LevelInfo:
    level: Level = source("key", description=words.LEVEL)
    code: int = strawberry.field(description="The level's digit in certificate numbers: 1, 2 or 3.")
    name: str = strawberry.field(description="The Chinese name: 初级, 中级 or 高级.")
    name_en: str = strawberry.field(description="The English name: junior, intermediate or senior.")


@strawberry.type(description="An occupation code in one edition of the 职业分类大典.")
class OccupationCode:
    edition: str = strawberry.field(description="2015 or 2022.")
    code: str = strawberry.field(description="The code in this edition, e.g. 2-02-10-09.")
    confirmed: bool = strawberry.field(
        description="False where the code comes from a secondary source and awaits confirmation."
    )


@strawberry.type(description="A direction (方向) of an occupation's standard.")
class Direction:
    name: str = strawberry.field(description="The direction's Chinese name, e.g. 大数据分析.")
    placeholder: bool = strawberry.field(
        description="True for demo placeholders the office has still to replace from the standard."
    )


@strawberry.type(description="An occupation of the programme, with both code editions.")
class Occupation(Node):
    code: str = strawberry.field(
        description="Primary code: the 2015 edition's (printed on the 2021 standards) where known."
    )
    name: str = strawberry.field(
        description="The occupation's Chinese name, e.g. 人工智能工程技术人员."
    )
    codes: list[OccupationCode] = strawberry.field(
        description="Its codes in both editions of the 职业分类大典 (2015 and 2022)."
    )
    directions: list[Direction] = strawberry.field(
        description="The directions (方向) of its standard."
    )
    directions_expected: int | None = strawberry.field(
        description="How many directions the standard has, where known."
    )
    directions_state: CatalogueCompleteness = strawberry.field(
        description="Whether `directions` lists all of the standard's directions, some, or none "
        "yet (UNKNOWN: an empty list then means not yet entered, not that there are none)."
    )
    version: int = strawberry.field(
        description="Its version: 1 as shipped or added, one more with each office edit."
    )
    field_code: strawberry.Private[str] = private_source("field")

    @strawberry.field(description="Every version of this occupation, oldest first (public).")
    async def history(self, info: Info[Context, None]) -> list[OccupationVersion]:
        found = await history.occupation_history(info.context, self.code)
        return [from_model(OccupationVersion, v) for v in found]

    @strawberry.field(description="The field this occupation belongs to.")
    async def field(self, info: Info[Context, None]) -> Field | None:
        found = await field_loader(info.context).load(self.field_code)
        return from_model(Field, found) if found else None

    @classmethod
    def from_domain(cls, occ: api.Occupation) -> Occupation:
        return from_model(cls, occ, id=strawberry.ID(to_global_id("Occupation", occ.code)))


@strawberry.type(
    description="A national occupational technical skill standard (国家职业技术技能标准)."
)
class Standard:
    id: str = strawberry.field(description="The standard's id.")
    title: str = strawberry.field(
        description="The standard's title, e.g. 人工智能工程技术人员国家职业技术技能标准."
    )
    occupation_codes: list[str] = source(
        "occupations", description="The occupations it covers, by primary code."
    )
    issued_by: str | None = strawberry.field(description="The document that issued it.")
    issued_on: str | None = strawberry.field(description="Issue date, YYYY-MM-DD.")
    confirmed: bool = strawberry.field(
        description="False when its details come from a third party, not yet checked against the official text."
    )
    levels: list[StandardLevel] = strawberry.field(
        description="Its three levels with their training hours and application conditions."
    )
    version: int = strawberry.field(
        description="Its version: 1 as shipped or added, one more with each office edit."
    )

    @strawberry.field(description="Every version of this standard, oldest first (public).")
    async def history(self, info: Info[Context, None]) -> list[StandardVersion]:
        found = await history.standard_history(info.context, self.id)
        return [from_model(StandardVersion, v) for v in found]


@strawberry.type(
    description="One level of a standard: null values are not yet entered from the official text."
)
class StandardLevel:
    level: Level = strawberry.field(description=words.LEVEL)
    training_hours: int | None = strawberry.field(
        description="The training hours (学时) the level requires; null: not yet entered."
    )
    conditions: str | None = strawberry.field(
        description="The application conditions (申报条件) as the standard states them; null: "
        "not yet entered."
    )
    state: CatalogueCompleteness = strawberry.field(
        description="COMPLETE when both values are entered, UNKNOWN when neither is."
    )


@strawberry.interface(
    description="One version of a catalogue entry: who made it, when, what changed."
)
class CatalogueVersion:
    version: int = strawberry.field(description="1 as shipped or added, then one per edit.")
    recorded_at: dt.datetime | None = source(
        "at", description="When the office made it; null for the version as shipped."
    )
    recorded_by: str | None = source(
        "by", description="The office token that made it (role and token id); null: shipped."
    )
    changed_fields: list[str] = source(
        "changed", description="The stored fields this version changed (empty for the first)."
    )


@strawberry.type(description="One version of an occupation: who made it, when, what changed.")
class OccupationVersion(CatalogueVersion):
    entry: strawberry.Private[Any] = private_source("entry")

    @strawberry.field(description="The occupation as this version says it.")
    def occupation(self) -> Occupation:
        return Occupation.from_domain(self.entry)


@strawberry.type(description="One version of a standard: who made it, when, what changed.")
class StandardVersion(CatalogueVersion):
    standard: Standard = source("entry", description="The standard as this version says it.")


@strawberry.type(description="A provincial-level division (GB/T 2260, first two digits).")
class Province:
    code: str = strawberry.field(description="Two-digit province code (GB/T 2260).")
    name: str = strawberry.field(description="The province's Chinese name, e.g. 福建省.")


async def occupation_of(root: Any, info: Info[Context, None]) -> Occupation | None:
    """The resolver of `occupation` on every type that names one by `occupation_code` (one
    round trip per request for all of them)."""
    found = await occupation_loader(info.context).load(root.occupation_code)
    return Occupation.from_domain(found) if found else None


async def occupation_as_issued(root: Any, info: Info[Context, None]) -> Occupation | None:
    """The resolver of `occupation` on a certificate: the occupation as it stood when the
    certificate was issued (`issued_at`), so a later edit of the catalogue leaves it unchanged."""
    found = await occupation_at_loader(info.context).load((root.occupation_code, root.issued_at))
    return Occupation.from_domain(found) if found else None
