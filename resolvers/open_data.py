"""The directory's change feed and snapshots, for GraphQL (`directoryChanges`) and for the open
data over HTTP (`service/open_data_routes.py`): one function each, so the two answer the same
changes with the same cursors.

A cursor names the change's place in the audit chain (its seq), so it is stable: the same change
has the same cursor in every answer, across restarts and processes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from registry.institutions import open_data
from registry.institutions.model import Kind, Status
from registry.institutions.public_view import ChangeKind, change_kinds
from registry.storage import changes
from registry.storage.db import Database
from registry.whole_numbers import whole_number
from resolvers.errors import ArgumentError
from resolvers.pagination import Page, check_first, decode_cursor, encode_cursor, page

CURSOR_KIND = "directoryChange"


@dataclass(frozen=True)
class DirectoryChange:
    """One change of a directory record: what changed, and the public record after it."""

    seq: int  # its audit entry's; the cursor holds it
    cursor: str
    at: dt.datetime
    uscc: str
    kind: Kind
    action: str
    changes: list[ChangeKind]
    from_status: Status | None
    to_status: Status
    record: dict[str, Any]


def cursor_of(seq: int) -> str:
    return encode_cursor(CURSOR_KIND, str(seq))


def seq_of(cursor: str | None) -> int:
    """The seq inside a feed cursor (0 before the first change); `INVALID_CURSOR` otherwise."""
    key = decode_cursor(CURSOR_KIND, cursor)
    if key is None:
        return 0
    seq = whole_number(key, 18)
    if seq is None:
        raise ArgumentError(
            "`after` is not a cursor of this feed", "INVALID_CURSOR", argument="after"
        )
    return seq


def _item(change: changes.Change) -> DirectoryChange:
    before, after = change.before, change.after
    return DirectoryChange(
        seq=change.seq,
        cursor=cursor_of(change.seq),
        at=change.at,
        uscc=change.key,
        kind=Kind(after["kind"]),
        action=change.action,
        changes=change_kinds(before, after),
        from_status=Status(before["status"]) if before else None,
        to_status=Status(after["status"]),
        record=after,
    )


async def directory_changes(
    db: Database, *, first: int, after: str | None
) -> Page[DirectoryChange]:
    """The changes after cursor `after` (from the first when None), oldest first."""
    check_first(first)
    seq = seq_of(after)
    found, more = await open_data.changes_after(db, seq, first)
    return page(
        CURSOR_KIND,
        [_item(c) for c in found],
        lambda item: str(item.seq),
        more=more,
        after=after,
        count=lambda: open_data.count_changes(db),
    )


async def snapshot(db: Database, kind: Kind) -> tuple[open_data.Snapshot, str]:
    """The directory of `kind` and the feed cursor to follow it from."""
    found = await open_data.snapshot(db, kind)
    return found, cursor_of(found.seq)


async def version(db: Database) -> int:
    """The directories' data version: the seq of their last change (expiries recorded first)."""
    return await open_data.version(db)
