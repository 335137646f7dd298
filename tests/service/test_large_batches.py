"""A large batch over the real HTTP API with the default limits (1 MiB bodies, 10 s requests):
submitted in parts by the example of docs/api.md, bound by the service's binder, reviewed and
published; every step safe to send again; problems named by their row in the whole batch; a
part over the body limit refused with 413; no review while the bindings are computed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.access.auth import Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import binder
from registry.settings import Settings
from registry.storage.db import Database
from service.api_config import ApiConfig
from tests.client import gql, post
from tests.conftest import serving_with
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

USCC = make_uscc(840)
EXAM = (clock.today() - dt.timedelta(days=8)).isoformat()
DOCS = Path(__file__).parents[2] / "docs" / "api.md"

OPEN = """mutation ($input: OpenAssessmentBatchInput!) { openAssessmentBatch(input: $input) {
  replayed batch { batchId status expectedResults expiresAt } userErrors { field code message } } }"""
PART = """mutation ($id: String!, $part: Int!, $results: [AssessmentResultInput!]!) {
  addAssessmentBatchPart(batchId: $id, part: $part, results: $results) {
    replayed part { number firstRow resultCount } batch { receivedParts receivedResults }
    userErrors { field code message } } }"""
CLOSE = """mutation ($id: String!) { closeAssessmentBatch(batchId: $id) {
  replayed batch { status resultCount passedCount } userErrors { field code message } } }"""
STATE = """query ($id: String!) { assessmentBatch(id: $id) {
  status bindingProgress { bound total } } }"""
STEP = """mutation ($id: String!) { %s(batchId: $id) { batch { status } userErrors { code message } } }"""
RETURN = """mutation ($id: String!) { returnBatch(batchId: $id, reason: "复核") {
  batch { status } userErrors { code message } } }"""


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    specs = {
        "inst": (Role.EVALUATION_INSTITUTION, USCC, None),
        "inst2": (Role.EVALUATION_INSTITUTION, USCC, None),
        "prov": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "office": (Role.OFFICE_ADMIN, None, None),
    }
    return await make_tokens(db, specs)


def results(seed: int, n: int, *, pass_every: int = 20) -> list[dict[str, Any]]:
    """`n` results of distinct candidates; one in `pass_every` passes (so needs a binding)."""
    rng = random.Random(seed)
    ids: set[str] = set()
    while len(ids) < n:
        ids.add(make_id_number(rng))
    return [
        {
            "name": f"考生{i:04d}",
            "idNumber": idn,
            "occupation": "2-02-38-01",
            "level": "JUNIOR",
            "theoryScore": 80 if i % pass_every == 0 else 50,
            "skillScore": 75,
        }
        for i, idn in enumerate(sorted(ids))
    ]


def docs_example() -> dict[str, Any]:
    """The Python example of docs/api.md, "A large batch, in parts", run as written."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### A large batch, in parts") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), "docs/api.md", "exec"), namespace)
    return namespace


async def written(db: Database) -> tuple[int, ...]:
    return tuple(
        [
            await db[c].count_documents({})
            for c in ("batches", "batch_parts", "results", "audit_log")
        ]
    )


