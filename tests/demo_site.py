"""The demo as `registry serve --demo` makes it, smaller, on a real socket: for the tests that run
what a newcomer runs against it (the docs' examples, the first run)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.demo import exams as demo_exams
from registry.demo import training as demo_training
from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving


@contextlib.asynccontextmanager
async def small_demo(
    db: Database, settings: Settings, certificates: int = 12
) -> AsyncIterator[str]:
    """The demo's directory, tokens, `certificates` certificates (the holder's among them) and
    files in `<data dir>/demo/`, its exam session and its training, served; the server's
    address."""
    from service.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGISTRY_DEMO_CERTIFICATES", str(certificates))
        await demo.seed_demo(db, settings)
        await demo_certificates.seed_certificates(db, settings)
    await demo_certificates.export_files(db, settings)
    await demo_exams.seed_exam_session(db, settings)  # the session docs/exam-sessions.md shows
    await demo_training.load(db, settings)  # training certificates (docs/policy-links.md)
    async with serving(create_app(settings, db=db)) as url:
        yield url
