"""The public directory on the demo data: counts by date match the stored listing periods, and a
page of institutions with their scopes costs a fixed number of database round trips."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pymongo import monitoring

from registry.calendar import clock
from registry.demo import directory as demo
from registry.settings import Settings
from registry.storage.db import Database, make_client
from tests.conftest import serving


@pytest.fixture(scope="module", autouse=True)
async def demo_data(db: Database, settings: Settings) -> None:
    await demo.seed_demo(db, settings)


async def gql(http: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = (
        await http.post("/graphql", json={"query": query, "variables": variables})
    ).json()
    assert "errors" not in body, body
    return body["data"]


def listed(doc: dict[str, Any], day: dt.date) -> bool:
    return any(p["start"] <= day.isoformat() < p["until"] for p in doc["listings"])


COUNT = """query ($kind: InstitutionKind!, $day: Date!) {
  institutions(kind: $kind, listedOn: $day, first: 50) { totalCount nodes { uscc listedOn(date: $day) } }
}"""


# Days before the demo was seeded (today): before its first filing, through its history, today.
FIRST_FILED = max(days for _, days in demo.PLAN)


@pytest.mark.parametrize("days_ago", [FIRST_FILED + 1, 1650, 1070, 550, 34, 0])
@pytest.mark.parametrize("kind", ["EVALUATION", "TRAINING"])
async def test_listed_on_counts_match_listing_periods(
    http: httpx.AsyncClient, db: Database, kind: str, days_ago: int
) -> None:
    date = clock.today() - dt.timedelta(days=days_ago)
    day = date.isoformat()
    expected = sorted(
        [d["_id"] async for d in db.institutions.find({"kind": kind}) if listed(d, date)]
    )
    data = (await gql(http, COUNT, kind=kind, day=day))["institutions"]
    assert data["totalCount"] == len(expected)
    assert sorted(n["uscc"] for n in data["nodes"]) == expected
    assert all(n["listedOn"] for n in data["nodes"])
    if days_ago > FIRST_FILED:
        assert expected == []  # before the first listing
    if days_ago == 550:
        assert len(expected) >= 5
    if days_ago == 0:  # the institution the demo's token acts for is listed today
        token = demo.token_institutions()[0 if kind == "EVALUATION" else 1]
        assert token.uscc in expected


async def test_demo_covers_every_state_and_eight_provinces(http: httpx.AsyncClient) -> None:
    data = await gql(http, "{ institutions(first: 100) { totalCount nodes { status province } } }")
    nodes = data["institutions"]["nodes"]
    assert 30 <= data["institutions"]["totalCount"] <= 40
    assert {n["status"] for n in nodes} >= {
        "APPLIED",
        "RECOMMENDED",
        "PRELIMINARY_PASSED",
        "AUDITED",
        "STEERING_CONFIRMED",
        "PUBLICIZED",
        "LISTED",
        "EXPIRED",
        "SUSPENDED",
        "REMOVED",
        "RETURNED",
    }
    assert len({n["province"] for n in nodes}) >= 8


async def test_status_filter_reads_lapsed_listings_as_expired(
    http: httpx.AsyncClient, db: Database
) -> None:
    data = await gql(
        http,
        "{ e: institutions(status: EXPIRED, first: 100) { nodes { uscc validUntil } } "
        "l: institutions(status: LISTED, first: 100) { nodes { uscc validUntil } } }",
    )
    today = dt.date.today().isoformat()
    assert all(n["validUntil"] > today for n in data["l"]["nodes"])
    assert all(n["validUntil"] <= today for n in data["e"]["nodes"])
    stored_listed_but_lapsed = await db.institutions.count_documents(
        {"status": "LISTED", "valid_until": {"$lte": today}}
    )
    assert stored_listed_but_lapsed > 0  # the demo has some, so the rule is exercised
    assert len(data["e"]["nodes"]) >= stored_listed_but_lapsed


class Counter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        # The look-up cache's change stream on `certificates` and the binder's look at `batches`
        # run on the same client at their own pace; they are not the page's round trips.
        collection = event.command.get(event.command_name)
        if event.command_name == "getMore":
            collection = event.command.get("collection")
        if collection in {"certificates", "batches"}:
            return
        if event.command_name in {"find", "aggregate", "count", "getMore"}:
            self.commands.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def counted(
    db: Database, settings: Settings, mongodb_uri: str
) -> AsyncIterator[tuple[str, Counter]]:
    from service.app import create_app

    counter = Counter()
    client = make_client(mongodb_uri)
    client = type(client)(mongodb_uri, event_listeners=[counter], tz_aware=True)
    async with serving(create_app(settings, db=client[db.name])) as url:
        yield url, counter
    await client.close()


PAGE = """query ($n: Int!) { institutions(first: $n) { nodes { uscc name
  scope { level direction occupation { name field { name } } }
  listings { start until scope { occupation { code } } }
  annualReports { year } } } }"""


@pytest.mark.parametrize("size", [3, 30])
async def test_a_page_costs_a_fixed_number_of_round_trips(
    counted: tuple[str, Counter], size: int
) -> None:
    url, counter = counted
    async with httpx.AsyncClient(base_url=url) as http:
        counter.commands.clear()
        data = await gql(http, PAGE, n=size)
    assert len(data["institutions"]["nodes"]) == size
    # institutions page, occupations (one batch), fields (one batch), annual reports (one batch)
    assert len(counter.commands) == 4, counter.commands
