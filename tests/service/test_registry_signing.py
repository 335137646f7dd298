"""Everything the registry signs follows the offline root (issue 17, item 3): after the ceremony
the open data's detached signature and a continuing-education record verify against the offline
root alone (Python library and `registry verify`), a signature by the database's leftover root key
is refused by a reader pinned to the offline root and the leftover key's secret is gone; when the
bundle key's certificate has run out nothing is signed, and the routes and the API say so with
`ROOT_CERTIFICATE_EXPIRED` instead of a 500."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from click.testing import CliRunner

from credentials import (
    DetachedSignatureError,
    PublicKey,
    SigningKey,
    rootchain,
    verify_detached,
)
from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.errors import RootKeyDestroyed
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import audit, keystore, offline_root, status_lists
from service.api_config import ApiConfig
from service.app import create_app
from service.verify_cli import verify_command
from tests.client import gql, post
from tests.conftest import serving
from tests.docs_examples import DEMO_ADDRESS, examples
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

OFFLINE = SigningKey.from_seed(b"\x41" * 32)
STRANGER = SigningKey.from_seed(b"\x42" * 32)
TRAINER = make_uscc(871)
END = clock.today() - dt.timedelta(days=4)
NAME, IDN = "学员签", make_id_number(random.Random(871))
DAY = dt.timedelta(days=1)
SIG = "/open-data/v1/directory/training.json"
OPEN_DATA = (Path(__file__).resolve().parents[2] / "docs" / "open-data.md").read_text("utf-8")
CREDENTIAL = """query ($i: String!, $n: String, $y: Int!) {
  continuingEducationCredential(idNumber: $i, holderName: $n, year: $y) }"""
SUBMIT = """mutation ($input: TrainingCohortInput!) { submitTrainingCohort(input: $input) {
  userErrors { code } } }"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, settings: Settings) -> AsyncIterator[str]:
    """A training institution whose cohort gave one holder hours, served by the real app."""
    await catalogue.seed_reference(db)
    await in_transaction(db, lambda s: status_lists.allocate(db, 1, owner=TRAINER, session=s))
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06")
    tokens = await make_tokens(db, {"trainer": (Role.TRAINING_INSTITUTION, TRAINER, None)})
    cohort = {
        "idempotencyKey": "signing-cohort-1",
        "startDate": (END - 20 * DAY).isoformat(),
        "endDate": END.isoformat(),
        "occupation": "2-02-10-09",
        "level": "INTERMEDIATE",
        "requiredHours": 96,
        "trainees": [
            {
                "name": NAME,
                "idNumber": IDN,
                "hoursAttended": 96,
                "attendanceRate": 1.0,
                "assessmentPassed": True,
            }
        ],
    }
    async with serving(create_app(settings, db=db, api=ApiConfig())) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            found = await gql(http, tokens["trainer"], SUBMIT, input=cohort)
            assert found["submitTrainingCohort"]["userErrors"] == []
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def web(site: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=site, timeout=60) as client:
        yield client


async def signed_file(web: httpx.AsyncClient) -> tuple[bytes, dict[str, Any]]:
    body = (await web.get(SIG)).raise_for_status().content
    return body, (await web.get(SIG + ".sig")).raise_for_status().json()


async def ce_record(web: httpx.AsyncClient) -> dict[str, Any]:
    found = await gql(web, None, CREDENTIAL, i=IDN, n=NAME, y=END.year)
    record: dict[str, Any] = found["continuingEducationCredential"]
    return record


