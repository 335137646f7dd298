"""A writer's hand-over within a transaction's session: taken once, replaced by a retry, never
seen from another session."""

from __future__ import annotations

from registry.storage.db import Database
from registry.storage.handover import Handover


async def test_what_is_given_is_taken_once_and_a_retry_replaces_it(db: Database) -> None:
    handover: Handover[int] = Handover()
    async with db.client.start_session() as session, db.client.start_session() as other:
        handover.give(session, "batch-1", [1, 2])
        handover.give(session, "batch-1", [3])  # a retried transaction gives again
        assert handover.take(other) is None  # another session sees nothing
        assert handover.take(session) == ("batch-1", [3])
        assert handover.take(session) is None  # taken once: a later step reads the database
        assert handover.take(None) is None
