"""What a transaction's writer already holds, handed to a later step of the same transaction.

Publication reads a batch's results and inserts its certificates; steps that run later in its
transaction (the log's leaves, the statistics' counters) would otherwise read them again. The
writer `give`s what it holds for its session, under the key it concerns (the batch); the step
`take`s it once and reads the database when nothing was given or the key is another. A retried
transaction gives again, replacing what the failed attempt gave; an entry goes with its session
(weak keys), so nothing outlives the transaction's session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from pymongo.asynchronous.client_session import AsyncClientSession

T = TypeVar("T")


class Handover(Generic[T]):
    """One kind of thing handed over within a session: at most one (key, items) per session."""

    def __init__(self) -> None:
        self._given: WeakKeyDictionary[AsyncClientSession, tuple[str, Sequence[T]]] = (
            WeakKeyDictionary()
        )

    def give(self, session: AsyncClientSession, key: str, items: Sequence[T]) -> None:
        """`items`, concerning `key`, are what the writer holds in `session`'s transaction;
        replaces anything given before in that session."""
        self._given[session] = (key, items)

    def take(self, session: AsyncClientSession | None) -> tuple[str, Sequence[T]] | None:
        """What was given in `session` (key, items), once; None when nothing was."""
        if session is None:
            return None
        return self._given.pop(session, None)
