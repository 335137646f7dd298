"""An exam session's capacity under concurrent registrations (issue 18 item 2): many
institution clients registering at once over real HTTP, for a session with few places left,
never register more candidates than it has places, and every one refused is refused with
SESSION_FULL (never a 500, a conflict or another code). The count of places taken is moved in
the registration's transaction by a guarded update on the session
(`registry/exams/registrations.py`), which is what this test attacks."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.exams import registrations
from registry.exams.registrations import RegistrationInput
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

EVALUATOR = make_uscc(1831)
TODAY = clock.today()
RNG = random.Random(1831)
CAPACITY, TAKEN, RACING = 12, 9, 24  # 3 places left, 24 candidates racing for them
PEOPLE = [(f"并发考生{i:02d}", make_id_number(RNG)) for i in range(TAKEN + RACING)]

ANNOUNCE = """mutation ($input: ExamSessionInput!) { announceExamSession(input: $input) {
  session { id } userErrors { code } } }"""
REGISTER = """mutation ($input: ExamRegistrationInput!) { registerExamCandidate(input: $input) {
  registration { id } userErrors { field code } } }"""


@pytest.fixture(scope="module")
async def token(db: Database) -> str:
    await catalogue.seed_reference(db)
    await listed_institution(db, EVALUATOR, filed="2025-01-06")
    made = await make_tokens(db, {"evaluator": (Role.EVALUATION_INSTITUTION, EVALUATOR, None)})
    return made["evaluator"]


def registration(session: str, i: int) -> dict[str, Any]:
    return {
        "session": session,
        "name": PEOPLE[i][0],
        "idNumber": PEOPLE[i][1],
        "commitmentVersion": "告知承诺书 v2026.1",
        "committedAt": f"{TODAY.isoformat()}T00:00:00+00:00",
    }


async def one_client(base: str, token: str, body: dict[str, Any]) -> httpx.Response:
    """One registration from a client of its own (its own connection)."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        return await client.post(
            "/graphql", json=body, headers={"authorization": f"Bearer {token}"}
        )


async def test_concurrent_registrations_never_exceed_the_capacity(
    live_server: str, token: str, db: Database, settings: Settings
) -> None:
    spec = {
        "idempotencyKey": "capacity-race-01",
        "occupation": "2-02-38-01",
        "level": "JUNIOR",
        "direction": "计算机视觉产品实现",
        "examDate": TODAY.isoformat(),
        "capacity": CAPACITY,
        "online": True,
    }
    announced = await one_client(
        live_server, token, {"query": ANNOUNCE, "variables": {"input": spec}}
    )
    sid = announced.json()["data"]["announceExamSession"]["session"]["id"]
    me = Principal(Role.EVALUATION_INSTITUTION, "t", "tok-1831", institution=EVALUATOR)
    personal = PersonalData(settings.master_key())
    for i in range(TAKEN):  # the places already taken
        spec_i = RegistrationInput(sid, *PEOPLE[i], "告知承诺书 v2026.1", clock.now())
        await registrations.register(db, me, spec_i, personal)
    bodies = [
        {"query": REGISTER, "variables": {"input": registration(sid, TAKEN + i)}}
        for i in range(RACING)
    ]
    answers = await asyncio.gather(*(one_client(live_server, token, b) for b in bodies))
    assert {a.status_code for a in answers} == {200}
    outcomes = [a.json() for a in answers]
    assert all("errors" not in o for o in outcomes), [
        o["errors"] for o in outcomes if "errors" in o
    ]
    payloads = [o["data"]["registerExamCandidate"] for o in outcomes]
    taken = [p for p in payloads if p["registration"] is not None]
    refused = [p["userErrors"] for p in payloads if p["registration"] is None]
    assert len(taken) == CAPACITY - TAKEN
    assert refused == [[{"field": "session", "code": "SESSION_FULL"}]] * (RACING - len(taken))
    session = await db[Collection.EXAM_SESSIONS].find_one({"_id": sid})
    assert session is not None and session["registered"] == CAPACITY
    stored = await db[Collection.EXAM_REGISTRATIONS].count_documents({"session": sid})
    assert stored == CAPACITY
