"""GraphQL types of the reference catalogue."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers.context import Context
from resolvers.global_ids import to_global_id
from schema import words
from schema.convert import from_model, private_source, source
from schema.enums import with_values
from schema.loaders import field_loader, occupation_loader
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
    field_code: strawberry.Private[str] = private_source("field")

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


@strawberry.type(description="A provincial-level division (GB/T 2260, first two digits).")
class Province:
    code: str = strawberry.field(description="Two-digit province code (GB/T 2260).")
    name: str = strawberry.field(description="The province's Chinese name, e.g. 福建省.")


async def occupation_of(root: Any, info: Info[Context, None]) -> Occupation | None:
    """The resolver of `occupation` on every type that names one by `occupation_code` (one
    round trip per request for all of them)."""
    found = await occupation_loader(info.context).load(root.occupation_code)
    return Occupation.from_domain(found) if found else None
