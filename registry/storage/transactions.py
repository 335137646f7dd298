"""Multi-document changes in a transaction, retried on transient errors.

PyMongo's `with_transaction` retries the whole callback on TransientTransactionError and the
commit on UnknownTransactionCommitResult, for up to 120 s; callbacks must therefore be safe to
run more than once (they only touch the database through the session they are given).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import OperationFailure

from registry.storage.db import Database

T = TypeVar("T")


async def in_transaction(db: Database, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
    async with db.client.start_session() as session:
        return await session.with_transaction(work)


def retry_transaction(message: str) -> OperationFailure:
    """An error `with_transaction` answers by running the whole callback again: for a race the
    server reported as something other than a write conflict (a concurrent writer won)."""
    return OperationFailure(
        message, code=112, details={"errorLabels": ["TransientTransactionError"]}
    )
