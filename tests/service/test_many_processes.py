"""Many processes, one registry (issue 17, item 1): two `registry serve` processes on one
database behave as one registry. A client over its limit on one is limited on the other; a
revocation through one is seen by a look-up through the other within a second; the two
submitting and publishing at the same moment never share a certificate number or a status-list
index; the trust bundle's sequence, read from either, never goes back."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.client import gql
from tests.factories import (
    MASTER_KEY_B64,
    listed_institution,
    make_tokens,
    make_uscc,
    passing_results,
)
from tests.service.served import Served, clean_env

USCC = make_uscc(1701)
EXAM = (clock.today() - dt.timedelta(days=5)).isoformat()
RATE_LIMIT = 200  # points a client may spend per window, on all processes together
COSTLY = "{ occupations(first: 10) { nodes { code } } }"  # 21 points
SUBMIT = """mutation ($input: AssessmentBatchInput!) { submitAssessmentBatch(input: $input) {
  batch { id status results { passed certificateNumber } } userErrors { code message } } }"""
STEP = """mutation ($id: String!) { %s(batchId: $id) { batch { status } userErrors { code } } }"""
REVOKE = """mutation ($n: String!) { revokeCertificate(number: $n, reason: "重复发证") {
  userErrors { code } } }"""
LOOKUP = """query ($n: String!, $name: String!) { certificate(number: $n, holderName: $name) {
  status } }"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def two(
    db: Database, mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, str]]:
    folder: Path = tmp_path_factory.mktemp("two-processes")
    env = clean_env(
        REGISTRY_MONGODB_URI=mongodb_uri,
        REGISTRY_DATABASE=db.name,
        REGISTRY_MASTER_KEY=MASTER_KEY_B64,
        REGISTRY_DATA_DIR=str(folder / "var"),
        REGISTRY_RATE_LIMIT=str(RATE_LIMIT),
        REGISTRY_PERSONAL_LOOKUPS="100000",
        REGISTRY_TRUST_FORWARDED_FOR="on",
    )
    processes = [Served(folder, env), Served(folder, env)]
    try:
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready) for p in processes))
        yield processes[0].url, processes[1].url
    finally:
        for process in processes:
            process.kill()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    specs = {
        "inst": (Role.EVALUATION_INSTITUTION, USCC, None),
        "prov": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "office": (Role.OFFICE_ADMIN, None, None),
    }
    return await make_tokens(db, specs)


def _batch(key: str, seed: int, size: int = 12) -> dict[str, Any]:
    return {"idempotencyKey": key, "examDate": EXAM, "results": passing_results(seed, size)}


async def _ask(url: str, client: str, query: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as http:
        return await http.post(
            "/graphql", json={"query": query}, headers={"x-forwarded-for": client}
        )


async def _gql(url: str, token: str | None, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return await gql(http, token, query, **variables)


async def _sequence(url: str) -> int:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        answer = await http.get("/bundle.json")
        assert answer.status_code == 200
        return int(answer.json()["sequence"])


async def test_a_client_over_its_limit_on_one_is_limited_on_the_other(
    two: tuple[str, str],
) -> None:
    one, other = two
    spent = 0
    while (answer := await _ask(one, "10.17.0.1", COSTLY)).status_code == 200:
        spent += 21
        assert spent <= RATE_LIMIT
    assert answer.status_code == 429
    assert RATE_LIMIT - 21 < spent <= RATE_LIMIT
    refused = await _ask(other, "10.17.0.1", COSTLY)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert (await _ask(other, "10.17.0.2", COSTLY)).status_code == 200  # another client


async def test_publishing_at_once_shares_nothing_and_revocation_is_seen_everywhere(
    two: tuple[str, str], t: dict[str, str], db: Database
) -> None:
    one, other = two
    sequences = [await _sequence(one), await _sequence(other)]
    submitted = await asyncio.gather(
        _gql(one, t["inst"], SUBMIT, input=_batch("two-processes-a", 1)),
        _gql(other, t["inst"], SUBMIT, input=_batch("two-processes-b", 2)),
    )
    batches = [s["submitAssessmentBatch"]["batch"] for s in submitted]
    numbers = [r["certificateNumber"] for b in batches for r in b["results"]]
    assert len(numbers) == 24 and len(set(numbers)) == 24
    for url, (token, step) in zip(
        (one, other),
        [(t["prov"], "approveBatchProvince"), (t["cettic"], "checkBatchCettic")],
        strict=True,
    ):
        for batch in batches:
            done = (await _gql(url, token, STEP % step, id=batch["id"]))[step]
            assert done["userErrors"] == []
    published = await asyncio.gather(
        *(
            _gql(url, t["office"], STEP % "publishBatch", id=batch["id"])
            for url, batch in zip((one, other), batches, strict=True)
        )
    )
    assert [p["publishBatch"]["batch"]["status"] for p in published] == ["PUBLISHED"] * 2
    stored = await db[Collection.CERTIFICATES].find({}, {"status_ref": 1}).to_list()
    refs = {(c["status_ref"]["list_id"], c["status_ref"]["index"]) for c in stored}
    assert len(stored) == 24 and len(refs) == 24
    sequences += [await _sequence(other), await _sequence(one)]

    # The look-up on the other process has the certificate in its cache; a revocation through
    # the first reaches it by the change stream.
    name = _batch("two-processes-b", 2)["results"][3]["name"]
    number = batches[1]["results"][3]["certificateNumber"]
    for _ in range(2):
        found = await _gql(other, None, LOOKUP, n=number, name=name)
        assert found["certificate"]["status"] == "VALID"
    revoked = await _gql(one, t["inst"], REVOKE, n=number)
    assert revoked["revokeCertificate"]["userErrors"] == []
    seen = time.monotonic()
    while (await _gql(other, None, LOOKUP, n=number, name=name))["certificate"][
        "status"
    ] != "REVOKED":
        assert time.monotonic() - seen < 1.0, "the other process still answers VALID"
        await asyncio.sleep(0.02)
    sequences += [await _sequence(other), await _sequence(one), await _sequence(other)]
    assert sequences == sorted(sequences), sequences
    assert sequences[-1] > sequences[0]
