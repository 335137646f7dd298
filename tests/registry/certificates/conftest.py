"""Fixtures of the certificate tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from registry.certificates import lookup
from registry.certificates.cache import CertificateCache
from registry.storage.db import Database
from tests.registry.certificates.test_cache import until


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cache(db: Database) -> AsyncIterator[lookup.LookupCache]:
    """A look-up cache following this module's database's change stream, live."""
    made: lookup.LookupCache = CertificateCache(1000)
    task = asyncio.create_task(made.follow(db))
    await until(lambda: made.live)
    yield made
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
