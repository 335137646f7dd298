"""The public Query root."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import api
from resolvers import catalogue as r
from resolvers import certificates as rc
from resolvers import institutions as ri
from resolvers import trust as rt
from resolvers.context import Context
from schema import words
from schema.arguments import AfterArg, UsccArg
from schema.catalogue import CODE_BY_LEVEL, Field, Level, LevelInfo, Occupation, Province, Standard
from schema.certificates import (
    AssessmentBatch,
    BatchStatus,
    Certificate,
)
from schema.convert import from_model
from schema.cost import SIGNED_BUNDLE
from schema.directory_enums import InstitutionKind, InstitutionStatus
from schema.institutions import Institution, InstitutionConnection, OverdueReport
from schema.personal import PERSONAL
from schema.relay import Connection, connection

Ctx = Info[Context, None]


@strawberry.type
class Query:
    @strawberry.field(description="The ten fields of the programme.")
    async def fields(self, info: Ctx) -> list[Field]:
        return [from_model(Field, f) for f in await r.fields(info.context)]

    @strawberry.field(description="The three certificate levels.")
    async def levels(self, info: Ctx) -> list[LevelInfo]:
        return [from_model(LevelInfo, lv) for lv in await r.levels(info.context)]

    @strawberry.field(description="Occupations in catalogue order, optionally filtered.")
    async def occupations(
        self,
        info: Ctx,
        first: Annotated[
            int, strawberry.argument(description="How many items to return, at most 100.")
        ],
        after: AfterArg = None,
        field: Annotated[
            str | None,
            strawberry.argument(description="Only the occupations of this field (two-digit code)."),
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="A name substring or a code prefix of either edition."),
        ] = None,
    ) -> Connection[Occupation]:
        page = await r.occupations(
            info.context, field=field, search=search, first=first, after=after
        )
        return connection(page, Occupation.from_domain)

    @strawberry.field(description="One occupation by its code in either edition (2015 or 2022).")
    async def occupation(
        self,
        info: Ctx,
        code: Annotated[
            str, strawberry.argument(description="An occupation code, either edition.")
        ],
    ) -> Occupation | None:
        found = await r.occupation(info.context, code)
        return Occupation.from_domain(found) if found else None

    @strawberry.field(description="National standards, optionally for one occupation.")
    async def standards(
        self,
        info: Ctx,
        occupation: Annotated[
            str | None,
            strawberry.argument(
                description="Only the standards of this occupation (code, either edition)."
            ),
        ] = None,
    ) -> list[Standard]:
        return [from_model(Standard, s) for s in await r.standards(info.context, occupation)]

    @strawberry.field(description="The directories: institutions, filtered, as a Relay connection.")
    async def institutions(
        self,
        info: Ctx,
        first: Annotated[
            int, strawberry.argument(description="How many items to return, at most 100.")
        ],
        after: AfterArg = None,
        kind: Annotated[
            InstitutionKind | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only institutions of this kind."),
        ] = None,
        province: Annotated[
            str | None, strawberry.argument(description="Two-digit province code (GB/T 2260).")
        ] = None,
        occupation: Annotated[
            str | None, strawberry.argument(description="Occupation code, either edition.")
        ] = None,
        level: Annotated[
            Level | None,
            strawberry.argument(description="Only institutions whose scope has this level."),
        ] = None,
        status: Annotated[
            InstitutionStatus | None, strawberry.argument(description="Only those in this status.")  # type: ignore[valid-type]
        ] = None,
        listed_on: Annotated[
            dt.date | None,
            strawberry.argument(description="Only those on the directory on this day."),
        ] = None,
        search: Annotated[
            str | None, strawberry.argument(description="Name substring or code prefix.")
        ] = None,
        in_publicity: Annotated[
            bool | None,
            strawberry.argument(
                description="True: only those whose publicity runs today (objections are "
                "taken until `publicityEnd`); false: only the others."
            ),
        ] = None,
    ) -> InstitutionConnection:
        f = api.DirectoryFilter(
            kind=api.Kind(kind) if kind else None,
            province=province,
            occupation=await ri.resolve_occupation(info.context, occupation),
            level=CODE_BY_LEVEL[level] if level else None,
            status=api.Status(status) if status else None,
            listed_on=listed_on,
            search=search,
            in_publicity=in_publicity,
        )
        page = await ri.institutions(info.context, f, first=first, after=after)
        return InstitutionConnection.of(page)

    @strawberry.field(description="One institution by unified social credit code.")
    async def institution(
        self,
        info: Ctx,
        uscc: UsccArg,
    ) -> Institution | None:
        found = await ri.institution(info.context, uscc)
        return Institution.from_domain(found) if found else None

    @strawberry.field(
        description="The queue of overdue annual plans and summaries, oldest due first: every "
        "institution's for OFFICE_ADMIN, its province's for PROVINCIAL_REVIEWER; FORBIDDEN to "
        "anyone else."
    )
    async def overdue_reports(self, info: Ctx) -> list[OverdueReport]:
        return [from_model(OverdueReport, o) for o in await ri.overdue_queue(info.context)]

    @strawberry.field(
        directives=[PERSONAL],
        description="A certificate by its number and the holder's name; null when not found "
        "(unknown, unpublished and another name all answer the same).",
    )
    async def certificate(
        self,
        info: Ctx,
        number: Annotated[
            str, strawberry.argument(description="The certificate number (证书编号).")
        ],
        holder_name: Annotated[
            str,
            strawberry.argument(description=words.HOLDER_NAME),
        ],
    ) -> Certificate | None:
        found = await rc.by_number(info.context, number, holder_name)
        return from_model(Certificate, found) if found else None

    @strawberry.field(
        directives=[PERSONAL],
        description="A holder's certificates by ID number and name (rate limited).",
    )
    async def certificates_by_holder(
        self,
        info: Ctx,
        id_number: Annotated[
            str,
            strawberry.argument(
                description="The 18-character resident ID number (公民身份号码); never stored or logged in clear."
            ),
        ],
        holder_name: Annotated[
            str,
            strawberry.argument(description=words.HOLDER_NAME),
        ],
    ) -> list[Certificate]:
        return [
            from_model(Certificate, c)
            for c in await rc.by_holder(info.context, id_number, holder_name)
        ]

    @strawberry.field(description="One batch; for reviewers and the institution that submitted it.")
    async def assessment_batch(
        self,
        info: Ctx,
        id: Annotated[
            str, strawberry.argument(description="The batch's raw id (`bat_…`) or its global id.")
        ],
    ) -> AssessmentBatch | None:
        found = await rc.batch(info.context, id)
        return AssessmentBatch.from_doc(found) if found else None

    @strawberry.field(
        description="Batches visible to the caller (reviewers: their scope; institutions: their own)."
    )
    async def assessment_batches(
        self,
        info: Ctx,
        first: Annotated[
            int, strawberry.argument(description="How many items to return, at most 100.")
        ],
        after: AfterArg = None,
        status: Annotated[
            BatchStatus | None, strawberry.argument(description="Only those in this status.")
        ] = None,
    ) -> Connection[AssessmentBatch]:
        found = await rc.batches(info.context, status.value if status else None, first, after)
        return connection(found, AssessmentBatch.from_doc)

    @strawberry.field(
        directives=[SIGNED_BUNDLE],
        description="The latest trust bundle, signed by the registry root key: what an offline "
        "verifier needs (also at /bundle.json with caching headers).",
    )
    async def trust_bundle(self, info: Ctx) -> JSON:
        return await rt.latest_bundle(info.context)  # type: ignore[return-value]

    @strawberry.field(
        description="The registry root public key (Multikey) that vouches for what it signs now "
        "(after the offline-root ceremony, the offline root). Pin it from an out-of-band copy in "
        "production; this field only helps to compare."
    )
    async def root_key(self, info: Ctx) -> str:
        return await rt.root_key(info.context)

    @strawberry.field(description="Province codes (GB/T 2260).")
    async def provinces(self, info: Ctx) -> list[Province]:
        return [from_model(Province, p) for p in await r.provinces(info.context)]
