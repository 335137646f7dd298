"""The public Query root."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import catalogue as r
from resolvers.context import Context
from schema.catalogue import Field, LevelInfo, Occupation, Province, Standard
from schema.relay import Connection, connection

Ctx = Info[Context, None]


@strawberry.type
class Query:
    @strawberry.field(description="The ten fields of the programme.")
    async def fields(self, info: Ctx) -> list[Field]:
        return [Field.from_domain(f) for f in await r.fields(info.context)]

    @strawberry.field(description="The three certificate levels.")
    async def levels(self, info: Ctx) -> list[LevelInfo]:
        return [LevelInfo.from_domain(lv) for lv in await r.levels(info.context)]

    @strawberry.field(description="Occupations in catalogue order, optionally filtered.")
    async def occupations(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        field: str | None = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="A name substring or a code prefix of either edition."),
        ] = None,
    ) -> Connection[Occupation]:
        page = await r.occupations(
            info.context, field=field, search=search, first=first, after=after
        )
        return connection(
            [(cursor, Occupation.from_domain(occ)) for cursor, occ in page.items],
            page.has_next_page,
            page.has_previous_page,
        )

    @strawberry.field(description="One occupation by its code in either edition (2015 or 2022).")
    async def occupation(self, info: Ctx, code: str) -> Occupation | None:
        found = await r.occupation(info.context, code)
        return Occupation.from_domain(found) if found else None

    @strawberry.field(description="National standards, optionally for one occupation.")
    async def standards(self, info: Ctx, occupation: str | None = None) -> list[Standard]:
        return [Standard.from_domain(s) for s in await r.standards(info.context, occupation)]

    @strawberry.field(description="Province codes (GB/T 2260).")
    async def provinces(self, info: Ctx) -> list[Province]:
        return [Province(code=p.code, name=p.name) for p in await r.provinces(info.context)]
