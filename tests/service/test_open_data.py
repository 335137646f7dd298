"""Open directory data over HTTP and GraphQL (issue 16, item 3), against the demo on a real
server: the downloads fit their published JSON Schema, carry ETags (304 on If-None-Match) and a
signature by the root key that fails on one changed byte; the CSV has a BOM and no cell a
spreadsheet would run; the feed is the same in GraphQL and JSON; and the sync loop of
docs/open-data.md, run as it stands, mirrors both directories and, after a change, applies the
feed and agrees with the API."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from jsonschema import Draft202012Validator
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from referencing import Registry, Resource

from credentials.keys import PublicKey
from registry.demo import directory as demo
from registry.intake.rows import formula_like
from registry.settings import Settings
from registry.storage.db import Database
from tests.client import gql, post
from tests.conftest import serving
from tests.docs_examples import DEMO_ADDRESS, examples

FILES = [f"{d}.{f}" for d in ("training", "evaluation") for f in ("json", "csv")]
FORMULA_NAME = '=HYPERLINK("http://example.com","点击")'


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, settings: Settings) -> AsyncIterator[str]:
    """The demo directories, one name written (as by an older version, before input refused
    formulas) as a formula, served by the real app."""
    from service.api_config import ApiConfig
    from service.app import create_app

    await demo.seed_demo(db, settings)
    first = await db.institutions.find_one({"kind": "TRAINING"}, sort=[("_id", 1)])
    assert first is not None
    await db.institutions.update_one({"_id": first["_id"]}, {"$set": {"name": FORMULA_NAME}})
    # Comparing with the API reads every institution more than once: more than an hour's allowance.
    api = ApiConfig.from_env({**os.environ, "REGISTRY_RATE_LIMIT": "1000000"})
    async with serving(create_app(settings, db=db, api=api)) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def web(site: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=site, timeout=60) as client:
        yield client


async def validator(web: httpx.AsyncClient, name: str) -> Draft202012Validator:
    schemas = {
        n: (await web.get(f"/open-data/v1/{n}")).json()
        for n in ("directory.schema.json", "changes.schema.json")
    }
    registry: Registry[Any] = Registry().with_resources(
        (n, Resource.from_contents(s)) for n, s in schemas.items()
    )
    return Draft202012Validator(schemas[name], registry=registry)


async def test_downloads_fit_their_schema(web: httpx.AsyncClient) -> None:
    check = await validator(web, "directory.schema.json")
    for kind in ("training", "evaluation"):
        document = (await web.get(f"/open-data/v1/directory/{kind}.json")).json()
        assert list(check.iter_errors(document)) == []
        assert document["directory"] == kind.upper() and len(document["institutions"]) >= 10
        assert {r["kind"] for r in document["institutions"]} == {kind.upper()}
    feed = (await web.get("/open-data/v1/changes", params={"first": 100})).json()
    assert list((await validator(web, "changes.schema.json")).iter_errors(feed)) == []
    assert len(feed["changes"]) == 100 and feed["pageInfo"]["hasNextPage"]


def test_the_schemas_states_are_the_lifecycles() -> None:
    # The schema's list of states is written by hand: a new state of the lifecycle must be in it.
    from pathlib import Path

    from registry.institutions.model import Status

    text = Path(__file__).parents[2].joinpath("service/schemas/directory.schema.json").read_text()
    record = json.loads(text)["$defs"]["institution"]["properties"]
    assert record["status"]["enum"] == [s.value for s in Status]


@pytest.mark.parametrize(
    "path",
    [
        *(f"/open-data/v1/directory/{name}" for name in FILES),
        *(f"/open-data/v1/directory/{name}.sig" for name in FILES),
        "/open-data/v1/directory.schema.json",
        "/open-data/v1/changes?first=3",
    ],
)
async def test_every_file_has_an_etag_and_answers_304(web: httpx.AsyncClient, path: str) -> None:
    first = await web.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and len(etag) == 66
    again = await web.get(path, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    other = await web.get(path, headers={"if-none-match": '"' + "0" * 64 + '"'})
    assert other.status_code == 200 and other.content == first.content


@pytest.mark.parametrize("name", FILES)
async def test_each_file_is_signed_by_the_root_key(web: httpx.AsyncClient, name: str) -> None:
    body = (await web.get(f"/open-data/v1/directory/{name}")).content
    sig = (await web.get(f"/open-data/v1/directory/{name}.sig")).json()
    root = (await web.get("/root-key")).json()["publicKeyMultibase"]
    assert sig["publicKeyMultibase"] == root and sig["signs"] == f"/open-data/v1/directory/{name}"
    key = VerifyKey(PublicKey.from_multibase(root).raw)
    signature = base64.b64decode(sig["signature"])
    key.verify(body, signature)  # raises if it does not verify
    tampered = bytearray(body)
    tampered[len(body) // 2] ^= 0x01
    with pytest.raises(BadSignatureError):
        key.verify(bytes(tampered), signature)


async def test_the_csv_opens_in_a_spreadsheet_and_runs_nothing(web: httpx.AsyncClient) -> None:
    response = await web.get("/open-data/v1/directory/training.csv")
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *records = rows
    assert header[:3] == ["uscc", "name", "kind"]
    assert [cell for row in records for cell in row if formula_like(cell)] == []
    assert "'" + FORMULA_NAME in [row[1] for row in records]  # shown, never run
    document = (await web.get("/open-data/v1/directory/training.json")).json()
    assert [row[0] for row in records] == [r["uscc"] for r in document["institutions"]]


FEED = """query ($after: String) {
  directoryChanges(first: 50, after: $after) {
    totalCount
    edges { cursor node { uscc kind action changes fromStatus toStatus record } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_graphql_and_json_feeds_are_the_same(web: httpx.AsyncClient) -> None:
    after = None
    for _ in range(2):
        data = (await gql(web, None, FEED, after=after))["directoryChanges"]
        params = {"first": "50", **({"after": after} if after else {})}
        page = (await web.get("/open-data/v1/changes", params=params)).json()
        assert [e["cursor"] for e in data["edges"]] == [c["cursor"] for c in page["changes"]]
        for edge, item in zip(data["edges"], page["changes"], strict=True):
            node = edge["node"]
            assert node["record"] == item["record"] and node["action"] == item["action"]
            assert node["changes"] == item["changes"] and node["toStatus"] == item["toStatus"]
        assert data["pageInfo"] == page["pageInfo"]
        after = data["pageInfo"]["endCursor"]
    assert data["totalCount"] >= 100


def feed_cursor(key: str) -> str:
    """A cursor of the change feed around `key` (its seq), made as the service makes them."""
    text = f"c1:directoryChange:{key}".encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


async def test_a_cursor_with_other_digits_is_invalid_in_graphql(web: httpx.AsyncClient) -> None:
    for key in ("²", "１", "0" * 19):
        body = await post(web, None, FEED, after=feed_cursor(key))
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", body


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"after": "not-a-cursor"}, "INVALID_CURSOR"),
        ({"after": "YzE6aW5zdGl0dXRpb246OTE"}, "INVALID_CURSOR"),  # another list's cursor
        ({"first": "101"}, "PAGINATION_LIMIT"),
        ({"first": "-1"}, "BAD_REQUEST"),
        ({"first": "many"}, "BAD_REQUEST"),
        # Digits to str.isdigit() that are no decimal number to a client (issue 15): '²'
        # made int() fail (a 500); the full-width '１' was read as 1.
        ({"first": "²"}, "BAD_REQUEST"),
        ({"first": "１"}, "BAD_REQUEST"),
        ({"first": "1_0"}, "BAD_REQUEST"),
        ({"first": " 10"}, "BAD_REQUEST"),
        ({"after": feed_cursor("²")}, "INVALID_CURSOR"),
        ({"after": feed_cursor("١٢")}, "INVALID_CURSOR"),
        ({"after": feed_cursor("9" * 5000)}, "INVALID_CURSOR"),
    ],
)
async def test_a_bad_feed_request_is_a_400_with_its_code(
    web: httpx.AsyncClient, params: dict[str, str], code: str
) -> None:
    response = await web.get("/open-data/v1/changes", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


async def test_unknown_files_are_404(web: httpx.AsyncClient) -> None:
    for path in ("directory/other.json", "directory/training.xml", "other.schema.json"):
        response = await web.get(f"/open-data/v1/{path}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


SYNC_LOOP = next(e for e in examples() if e.page == "open-data.md" and e.language == "python")
DIRECTORY = """query ($kind: InstitutionKind!, $after: String) {
  institutions(kind: $kind, first: 100, after: $after) {
    nodes { uscc name status validUntil firstListed number listings { start until ended } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def api_directory(web: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for kind in ("TRAINING", "EVALUATION"):
        after = None
        while True:
            page = (await gql(web, None, DIRECTORY, kind=kind, after=after))["institutions"]
            found.update({n["uscc"]: n for n in page["nodes"]})
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    return found


def same_as_api(copy: dict[str, dict[str, Any]], api: dict[str, dict[str, Any]]) -> None:
    assert copy.keys() == api.keys()
    for uscc, node in api.items():
        record = copy[uscc]
        for name in ("name", "status", "validUntil", "firstListed", "number"):
            assert record[name] == node[name], (uscc, name)
        periods = [{k: p[k] for k in ("start", "until", "ended")} for p in record["listings"]]
        assert periods == node["listings"], uscc


async def test_the_documented_sync_loop_mirrors_and_follows(
    web: httpx.AsyncClient, site: str, settings: Settings
) -> None:
    namespace: dict[str, Any] = {}
    code = DEMO_ADDRESS.sub(site, SYNC_LOOP.text)
    await asyncio.to_thread(exec, code, namespace)  # the page's loop, as it stands
    copy, cursor = namespace["copy"], namespace["cursor"]
    same_as_api(copy, await api_directory(web))
    earlier = (await web.get("/open-data/v1/changes", params={"first": "30"})).json()
    # A change: the office suspends a listed evaluation institution.
    office = json.loads((settings.data_dir / "demo" / "tokens.json").read_text())["OFFICE_ADMIN"]
    listed = next(r for r in copy.values() if r["status"] == "LISTED" and r["kind"] == "EVALUATION")
    done = await gql(
        web,
        office["token"],
        'mutation ($u: String!) { suspendInstitution(uscc: $u, reason: "整改") { userErrors { code } } }',
        u=listed["uscc"],
    )
    assert done["suspendInstitution"]["userErrors"] == []
    assert copy[listed["uscc"]]["status"] == "LISTED"
    with httpx.Client(base_url=site, timeout=30) as client:
        following = await asyncio.to_thread(namespace["follow"], client, copy, cursor)
        assert following != cursor
        assert copy[listed["uscc"]]["status"] == "SUSPENDED"
        same_as_api(copy, await api_directory(web))
        # ...and equal to fresh downloads, record for record.
        fresh, _ = await asyncio.to_thread(namespace["mirror"], client)
        assert fresh == copy
        # The changes known before keep their cursors (stable), the new one comes after them.
        later = (await web.get("/open-data/v1/changes", params={"first": "30"})).json()
        assert later == earlier
        newest = (await web.get("/open-data/v1/changes", params={"after": cursor})).json()
        assert [c["uscc"] for c in newest["changes"]] == [listed["uscc"]]
        assert newest["changes"][0]["changes"] == ["STATUS", "VALIDITY"]
        # Nothing new: the next poll keeps its cursor.
        assert await asyncio.to_thread(namespace["follow"], client, copy, following) == following
