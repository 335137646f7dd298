"""The office's catalogue edits over GraphQL: add and edit occupations and national standards.
Only OFFICE_ADMIN (the domain's policy decides); problems come back as `userErrors` with stable
codes (docs/catalogue.md), and the same edit again changes nothing (`replayed`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import catalogue_edits as r
from resolvers.context import Context
from schema import words
from schema.catalogue import CODE_BY_LEVEL, CatalogueCompleteness, Level, Occupation, Standard
from schema.payload import UserError, payload, user_errors_field

Ctx = Info[Context, None]


@strawberry.input(description="An occupation's code in one edition of the 职业分类大典.")
class OccupationCodeInput:
    edition: str = strawberry.field(description="2015 or 2022.")
    code: str = strawberry.field(description="The code, d-dd-dd-dd, e.g. 2-02-38-01.")
    confirmed: bool = strawberry.field(
        description="True once checked against the 大典 itself; false for a secondary source."
    )


@strawberry.input(
    description="An occupation to add (name, field and codes required) or the fields of one to "
    "change (null: unchanged)."
)
class OccupationInput:
    name: str | None = strawberry.field(default=None, description="Its Chinese name.")
    field: str | None = strawberry.field(default=None, description=words.FIELD_CODE)
    codes: list[OccupationCodeInput] | None = strawberry.field(
        default=None,
        description="Its codes, one per edition; replaces the list. The primary code (the 2015 "
        "edition's where there is one) never changes.",
    )
    directions: list[str] | None = strawberry.field(
        default=None,
        description="Its directions (方向) in order; replaces the list, and keeps every named one "
        "(records name them: DIRECTION_REMOVED).",
    )
    directions_state: CatalogueCompleteness | None = strawberry.field(
        default=None,
        description="Whether the directions are all of the standard's, some, or none yet.",
    )
    directions_expected: int | None = strawberry.field(
        default=None, description="How many directions the standard has, where known."
    )

    def to_domain(self) -> api.OccupationInput:
        codes = self.codes
        return api.OccupationInput(
            name=self.name,
            field=self.field,
            codes=None
            if codes is None
            else tuple(api.CodeInput(c.edition, c.code, c.confirmed) for c in codes),
            directions=None if self.directions is None else tuple(self.directions),
            directions_state=None
            if self.directions_state is None
            else api.Completeness(self.directions_state.value),
            directions_expected=self.directions_expected,
        )


@strawberry.input(description="One level of a standard; null where the text is not yet entered.")
class StandardLevelInput:
    level: Level = strawberry.field(description=words.LEVEL)
    training_hours: int | None = strawberry.field(
        default=None, description="The training hours (学时) the level requires."
    )
    conditions: str | None = strawberry.field(
        default=None,
        description="The application conditions (申报条件) as the standard states them.",
    )


@strawberry.input(
    description="A national standard to add (title and occupations required) or the fields of "
    "one to change (null: unchanged)."
)
class StandardInput:
    title: str | None = strawberry.field(default=None, description="Its title.")
    occupations: list[str] | None = strawberry.field(
        default=None, description="The occupations it covers, by either edition's code."
    )
    issued_by: str | None = strawberry.field(
        default=None, description="The document that issued it, e.g. 人社厅发〔2021〕10号."
    )
    issued_on: dt.date | None = strawberry.field(default=None, description="Its issue date.")
    confirmed: bool | None = strawberry.field(
        default=None, description="True once checked against the official text."
    )
    levels: list[StandardLevelInput] | None = strawberry.field(
        default=None, description="Levels to set; each given replaces that level, others stay."
    )

    def to_domain(self) -> api.StandardInput:
        levels = self.levels
        return api.StandardInput(
            title=self.title,
            occupations=None if self.occupations is None else tuple(self.occupations),
            issued_by=self.issued_by,
            issued_on=self.issued_on,
            confirmed=self.confirmed,
            levels=None
            if levels is None
            else tuple(
                api.LevelInput(CODE_BY_LEVEL[lv.level], lv.training_hours, lv.conditions)
                for lv in levels
            ),
        )


@strawberry.type(description="What adding or editing an occupation answers.")
class OccupationPayload:
    occupation: Occupation | None = strawberry.field(
        description="The occupation as stored; null on a problem."
    )
    replayed: bool = strawberry.field(
        description="True when the catalogue already said this: no new version was made."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What adding or editing a standard answers.")
class StandardPayload:
    standard: Standard | None = strawberry.field(
        description="The standard as stored; null on a problem."
    )
    replayed: bool = strawberry.field(
        description="True when the catalogue already said this: no new version was made."
    )
    user_errors: list[UserError] = user_errors_field()


_CODE = strawberry.argument(description="The occupation's code, either edition.")


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation(description="Add an occupation to the catalogue. Roles: OFFICE_ADMIN.")
    async def add_occupation(
        self, info: Ctx, input: Annotated[OccupationInput, strawberry.argument(description="It.")]
    ) -> OccupationPayload:
        work = r.add_occupation(info.context, input.to_domain())
        return await payload(OccupationPayload, work, Occupation.from_domain)

    @strawberry.mutation(
        description="Edit an occupation; a new public version. Roles: OFFICE_ADMIN."
    )
    async def edit_occupation(
        self,
        info: Ctx,
        code: Annotated[str, _CODE],
        input: Annotated[OccupationInput, strawberry.argument(description="What changes.")],
    ) -> OccupationPayload:
        work = r.edit_occupation(info.context, code, input.to_domain())
        return await payload(OccupationPayload, work, Occupation.from_domain)

    @strawberry.mutation(description="Add a national standard. Roles: OFFICE_ADMIN.")
    async def add_standard(
        self, info: Ctx, input: Annotated[StandardInput, strawberry.argument(description="It.")]
    ) -> StandardPayload:
        return await payload(
            StandardPayload, r.add_standard(info.context, input.to_domain()), Standard
        )

    @strawberry.mutation(
        description="Edit a national standard; a new public version. Roles: OFFICE_ADMIN."
    )
    async def edit_standard(
        self,
        info: Ctx,
        id: Annotated[
            str, strawberry.argument(description="The standard's id, e.g. std:2-02-07-13.")
        ],
        input: Annotated[StandardInput, strawberry.argument(description="What changes.")],
    ) -> StandardPayload:
        work = r.edit_standard(info.context, id, input.to_domain())
        return await payload(StandardPayload, work, Standard)
