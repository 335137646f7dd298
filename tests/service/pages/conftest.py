"""A live registry with the pages' data, for the HTTP tests of `service/pages`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving_with

from .data import PagesData, build


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def data(db: Database, settings: Settings) -> PagesData:
    return await build(db, settings)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, settings: Settings, data: PagesData) -> AsyncIterator[str]:
    async with serving_with(db, settings) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def web(site: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=site, timeout=30) as client:
        yield client
