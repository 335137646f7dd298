"""The public verification paths over real HTTP (uvicorn on a loopback port, the real embedded
database): bodies, caching headers, strong ETags and conditional GETs, 404s."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
from collections.abc import AsyncIterator
from importlib import resources

import httpx
import pytest_asyncio
from starlette.applications import Starlette

from credentials import PublicKey, load_bundle, parse_status_list_credential
from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import keystore, status_lists
from service.public_routes import routes
from tests.conftest import serving


def app_for(db: Database, settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.db = db
        app.state.settings = settings
        yield

    return Starlette(routes=routes, lifespan=lifespan)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client(db: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    await catalogue.seed_reference(db)
    async with (
        serving(app_for(db, settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        yield http


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest() + '"'


async def test_bundle_json_is_signed_cached_and_conditional(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    response = await client.get("/bundle.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "public, max-age=300"
    etag = response.headers["etag"]
    assert etag == strong_etag(response.content)
    root = await keystore.root_public_key(db, settings.master_key())
    bundle = load_bundle(response.json(), [root])
    assert bundle.sequence >= 1

    again = await client.get("/bundle.json")
    assert again.headers["etag"] == etag  # unchanged data: the same bundle
    for header in (etag, f'"nope", {etag}', f"W/{etag}", "*"):
        cached = await client.get("/bundle.json", headers={"If-None-Match": header})
        assert cached.status_code == 304, header
        assert cached.content == b""
        assert cached.headers["etag"] == etag
        assert cached.headers["cache-control"] == "public, max-age=300"
    stale = await client.get("/bundle.json", headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.content == response.content


async def test_a_revocation_changes_the_bundle_and_its_status_list(
    client: httpx.AsyncClient, db: Database
) -> None:
    [ref] = await in_transaction(
        db, lambda s: status_lists.allocate(db, 1, owner="91350100M000100Y43", session=s)
    )
    first = await client.get(f"/status/{ref.list_id}")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.headers["etag"] == strong_etag(first.content)
    assert not parse_status_list_credential(first.json()).get(ref.index)
    not_modified = await client.get(
        f"/status/{ref.list_id}", headers={"If-None-Match": first.headers["etag"]}
    )
    assert not_modified.status_code == 304
    bundle_before = await client.get("/bundle.json")

    await in_transaction(db, lambda s: status_lists.set_revoked(db, ref, session=s))
    revoked = await client.get(
        f"/status/{ref.list_id}", headers={"If-None-Match": first.headers["etag"]}
    )
    assert revoked.status_code == 200
    assert parse_status_list_credential(revoked.json()).get(ref.index)
    bundle_after = await client.get(
        "/bundle.json", headers={"If-None-Match": bundle_before.headers["etag"]}
    )
    assert bundle_after.status_code == 200
    assert bundle_after.json()["sequence"] > bundle_before.json()["sequence"]
    embedded = bundle_after.json()["statusLists"][revoked.json()["id"]]
    assert embedded == revoked.json()


async def test_unknown_status_list_is_a_json_404(client: httpx.AsyncClient) -> None:
    for path in ("/status/unknown", "/status/99999", "/status/1.json"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "STATUS_LIST_NOT_FOUND"
    assert (await client.get("/status/1%2F..%2F")).status_code == 404


async def test_context_and_schemas_are_the_shipped_files(client: httpx.AsyncClient) -> None:
    shipped = resources.files("credentials")
    cases = [
        ("/contexts/dte-v1.jsonld", shipped / "contexts" / "dte-v1.jsonld", "application/ld+json"),
        (
            "/schemas/certificate.schema.json",
            shipped / "schemas" / "certificate.schema.json",
            "application/schema+json",
        ),
        (
            "/schemas/trust-bundle.schema.json",
            shipped / "schemas" / "trust-bundle.schema.json",
            "application/schema+json",
        ),
    ]
    for path, file, media_type in cases:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.content == file.read_bytes()
        assert response.headers["content-type"].startswith(media_type)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["etag"] == strong_etag(response.content)
        json.loads(response.content)
        cached = await client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert cached.status_code == 304


async def test_only_shipped_names_are_served(client: httpx.AsyncClient) -> None:
    for path in (
        "/schemas/nothing.schema.json",
        "/schemas/..%2Fkeys.py",
        "/schemas/__init__.py",
        "/contexts/other.jsonld",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_root_key_is_the_key_that_signs_the_bundle(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    response = await client.get("/root-key")
    assert response.status_code == 200
    body = response.json()
    key = PublicKey.from_multibase(body["publicKeyMultibase"])
    assert key == await keystore.root_public_key(db, settings.master_key())
    assert body["verificationMethod"] == key.verification_method
    assert "out-of-band" in body["note"]
    bundle = (await client.get("/bundle.json")).json()
    assert bundle["proof"]["verificationMethod"] == key.verification_method


async def test_keys_that_do_not_open_give_a_masked_503(db: Database, settings: Settings) -> None:
    await keystore.root_key(db, settings.master_key())  # exists under the right master key
    wrong = base64.b64encode(hashlib.sha256(b"wrong master key").digest()).decode()
    misconfigured = dataclasses.replace(settings, master_key_b64=wrong)
    async with (
        serving(app_for(db, misconfigured)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        for path in ("/bundle.json", "/root-key"):
            response = await http.get(path)
            assert response.status_code == 503, path
            assert response.json()["error"]["code"] == "UNAVAILABLE"
            assert response.headers["cache-control"] == "no-store"
            assert "master" not in response.text.lower() and wrong not in response.text
