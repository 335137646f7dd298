"""Running a command against the configured database: the embedded server already running for
the data directory, or one started for the command's duration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from pymongo.errors import PyMongoError

from registry.errors import RegistryError
from registry.settings import Settings
from registry.storage.db import Database, open_database

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        return Settings.from_env()
    except RegistryError as error:
        raise click.ClickException(error.message) from None


def master_key_or_exit() -> bytes:
    """The master key, or a clean CLI error naming what is wrong with it."""
    try:
        return settings_or_exit().master_key()
    except RegistryError as error:
        raise click.ClickException(error.message) from None


def run_with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` against the configured database; domain and database errors become clean CLI
    errors (no traceback)."""
    settings = settings_or_exit()

    async def main() -> T:
        async with open_database(settings) as db:
            return await work(db)

    try:
        return asyncio.run(main())
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    except PyMongoError as error:
        # The driver's message may quote the command; the kind of failure is enough here.
        raise click.ClickException(f"database error ({type(error).__name__})") from None
