"""schemathesis-generated operations, anonymous and with each role's token: no 5xx, no traceback,
no internal error, every error with a code (and, by tests/service/test_privacy.py, no ID number)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.db import Database
from service.api_config import ApiConfig
from service.app import create_app
from tests.conftest import serving
from tests.factories import MASTER_KEY, listed_institution, make_uscc
from tests.service.fuzz import Finding, generate, problems

EXAMPLES_PER_OPERATION = 8
USCC = make_uscc(800)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def fuzz_server(db: Database, settings: Settings) -> AsyncIterator[str]:
    api = ApiConfig(
        rate_points=10**9, personal_lookups=10**9
    )  # the fuzzer is not the rate limit's test
    async with serving(create_app(settings, db=db, api=api)) as url:
        yield url


@pytest.fixture(scope="module")
async def callers(db: Database) -> dict[str, str | None]:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC)
    specs = {
        "office": (Role.OFFICE_ADMIN, None, None),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "province": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "evaluation": (Role.EVALUATION_INSTITUTION, USCC, None),
        "training": (Role.TRAINING_INSTITUTION, make_uscc(801), None),
    }
    out: dict[str, str | None] = {"anonymous": None}
    for label, (role, inst, prov) in specs.items():
        out[label], _ = await tokens.create_token(
            db,
            MASTER_KEY,
            role=role,
            name=f"fuzz {label}",
            institution=inst,
            province=prov,
            created_by=SYSTEM,
        )
    return out


async def test_generated_operations_never_break_the_api(
    fuzz_server: str, callers: dict[str, str | None]
) -> None:
    corpus = await asyncio.to_thread(generate, EXAMPLES_PER_OPERATION)
    assert len({label for label, _ in corpus}) >= 30  # every query and mutation field is exercised
    findings: list[Finding] = []
    sent = 0
    async with httpx.AsyncClient(base_url=fuzz_server, timeout=60) as http:
        for caller, token in callers.items():
            headers = {"authorization": f"Bearer {token}"} if token else {}
            for label, query in corpus:
                response = await http.post("/graphql", json={"query": query}, headers=headers)
                sent += 1
                findings += [
                    Finding(label, caller, response.status_code, p, query[:300])
                    for p in problems(response.status_code, response.text)
                ]
    assert sent >= 2000
    assert findings == [], findings[:5]
