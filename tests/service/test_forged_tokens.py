"""Tokens written around the API do nothing (issue 14, item 17): someone who can write to the
database but does not hold the master key can neither mint a token nor raise one's role or scope.
Attacked over HTTP, as a client holding the forged token would."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import httpx

from registry.access.auth import Role
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.trust import audit
from tests.factories import make_tokens, make_uscc

QUERY = {"query": "{ __typename }"}


def bearer(text: str) -> dict[str, str]:
    return {"authorization": f"Bearer {text}"}


async def assert_refused(http: httpx.AsyncClient, text: str) -> None:
    response = await http.post("/graphql", json=QUERY, headers=bearer(text))
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_row_inserted_into_tokens_is_no_token(
    http: httpx.AsyncClient, db: Database
) -> None:
    text = "dte_" + secrets.token_urlsafe(32)
    digest = hashlib.sha256(text.encode()).hexdigest()
    row = {
        "role": Role.OFFICE_ADMIN.value,
        "name": "forged",
        "institution": None,
        "province": None,
        "created_at": audit.now(),
        "created_by": "x",
        "revoked_at": None,
        "revoked_by": None,
        "schema_version": 1,
    }
    # As the old code stored it (a plain SHA-256), and with MACs under a key the attacker made up.
    wrong = secrets.token_bytes(32)
    await db[Collection.TOKENS].insert_many(
        [
            {"_id": "tok_f0f0f0f0", "hash": digest, **row},
            {"_id": "tok_f1f1f1f1", "mac": hmac.new(wrong, digest.encode(), "sha256").hexdigest()}
            | {"hash": "x" * 64, **row},
        ]
    )
    await assert_refused(http, text)


async def test_a_token_row_changed_around_the_api_stops_working(
    http: httpx.AsyncClient, db: Database
) -> None:
    made = await make_tokens(
        db,
        {
            "trainer": (Role.TRAINING_INSTITUTION, make_uscc(1701), None),
            "reviewer": (Role.PROVINCIAL_REVIEWER, None, "35"),
        },
    )
    fine = await http.post("/graphql", json=QUERY, headers=bearer(made["trainer"]))
    assert fine.status_code == 200, fine.text
    # Raise the trainer to office administrator; move the reviewer to another province.
    await db[Collection.TOKENS].update_one(
        {"name": "trainer"}, {"$set": {"role": Role.OFFICE_ADMIN.value, "institution": None}}
    )
    await db[Collection.TOKENS].update_one({"name": "reviewer"}, {"$set": {"province": "11"}})
    await assert_refused(http, made["trainer"])
    await assert_refused(http, made["reviewer"])
