"""`registry backup OUT`: every kept collection as one point-in-time view, while the service runs.

All collections are read inside one read-only transaction with read concern `snapshot`: every
read sees the database as it was at the transaction's first read, whatever is committed
meanwhile, so the audit chain's head agrees with its entries, the counters with the
certificates, the log's head with its tiles. (SecantusDB pins a transaction's reads to one
WiredTiger snapshot; its snapshot *sessions* outside a transaction are not pinned, which is why a
transaction is used. On MongoDB a transaction lives at most `transactionLifetimeLimitSeconds`,
60 s by default: see docs/operations.md for larger databases.)

Documents are copied as the server returns them (raw BSON), never decoded and re-encoded.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import cast

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.read_concern import ReadConcern

from registry.backup.archive import Entry, Manifest, Writer, kept
from registry.calendar import clock
from registry.errors import InvalidInput
from registry.storage.collections import Collection
from registry.storage.db import Database

# Told of each collection once it is copied (the command line prints it).
Progress = Callable[[Collection, Entry], Awaitable[None]]
_CHUNK = 1000
_RAW = CodecOptions(document_class=RawBSONDocument)


async def _raw(
    db: Database, collection: Collection, session: AsyncClientSession
) -> AsyncIterator[bytes]:
    raw = cast(
        "AsyncCollection[RawBSONDocument]", db.get_collection(collection, codec_options=_RAW)
    )
    async for doc in raw.find({}, session=session).sort("_id", 1):
        yield bytes(doc.raw)


async def _copy(
    db: Database, collection: Collection, session: AsyncClientSession, writer: Writer
) -> Entry:
    # Files are written in a thread, a chunk at a time: the event loop never waits on the disk.
    await asyncio.to_thread(writer.start, collection)
    chunk: list[bytes] = []
    async for raw in _raw(db, collection, session):
        chunk.append(raw)
        if len(chunk) == _CHUNK:
            await asyncio.to_thread(writer.add, chunk)
            chunk = []
    await asyncio.to_thread(writer.add, chunk)
    return await asyncio.to_thread(writer.close)


async def take(db: Database, out: Path, progress: Progress | None = None) -> Manifest:
    """Write a backup of `db` to `out` (a new file, mode 0600): every collection `BACKUP` keeps,
    as of one moment. Refuses to overwrite a file."""
    if await asyncio.to_thread(out.exists):
        raise InvalidInput(f"{out} exists: a backup never overwrites a file", field="OUT")
    created = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as scratch:
        writer = Writer(out, Path(scratch))
        async with db.client.start_session() as session:
            async with await session.start_transaction(read_concern=ReadConcern("snapshot")):
                for collection in kept():
                    entry = await _copy(db, collection, session, writer)
                    if progress is not None:
                        await progress(collection, entry)
        return await asyncio.to_thread(writer.finish, created, db.name)
