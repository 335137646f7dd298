"""Relay pagination: opaque cursors, the `first` limit, and the one page shape every list
resolver answers (`Page`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from resolvers.errors import ArgumentError

MAX_FIRST = 100
_PREFIX = "c1:"
T = TypeVar("T")
# Counts every item a list shows with its filters and scope, over all pages; called only when
# the count is asked for, so a page that does not show it costs no count.
Count = Callable[[], Awaitable[int]]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: each item with its cursor, whether pages follow or precede, and how
    to count the whole list (`count`: the same filters and scope, without the cursor)."""

    items: list[tuple[str, T]]
    has_next_page: bool
    has_previous_page: bool
    count: Count


def page(
    kind: str,
    items: Sequence[T],
    key: Callable[[T], str],
    *,
    more: bool,
    after: str | None,
    count: Count,
) -> Page[T]:
    """The page of `items` (found after the key `after`), each with a cursor over `key(item)`;
    `count` counts the list the items were taken from."""
    cursors = [(encode_cursor(kind, key(x)), x) for x in items]
    return Page(cursors, more, after is not None, count)


def encode_cursor(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{kind}:{key}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> str | None:
    """The sort key inside a cursor made by `encode_cursor(kind, ...)`; a clear error otherwise."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    head = f"{_PREFIX}{kind}:"
    if not text.startswith(head):
        raise ArgumentError(
            "`after` is not a cursor of this connection; use a cursor from pageInfo or edges",
            "INVALID_CURSOR",
            argument="after",
        )
    return text[len(head) :]


def check_first(first: int) -> int:
    if first < 0 or first > MAX_FIRST:
        raise ArgumentError(
            f"`first` must be between 0 and {MAX_FIRST}, got {first}",
            "PAGINATION_LIMIT",
            argument="first",
            limit=MAX_FIRST,
        )
    return first
