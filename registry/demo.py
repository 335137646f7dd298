"""Demo data for `registry serve --demo`: the reference catalogue now; institutions and
certificates are added here as those parts land."""

from __future__ import annotations

from registry import catalogue
from registry.db import Database
from registry.settings import Settings


async def seed_demo(db: Database, settings: Settings) -> dict[str, int]:
    report = await catalogue.seed_reference(db)
    return dict(report.inserted)
