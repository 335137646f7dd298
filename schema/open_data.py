"""The directory's change feed in GraphQL: `directoryChanges(after:, first:)`, the same changes
with the same cursors as the JSON feed at `/open-data/v1/changes` (docs/open-data.md)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import api
from resolvers import open_data as ro
from resolvers.context import Context
from resolvers.pagination import Page
from schema.directory_enums import InstitutionKind, InstitutionStatus
from schema.relay import Connection, connection

K = api.ChangeKind


@strawberry.enum(
    name="DirectoryChangeKind", description="What a directory change altered in the record."
)
class DirectoryChangeKind(Enum):
    ADDED = strawberry.enum_value(K.ADDED.value, description="The institution applied (新申请).")
    STATUS = strawberry.enum_value(
        K.STATUS.value,
        description="Its status: listed (列入), suspended (暂停), reinstated, removed (移出), "
        "expired (到期), or a review step.",
    )
    SCOPE = strawberry.enum_value(
        K.SCOPE.value, description="Its scope: occupations × directions × levels (业务范围)."
    )
    VALIDITY = strawberry.enum_value(
        K.VALIDITY.value, description="Its listing periods or their end (有效期)."
    )
    PUBLICITY = strawberry.enum_value(
        K.PUBLICITY.value, description="Its publicity's dates or announcement (公示)."
    )
    DETAILS = strawberry.enum_value(
        K.DETAILS.value,
        description="Another public detail: name, province, number, fees, removal grounds.",
    )


@strawberry.type(
    description="One change of a directory record (目录变更), in the order the registry recorded "
    "them; `record` is the institution's public record after it, as in the open-data downloads."
)
class DirectoryChange:
    at: dt.datetime = strawberry.field(description="When the registry recorded the change.")
    uscc: str = strawberry.field(description="The institution's unified social credit code.")
    kind: InstitutionKind = strawberry.field(  # type: ignore[valid-type]
        description="Which directory: TRAINING (培训机构) or EVALUATION (评价机构)."
    )
    action: str = strawberry.field(
        description="The step that made the change, as the audit log names it (e.g. `suspend`)."
    )
    changes: list[DirectoryChangeKind] = strawberry.field(description="What the change altered.")
    from_status: InstitutionStatus | None = strawberry.field(  # type: ignore[valid-type]
        description="The status before the change; null when the institution first appeared."
    )
    to_status: InstitutionStatus = strawberry.field(  # type: ignore[valid-type]
        description="The status after the change."
    )
    record: JSON = strawberry.field(
        description="The public record after the change, shaped as in the open-data downloads "
        "(schema: /open-data/v1/directory.schema.json)."
    )

    @classmethod
    def from_domain(cls, c: ro.DirectoryChange) -> DirectoryChange:
        return cls(
            at=c.at,
            uscc=c.uscc,
            kind=c.kind,
            action=c.action,
            changes=[DirectoryChangeKind(k.value) for k in c.changes],
            from_status=c.from_status,
            to_status=c.to_status,
            record=cast(JSON, c.record),
        )


@strawberry.type(description="A page of directory changes, oldest first.")
class DirectoryChangeConnection(Connection[DirectoryChange]):
    @strawberry.field(description="The changes of this page, oldest first, without cursors.")
    def nodes(self) -> list[DirectoryChange]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many changes the feed holds, over all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def of(cls, page: Page[ro.DirectoryChange]) -> DirectoryChangeConnection:
        return connection(page, DirectoryChange.from_domain, cls)


@strawberry.type
class OpenDataQuery:
    @strawberry.field(
        description="Every change of the two directories (两目录), oldest first, for a system "
        "that keeps a copy in sync by polling: start from the cursor of a download (or from the "
        "beginning), then ask again with `pageInfo.endCursor` while `hasNextPage`; keep the last "
        "cursor when a page is empty. Cursors are stable: a change keeps its cursor."
    )
    async def directory_changes(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="How many changes, 0 to 100.")],
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor from an earlier page, an edge or a download; none for "
                "the first change."
            ),
        ] = None,
    ) -> DirectoryChangeConnection:
        found = await ro.directory_changes(info.context.db, first=first, after=after)
        return DirectoryChangeConnection.of(found)
