"""Relay connections: one shape for every list of objects (`edges`, `nodes`, `pageInfo`,
`totalCount`), built one way from a resolver's `Page`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

import strawberry

from resolvers.pagination import Count, Page
from schema.convert import converter

T = TypeVar("T")
M = TypeVar("M")
C = TypeVar("C", bound="Connection[Any]")


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item (null for an empty page)."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item: pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item: `after` takes it.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list: its items with cursors, and how to go on.")
class Connection(Generic[T]):
    """`Connection[X]` is named `XConnection` in the schema; a subclass may word its fields'
    descriptions for its own list."""

    edges: list[Edge[T]] = strawberry.field(description="The items of this page, with cursors.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow, and where.")
    count: strawberry.Private[Count]

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="How many match the filters over all pages, of those you may see."
    )
    async def total_count(self) -> int:
        return await self.count()


@overload
def connection(page: Page[M], convert: type[T] | Callable[[M], T]) -> Connection[T]: ...


@overload
def connection(page: Page[M], convert: type | Callable[[M], Any], cls: type[C]) -> C: ...


def connection(
    page: Page[M], convert: type | Callable[[M], Any], cls: type[Any] = Connection
) -> Any:
    """The connection of `page` (as `cls`, a subclass of `Connection`, when given), each item
    made a GraphQL object by `convert` (a GraphQL type, filled by `from_model`, or a function)."""
    node = converter(convert)
    edges = [Edge(cursor=cursor, node=node(item)) for cursor, item in page.items]
    info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return cls(edges=edges, page_info=info, count=page.count)
