"""A request for the statistics after a change of the data reads the counters only: seen with
the driver's command monitoring (every command the server process sends to the database), not
with a clock. No aggregation runs and no counted collection is read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from registry.certificates import revocation
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.conftest import serving_with
from tests.registry.reports.data import OFFICE, build

COUNTED = {Collection.CERTIFICATES, Collection.TRAINEES, Collection.RESULTS, Collection.BATCHES}
QUERIES = (
    "{ statistics(groupBy: [YEAR, PROVINCE]) { year province trainees certificatesIssued } }",
    '{ statistics(province: "35", level: JUNIOR) { candidates passes certificatesRevoked } }',
    "{ programmeProgress { year people share } }",
)


class Commands(CommandListener):
    """Every command started, as (name, collection, pipeline or None)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any, Any]] = []

    def started(self, event: CommandStartedEvent) -> None:
        body = event.command
        target = body.get(event.command_name) if event.command_name != "getMore" else None
        self.seen.append(
            (event.command_name, target or body.get("collection"), body.get("pipeline"))
        )

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def watched(
    db: Database, settings: Settings, mongodb_uri: str
) -> AsyncIterator[tuple[str, Commands]]:
    await build(db, settings, 870)
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongodb_uri, tz_aware=True, event_listeners=[commands]
    )
    try:
        async with serving_with(client[db.name], settings) as url:
            yield url, commands
    finally:
        await client.close()


def requests_commands(commands: Commands) -> list[tuple[str, Any, Any]]:
    # The certificate cache's change stream (started with the app) keeps polling: not a request's.
    return [
        c
        for c in commands.seen
        if c[0] != "getMore" and not (c[0] == "aggregate" and "$changeStream" in str(c[2]))
    ]


@pytest.mark.parametrize("query", QUERIES)
async def test_statistics_after_a_change_read_no_counted_collection(
    db: Database, watched: tuple[str, Commands], query: str
) -> None:
    url, commands = watched
    number = await db[Collection.CERTIFICATES].find_one({"status": "PUBLISHED"}, {"_id": 1})
    assert number is not None
    await revocation.revoke(db, OFFICE, number["_id"], "命令监测")  # the data changed
    commands.seen.clear()
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        response = await http.post("/graphql", json={"query": query})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    seen = requests_commands(commands)
    assert seen, "the request sent no command at all: the listener saw nothing"
    assert [c for c in seen if c[0] in {"aggregate", "count", "distinct", "mapReduce"}] == []
    assert [c for c in seen if c[1] in COUNTED] == []
