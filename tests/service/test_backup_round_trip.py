"""Backup and restore, end to end (issue 17, item 2), through the installed `registry` command and
real `registry serve` processes.

The source registry runs on an external database (`REGISTRY_MONGODB_URI`: the test run's own
server); its backup is taken with the command of docs/operations.md while it publishes a batch;
the rehearsal commands of that page then restore it into a new data directory with the embedded
database and check the audit chain, the log and the counters; a service started there answers
the same look-ups, keeps the trust bundle's sequence going forward, verifies a credential issued
before the backup and one it issues itself."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from registry.settings import Settings
from registry.storage.db import Database
from registry.trust import keystore
from tests.client import gql
from tests.factories import (
    MASTER_KEY,
    MASTER_KEY_B64,
    certificates_of_a_new_institution,
    make_uscc,
    passing_results,
    workflow_tokens,
)
from tests.service.served import REGISTRY, Served, clean_env
from tests.service.test_many_processes import EXAM, STEP, SUBMIT

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
USCC = make_uscc(1730)
NAMES = ["赵一", "钱二"]
LOOKUP = """query ($n: String!, $name: String!) { certificate(number: $n, holderName: $name) {
  status credential } }"""
# The inclusion proof in the file follows the log's latest checkpoint: asked for apart.
FILE = """query ($n: String!, $name: String!) { certificate(number: $n, holderName: $name) {
  status credentialFile } }"""
PUBLIC = """{ statistics { candidates passes trainees }
  institutions(first: 100) { nodes { uscc name status } } }"""


def section_blocks() -> list[str]:
    """The shell blocks of docs/operations.md's "Backup and restore", in order."""
    text = DOC.read_text("utf-8").split("## Backup and restore", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def run(script: str, cwd: Path, env: dict[str, str]) -> str:
    """`script` in bash (stop at the first failure), in `cwd`, with the installed `registry`."""
    path = f"{Path(REGISTRY).parent}:{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env={**env, "PATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@dataclass
class Trip:
    before: dict[str, Any]  # look-ups answered by the source before the backup
    final: dict[str, Any]  # and once the batch published during the backup is in
    after: dict[str, Any]  # the same look-ups answered by the restored registry
    during: dict[str, Any]  # the batch published during the backup, looked up after restore
    rehearsal: str  # what the page's rehearsal commands printed
    backup_sequence: int  # the last bundle sequence in the backup
    restored: str  # the restored service's address
    folder: Path
    env: dict[str, str]  # the restored registry's environment
    tokens: dict[str, str]
    people: list[tuple[str, str, str]]
    root: str


async def _gql(url: str, token: str | None, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        return await gql(http, token, query, **variables)


async def _look_ups(url: str, people: list[tuple[str, str, str]]) -> dict[str, Any]:
    found = {n: await _gql(url, None, LOOKUP, n=n, name=name) for n, name, _ in people}
    return {"certificates": found, "public": await _gql(url, None, PUBLIC)}


async def _publish(url: str, t: dict[str, str], key: str, seed: int) -> list[str]:
    """A batch through the four steps of the workflow; its certificate numbers."""
    batch = {"idempotencyKey": key, "examDate": EXAM, "results": passing_results(seed, 4)}
    done = (await _gql(url, t["inst"], SUBMIT, input=batch))["submitAssessmentBatch"]
    bid = done["batch"]["id"]
    for token, step in [
        (t["prov"], "approveBatchProvince"),
        (t["cettic"], "checkBatchCettic"),
        (t["office"], "publishBatch"),
    ]:
        assert (await _gql(url, token, STEP % step, id=bid))[step]["userErrors"] == []
    return [r["certificateNumber"] for r in done["batch"]["results"]]


async def _sequence(url: str) -> int:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return int((await http.get("/bundle.json")).json()["sequence"])


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def trip(
    db: Database, settings: Settings, mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Trip]:
    folder: Path = tmp_path_factory.mktemp("backup-trip")
    people = await certificates_of_a_new_institution(db, settings, 1730, NAMES)
    t = await workflow_tokens(db, USCC)
    root = (await keystore.root_public_key(db, MASTER_KEY)).multibase
    common = clean_env(
        REGISTRY_DATABASE=db.name,
        REGISTRY_MASTER_KEY=MASTER_KEY_B64,
        # The log's origin: the same registry at the same address before and after.
        REGISTRY_BASE_URL=settings.base_url,
        REGISTRY_PERSONAL_LOOKUPS="100000",
    )
    source_env = {**common, "REGISTRY_MONGODB_URI": mongodb_uri}
    backup_block, rehearsal_block = section_blocks()
    source = Served(folder, {**source_env, "REGISTRY_DATA_DIR": str(folder / "source")})
    restored: Served | None = None
    try:
        source.wait_ready()
        before = await _look_ups(source.url, people)
        assert await _sequence(source.url) >= 1  # a bundle made before the backup
        # The backup runs while the source publishes: both finish, the backup is one moment.
        _, during = await asyncio.gather(
            asyncio.to_thread(run, backup_block, folder, source_env),
            _publish(source.url, t, "trip-during", 11),
        )
        final = await _look_ups(source.url, people)
        source.stop()
        rehearsal = run(rehearsal_block, folder, source_env)
        with_embedded = {**common, "REGISTRY_DATA_DIR": str(folder / "rehearsal")}
        restored = Served(folder, with_embedded).wait_ready()
        after = await _look_ups(restored.url, people)
        during_found = await _found(restored.url, during, passing_results(11, 4))
        sequence = _last_sequence(folder / "registry.backup")
        yield Trip(
            before,
            final,
            after,
            during_found,
            rehearsal,
            sequence,
            restored.url,
            folder,
            with_embedded,
            t,
            people,
            root,
        )
    finally:
        source.kill()
        if restored is not None:
            restored.kill()


async def _found(url: str, numbers: list[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        found = {}
        for number, row in zip(numbers, rows, strict=True):
            answer = await http.post(
                "/graphql",
                json={"query": LOOKUP, "variables": {"n": number, "name": row["name"]}},
            )
            found[number] = answer.json()
        return found


def _last_sequence(backup: Path) -> int:
    import tarfile

    from bson import decode_all

    with tarfile.open(backup, "r:gz") as tar:
        member = tar.extractfile("collections/trust_bundles.bson")
        assert member is not None
        return max(int(doc["_id"]) for doc in decode_all(member.read()))


def test_the_restored_registry_answers_the_same_look_ups(trip: Trip) -> None:
    assert trip.after["certificates"] == trip.before["certificates"]
    # The batch published during the backup is wholly in it or wholly not: one point in time.
    assert trip.after["public"] in (trip.before["public"], trip.final["public"])
    found = [bool((a.get("data") or {}).get("certificate")) for a in trip.during.values()]
    assert len(set(found)) == 1
    assert (trip.after["public"] == trip.final["public"]) == found[0]
    statuses = [c["certificate"]["status"] for c in trip.before["certificates"].values()]
    assert statuses == ["VALID"] * len(NAMES)


def test_the_rehearsal_checks_pass(trip: Trip) -> None:
    assert "audit chain OK" in trip.rehearsal
    assert "log OK" in trip.rehearsal
    assert "statistics counters OK" in trip.rehearsal


def _verify(trip: Trip, credential_file: dict[str, Any], bundle: dict[str, Any]) -> str:
    name = f"c-{len(list(trip.folder.glob('c-*.json')))}"
    (trip.folder / f"{name}.json").write_text(json.dumps(credential_file), encoding="utf-8")
    (trip.folder / f"{name}-bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
    return run(
        f"registry verify {name}.json --bundle {name}-bundle.json --root-key {trip.root}",
        trip.folder,
        trip.env,
    )


async def test_the_bundle_goes_on_and_old_and_new_credentials_verify(trip: Trip) -> None:
    first = await _sequence(trip.restored)
    assert first >= trip.backup_sequence
    # A key event after the restore: the next bundle follows the backup's last one.
    run(f"registry keys rotate --institution {USCC}", trip.folder, trip.env)
    numbers = await _publish(trip.restored, trip.tokens, "trip-after", 12)
    assert await _sequence(trip.restored) > first
    async with httpx.AsyncClient(base_url=trip.restored, timeout=60) as http:
        bundle = (await http.get("/bundle.json")).json()
    number, name, _ = trip.people[0]
    old = (await _gql(trip.restored, None, FILE, n=number, name=name))["certificate"]
    assert "VALID" in _verify(trip, old["credentialFile"], bundle)
    holder = passing_results(12, 4)[0]["name"]
    new = (await _gql(trip.restored, None, FILE, n=numbers[0], name=holder))["certificate"]
    assert new["status"] and "VALID" in _verify(trip, new["credentialFile"], bundle)
    checks = run("registry audit verify && registry log verify", trip.folder, trip.env)
    assert "audit chain OK" in checks and "log OK" in checks
