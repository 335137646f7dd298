"""The connection to MongoDB through PyMongo's async client (never Motor: end of life 2026-05)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from registry.errors import RestoreIncomplete
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.embedded import database_uri
from registry.storage.indexes import create_indexes

Document = dict[str, Any]
Database = AsyncDatabase[Document]

# Every document written by the registry carries this, so later migrations know what they read.
SCHEMA_VERSION = 1


def make_client(uri: str, **options: Any) -> AsyncMongoClient[Document]:
    """The registry's one client. Every write it acknowledges is journaled on a majority of the
    replica set (`w: "majority", j: true`; a transaction's statements take it at commit): an
    acknowledged publication, revocation, key event or audit entry survives a power failure of
    the primary. Set here, once, over whatever the URI says; `options` are the driver's (tests
    pass `event_listeners`)."""
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        appname="dte-registry",
        w="majority",
        journal=True,
        **options,
    )


async def is_ready(db: Database) -> bool:
    try:
        await db.command("ping")
    except PyMongoError:
        return False
    return True


async def refuse_unfinished_restore(db: Database) -> None:
    """`RestoreIncomplete` when `registry restore` has not finished writing `db`."""
    marker = await db[Collection.RESTORE_MARKER].find_one({})
    if marker is not None:
        raise RestoreIncomplete(
            f"the database {db.name!r} holds a restore that has not finished (backup of "
            f"{marker.get('backup')}): if no restore is running, drop the database (or empty the "
            "data directory) and run registry restore again"
        )


@contextlib.asynccontextmanager
async def open_database(
    settings: Settings, *, exclusive: bool = False, restoring: bool = False
) -> AsyncIterator[Database]:
    """Connect (starting the embedded server if needed), create indexes, and clean up after.

    `exclusive` is for `registry serve`: it refuses a data directory another server already uses.
    A database that a restore is writing, or left unfinished, is refused (`RestoreIncomplete`)
    unless `restoring` (`registry restore` itself).
    """
    async with database_uri(settings.mongodb_uri, settings.data_dir, exclusive=exclusive) as uri:
        client = make_client(uri)
        try:
            db = client[settings.database]
            await create_indexes(db)
            if not restoring:
                await refuse_unfinished_restore(db)
            yield db
        finally:
            await client.close()
