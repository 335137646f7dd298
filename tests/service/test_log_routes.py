"""The transparency log over real HTTP: the checkpoint (text/plain, short cache, verifies under
the log key), tiles and entry bundles exactly per C2SP tlog-tiles (paths, partial tiles, uint16
length prefixes, immutable caching) equal to a recomputation from the leaves, and the GraphQL
inclusion and credential file."""

from __future__ import annotations

import base64
import struct

import httpx

from credentials.transparency import (
    certificate_leaf,
    leaf_hash,
    parse_checkpoint,
    root_from_leaves,
    verify_inclusion,
)
from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.transparency import checkpoints, replay
from tests.client import gql
from tests.factories import listed_institution, make_uscc, published_batch

USCC = make_uscc(616)
IMMUTABLE = "public, max-age=31536000, immutable"


async def leaves(db: Database) -> list[bytes]:
    return [e.data async for e in replay.entries(db)]


def split_bundle(body: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(body):
        (length,) = struct.unpack(">H", body[at : at + 2])
        out.append(body[at + 2 : at + 2 + length])
        at += 2 + length
    return out


async def test_the_log_is_served_as_the_specification_says(
    http: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    await published_batch(db, settings, USCC, "routes-batch", 3)

    response = await http.get("/log/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=5"
    key = await checkpoints.note_key(db, settings.master_key(), settings.base_url)
    point = parse_checkpoint(response.text, [key])
    stored = (await leaves(db))[: point.size]
    assert point.size == len(stored) and point.size < 256
    assert point.root_hash == root_from_leaves([leaf_hash(x) for x in stored])

    tile = await http.get(f"/log/tile/0/000.p/{point.size}")
    assert tile.status_code == 200
    assert tile.headers["content-type"] == "application/octet-stream"
    assert tile.headers["cache-control"] == IMMUTABLE
    assert tile.content == b"".join(leaf_hash(x) for x in stored)

    bundle = await http.get(f"/log/tile/entries/000.p/{point.size}")
    assert bundle.headers["cache-control"] == IMMUTABLE
    body = bundle.content  # httpx undoes the gzip it asked for
    assert split_bundle(body) == stored
    raw = await http.get(
        f"/log/tile/entries/000.p/{point.size}", headers={"accept-encoding": "gzip"}
    )
    assert raw.headers.get("content-encoding") == "gzip"  # compressed at the HTTP layer
    assert split_bundle(raw.content) == stored
    refused = await http.get(
        f"/log/tile/entries/000.p/{point.size}", headers={"accept-encoding": "gzip;q=0"}
    )
    assert "content-encoding" not in refused.headers  # q=0 means "not gzip" (RFC 9110 §12.5.3)
    assert split_bundle(refused.content) == stored

    for missing in (
        "/log/tile/0/000",  # the full tile does not exist yet
        f"/log/tile/0/000.p/{point.size + 1}",  # wider than the log
        "/log/tile/1/000.p/1",
        "/log/tile/0/x000/000.p/1",  # not the canonical spelling
        "/log/tile/entries/000.p/0",
    ):
        answer = await http.get(missing)
        assert answer.status_code == 404, missing
        assert answer.json()["error"]["code"] == "LOG_TILE_NOT_FOUND"


async def test_a_certificate_answers_its_inclusion_and_its_credential_file(
    http: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    doc = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", 1)])
    assert doc is not None
    data = await gql(
        http,
        None,
        """query($n: String!, $h: String!) { certificate(number: $n, holderName: $h) {
             inclusion { leafIndex treeSize proof checkpoint } credentialFile } }""",
        n=doc["_id"],
        h=doc["name"],
    )
    found = data["certificate"]["inclusion"]
    key = await checkpoints.note_key(db, settings.master_key(), settings.base_url)
    point = parse_checkpoint(found["checkpoint"], [key])
    assert found["treeSize"] == point.size
    proof = [base64.b64decode(h) for h in found["proof"]]
    leaf = leaf_hash(certificate_leaf(doc["credential"]))
    verify_inclusion(leaf, found["leafIndex"], point.size, proof, point.root_hash)
    file = data["certificate"]["credentialFile"]
    assert file["envelope"] == "dte-registry/credential-file/v1"
    assert file["credential"] == doc["credential"]
    assert file["inclusion"] == found


async def test_a_tile_path_of_too_many_digits_is_a_404(http: httpx.AsyncClient) -> None:
    # 4,302 digits: past Python's int() limit, once a 500 with a traceback (issue 15).
    for path in ("0/" + "x000/" * 1433 + "000", "0/x００１/001", "entries/" + "x999/" * 6 + "999"):
        response = await http.get(f"/log/tile/{path}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "LOG_TILE_NOT_FOUND"