def cli(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(verify_command, [*args, "--json"])
    return result.exit_code, json.loads(result.output) if result.output.strip() else {}


async def ceremony(db: Database, settings: Settings) -> rootchain.Certificate:
    """The offline root takes over: the keystore root names it, it certifies the bundle key."""
    master = settings.master_key()
    await offline_root.rotate_keystore_root(db, master, OFFLINE.public_key)
    key = await offline_root.bundle_key(db, master)
    now = clock.now()
    cert = rootchain.certify(OFFLINE, key, valid_from=now - DAY, valid_until=now + 30 * DAY)
    return await offline_root.install_certificate(db, master, cert)


async def test_after_the_ceremony_the_open_data_and_a_ce_record_follow_the_offline_root(
    web: httpx.AsyncClient, db: Database, settings: Settings, tmp_path: Path
) -> None:
    first_root = await keystore.root_public_key(db, settings.master_key())
    before_body, before_sig = await signed_file(web)
    before_record = await ce_record(web)
    # One machine: the root signs, and no chain is carried.
    assert before_sig["publicKeyMultibase"] == first_root.multibase
    assert rootchain.CERTIFICATE_MEMBER not in before_sig
    assert rootchain.CERTIFICATE_MEMBER not in before_record
    offered = (await web.get("/root-key")).json()
    assert offered["publicKeyMultibase"] == first_root.multibase
    assert "rootRotations" not in offered

    cert = await ceremony(db, settings)
    now = clock.now()
    await root_to_pin_is_the_offline_root(web, first_root)
    signer = await open_data_follows(web, cert, first_root, tmp_path, now)
    await ce_record_follows(web, cert, signer, tmp_path, now)
    # What the leftover root signed before the ceremony: a reader pinned to the offline root
    # refuses it (it knows no way from the offline root back to an older one).
    with pytest.raises(DetachedSignatureError) as leftover:
        verify_detached(before_body, before_sig, [OFFLINE.public_key], now=now)
    assert leftover.value.code == "BUNDLE_UNTRUSTED_KEY"
    with pytest.raises(rootchain.ChainError) as old_record:
        rootchain.credential_signer(before_record, (OFFLINE.public_key,), now=now)
    assert old_record.value.code == "BUNDLE_UNTRUSTED_KEY"


async def root_to_pin_is_the_offline_root(web: httpx.AsyncClient, first_root: PublicKey) -> None:
    """/root-key names the offline root the operator publishes, with the rotation that leads to
    it from the first one (a verifier pinned to that follows it); GraphQL's rootKey alike."""
    offered = (await web.get("/root-key")).json()
    assert offered["publicKeyMultibase"] == OFFLINE.public_key.multibase
    answer = await web.post("/graphql", json={"query": "{ rootKey }"})
    assert answer.json()["data"]["rootKey"] == OFFLINE.public_key.multibase  # the same rule
    assert rootchain.trusted_roots(offered, (first_root,)).keys() >= {
        OFFLINE.public_key.verification_method
    }


async def open_data_follows(
    web: httpx.AsyncClient,
    cert: rootchain.Certificate,
    first_root: PublicKey,
    tmp_path: Path,
    now: dt.datetime,
) -> rootchain.Signer:
    """The open data's signature: by the certified bundle key, for readers pinned to either root
    (docs/open-data.md's command and sync loop as written); refused for others or another file."""
    body, signature = await signed_file(web)
    signer = verify_detached(body, signature, [OFFLINE.public_key], now=now)
    assert signer.key == cert.bundle_key and signer.anchor == OFFLINE.public_key
    assert verify_detached(body, signature, [first_root], now=now).key == cert.bundle_key
    with pytest.raises(DetachedSignatureError) as other:
        verify_detached(body, signature, [STRANGER.public_key], now=now)
    assert other.value.code == "BUNDLE_CERT_UNTRUSTED_ROOT"
    with pytest.raises(DetachedSignatureError) as changed:
        verify_detached(body + b" ", signature, [OFFLINE.public_key], now=now)
    assert changed.value.code == "DETACHED_DIGEST"
    (tmp_path / "training.json").write_bytes(body)
    (tmp_path / "training.json.sig").write_text(json.dumps(signature), "utf-8")
    command = next(
        line.strip()
        for line in OPEN_DATA.splitlines()
        if line.strip().startswith("registry verify")
    )
    words = command.replace("z6Mk…", OFFLINE.public_key.multibase).split()[2:]
    code, out = cli(*[str(tmp_path / w) if w.startswith("training") else w for w in words])
    assert code == 0 and out["signer"]["key"] == cert.bundle_key.multibase, out
    loop = next(e for e in examples() if e.page == "open-data.md" and e.language == "python")
    namespace: dict[str, Any] = {}  # pinned to the root /root-key names: the offline one
    await asyncio.to_thread(
        exec, DEMO_ADDRESS.sub(str(web.base_url).rstrip("/"), loop.text), namespace
    )
    with httpx.Client(base_url=web.base_url, timeout=30) as client:
        assert await asyncio.to_thread(namespace["download"], client, "training.json") == body
    return signer


async def ce_record_follows(
    web: httpx.AsyncClient,
    cert: rootchain.Certificate,
    signer: rootchain.Signer,
    tmp_path: Path,
    now: dt.datetime,
) -> None:
    """A continuing-education record: signed by the same key with the certificate carried, no ID
    number in it, `registry verify --root-key` with the binding; refused for another root or
    when changed."""
    record = await ce_record(web)
    assert record["proof"]["verificationMethod"] == cert.bundle_key.verification_method
    assert record[rootchain.CERTIFICATE_MEMBER] == dict(cert.document)
    assert IDN not in json.dumps(record)
    assert rootchain.credential_signer(record, (OFFLINE.public_key,), now=now).key == signer.key
    path = tmp_path / "ce.json"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    root_only = ["--root-key", OFFLINE.public_key.multibase]
    code, out = cli(str(path), *root_only, "--card", IDN)
    assert code == 0 and out["holderBinding"]["status"] == "PASS", out
    code, out = cli(str(path), "--root-key", STRANGER.public_key.multibase)
    assert code == 1 and out["code"] == "BUNDLE_CERT_UNTRUSTED_ROOT"
    tampered = {**record, "validFrom": "2020-01-01T00:00:00Z"}
    path.write_text(json.dumps(tampered, ensure_ascii=False), "utf-8")
    code, out = cli(str(path), *root_only)
    assert code == 1 and out["code"] == "REGISTRY_PROOF"


async def test_the_leftover_root_key_is_destroyed_when_the_certificate_is_installed(
    web: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """Runs after the ceremony above: the keystore root's secret is gone, audited, and its public
    key stays: `/root-key` names the offline root with the rotation from it, which verifiers
    pinned to it follow."""
    doc = await db[Collection.SIGNING_KEYS].find_one({"_id": keystore.ROOT_ID})
    assert doc is not None and "sealed_seed" not in doc and doc["destroyed_at"]
    entries = await audit.entries_for(db, "registry:root_key")
    assert "signing_key.destroy_root" in [e.action for e in entries]
    with pytest.raises(RootKeyDestroyed) as refused:
        await keystore.root_key(db, settings.master_key())
    assert refused.value.code == "ROOT_KEY_OFFLINE"
    offered = (await web.get("/root-key")).json()
    assert offered["publicKeyMultibase"] == OFFLINE.public_key.multibase
    [rotation] = offered["rootRotations"]
    assert (rotation["oldRoot"], rotation["newRoot"]) == (
        doc["public_key"],
        OFFLINE.public_key.multibase,
    )


async def test_an_expired_certificate_signs_nothing_and_every_route_says_so(
    web: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs after the ceremony: 40 days on, the 30-day certificate has run out."""
    status = f"/status/{(await status_lists.list_ids(db))[0]}"
    assert (await web.get(status)).status_code == 200
    later = clock.now() + 40 * DAY
    monkeypatch.setattr(clock, "now", lambda: later)
    for path in ("/bundle.json", SIG + ".sig", status):
        response = await web.get(path)
        assert response.status_code == 503, (path, response.text)
        error = response.json()["error"]
        assert error["code"] == "ROOT_CERTIFICATE_EXPIRED" and error["validUntil"], path
        assert response.headers["cache-control"] == "no-store"
    # The data itself is still served; only its signature is not.
    assert (await web.get(SIG)).status_code == 200
    body = await post(web, None, CREDENTIAL, i=IDN, n=NAME, y=END.year)
    assert body["errors"][0]["extensions"]["code"] == "ROOT_CERTIFICATE_EXPIRED"
    bundle = await post(web, None, "{ trustBundle }")
    assert bundle["errors"][0]["extensions"]["code"] == "ROOT_CERTIFICATE_EXPIRED"