def answer(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"][field]
    return found


@contextlib.asynccontextmanager
async def without_binder(db: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app with the default limits and its binder off (the test binds)."""
    async with (
        serving_with(db, settings, binder=False) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as http,
    ):
        yield http


async def open_batch(http: httpx.AsyncClient, token: str, key: str, count: int) -> str:
    header = {"idempotencyKey": key, "examDate": EXAM, "resultCount": count}
    opened = answer(await post(http, token, OPEN, input=header), "openAssessmentBatch")
    return str(opened["batch"]["batchId"])


async def test_the_docs_example_submits_5000_rows_that_publish(
    db: Database, settings: Settings, t: dict[str, str]
) -> None:
    defaults = ApiConfig()
    assert (defaults.max_body_bytes, defaults.request_timeout_s) == (1_048_576, 10)
    batch = {"idempotencyKey": "large-5000-rows", "examDate": EXAM, "results": results(1, 5000)}
    async with serving_with(db, settings) as url:
        submit_in_parts = docs_example()["submit_in_parts"]
        bid = await asyncio.to_thread(submit_in_parts, url, t["inst"], batch)
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            state = (await gql(http, t["inst"], STATE, id=bid))["assessmentBatch"]
            assert state == {"status": "SUBMITTED", "bindingProgress": {"bound": 250, "total": 250}}
            for role, step in (
                ("prov", "approveBatchProvince"),
                ("cettic", "checkBatchCettic"),
                ("office", "publishBatch"),
            ):
                moved = (await gql(http, t[role], STEP % step, id=bid))[step]
                assert moved["userErrors"] == [], moved
            assert moved["batch"]["status"] == "PUBLISHED"
    assert await db.results.count_documents({"batch": bid, "current": True}) == 5000
    certificates = [c async for c in db.certificates.find({"batch": bid}, {"name": 1})]
    assert len(certificates) == 250
    assert {c["name"] for c in certificates} == {f"考生{i:04d}" for i in range(0, 5000, 20)}


async def test_every_step_sent_again_answers_the_same_and_writes_nothing_twice(
    db: Database, settings: Settings, t: dict[str, str]
) -> None:
    rows = results(2, 30, pass_every=3)
    header = {"idempotencyKey": "large-retries-1", "examDate": EXAM, "resultCount": 30}
    async with without_binder(db, settings) as http:
        token = t["inst2"]
        first, again = await asyncio.gather(
            *(post(http, token, OPEN, input=header) for _ in range(2))
        )
        opened = [answer(first, "openAssessmentBatch"), answer(again, "openAssessmentBatch")]
        assert sorted(o["replayed"] for o in opened) == [False, True]
        assert opened[0]["batch"] == opened[1]["batch"]
        bid = opened[0]["batch"]["batchId"]
        before = await written(db)
        for number in (1, 2, 3):
            part = rows[(number - 1) * 10 : number * 10]
            sent = await asyncio.gather(
                *(post(http, token, PART, id=bid, part=number, results=part) for _ in range(3))
            )
            parts = [answer(s, "addAssessmentBatchPart") for s in sent]
            assert sorted(p["replayed"] for p in parts) == [False, True, True], parts
            assert all(p["part"] == parts[0]["part"] for p in parts)
            assert parts[0]["part"] == {
                "number": number,
                "firstRow": number * 10 - 9,
                "resultCount": 10,
            }
        # Three parts, each stored and audited once.
        assert await written(db) == (before[0], before[1] + 3, before[2], before[3] + 3)
        sent = await asyncio.gather(*(post(http, token, CLOSE, id=bid) for _ in range(3)))
        closes = [answer(s, "closeAssessmentBatch") for s in sent]
        assert sorted(c["replayed"] for c in closes) == [False, True, True], closes
        assert all(
            c["batch"] == {"status": "BINDING", "resultCount": 30, "passedCount": 10}
            for c in closes
        )
        # One audit entry for the close; the result rows come with the binder (off here).
        assert await written(db) == (before[0], before[1] + 3, before[2], before[3] + 4)
        late = answer(
            await post(http, token, PART, id=bid, part=3, results=rows[20:]),
            "addAssessmentBatchPart",
        )
        assert late["replayed"] is True  # a part retried after the close still answers the same
        other = answer(
            await post(http, token, PART, id=bid, part=3, results=rows[:10]),
            "addAssessmentBatchPart",
        )
        assert [e["code"] for e in other["userErrors"]] == ["BATCH_PART_CONFLICT"]
    assert await written(db) == (before[0], before[1] + 3, before[2], before[3] + 4)


async def test_a_bad_row_in_part_3_is_named_by_its_row_in_the_batch(
    db: Database, settings: Settings, t: dict[str, str]
) -> None:
    rows = results(3, 300)
    rows[249]["idNumber"] = rows[249]["idNumber"][:-1] + (
        "1" if rows[249]["idNumber"][-1] == "0" else "0"
    )
    async with without_binder(db, settings) as http:
        bid = await open_batch(http, t["inst2"], "large-bad-row-3", 300)
        for number in (1, 2):
            part = rows[(number - 1) * 100 : number * 100]
            sent = await post(http, t["inst2"], PART, id=bid, part=number, results=part)
            assert answer(sent, "addAssessmentBatchPart")["userErrors"] == []
        before = await written(db)
        sent = await post(http, t["inst2"], PART, id=bid, part=3, results=rows[200:])
        refused = answer(sent, "addAssessmentBatchPart")
    assert refused["part"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("results[249].idNumber", "ID_NUMBER_CHECK")
    ]
    assert refused["userErrors"][0]["message"].startswith("row 250:")
    assert rows[249]["idNumber"] not in json.dumps(sent, ensure_ascii=False)
    assert await written(db) == before


async def test_a_part_over_the_body_limit_is_refused_with_413(
    db: Database, settings: Settings, t: dict[str, str]
) -> None:
    async with without_binder(db, settings) as http:
        bid = await open_batch(http, t["inst2"], "large-413-parts", 5000)
        before = await written(db)
        body = {"query": PART, "variables": {"id": bid, "part": 1, "results": results(4, 7500)}}
        sent = json.dumps(body).encode()
        assert len(sent) > ApiConfig().max_body_bytes
        response = await http.post(
            "/graphql",
            content=sent,
            headers={"authorization": f"Bearer {t['inst2']}", "content-type": "application/json"},
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    assert await written(db) == before


async def test_no_review_while_binding_and_the_progress_shows(
    db: Database, settings: Settings, t: dict[str, str]
) -> None:
    rows = results(5, 40, pass_every=2)
    async with without_binder(db, settings) as http:
        token = t["inst2"]
        bid = await open_batch(http, token, "large-binding-1", 40)
        assert (
            answer(
                await post(http, token, PART, id=bid, part=1, results=rows),
                "addAssessmentBatchPart",
            )["userErrors"]
            == []
        )
        assert (
            answer(await post(http, token, CLOSE, id=bid), "closeAssessmentBatch")["userErrors"]
            == []
        )
        state = (await gql(http, token, STATE, id=bid))["assessmentBatch"]
        assert state == {"status": "BINDING", "bindingProgress": {"bound": 0, "total": 20}}
        for role, query, field in (
            ("prov", STEP % "approveBatchProvince", "approveBatchProvince"),
            ("office", RETURN, "returnBatch"),
        ):
            refused = (await gql(http, t[role], query, id=bid))[field]
            assert [e["code"] for e in refused["userErrors"]] == ["ILLEGAL_TRANSITION"]
            assert "BINDING" in refused["userErrors"][0]["message"]
        # The binder (here called directly; the server's own is off) finishes the batch.
        assert await binder.bind_batch(db, PersonalData(settings.master_key()), bid, run="t") == 20
        state = (await gql(http, token, STATE, id=bid))["assessmentBatch"]
        assert state == {"status": "SUBMITTED", "bindingProgress": {"bound": 20, "total": 20}}
        approved = await gql(http, t["prov"], STEP % "approveBatchProvince", id=bid)
        assert approved["approveBatchProvince"]["batch"] == {"status": "PROVINCE_APPROVED"}
