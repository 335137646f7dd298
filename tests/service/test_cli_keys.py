"""`registry keys` and `registry bundle` through click, against the real embedded database.

`run_with_db` calls `asyncio.run`, so each command runs in a worker thread while this test's
event loop waits."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import pytest_asyncio
from click.testing import CliRunner, Result

from credentials import PublicKey, load_bundle
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database, make_client
from registry.trust import keystore
from service.cli_keys import bundle_group, keys_group
from tests.factories import make_uscc

MASTER = hashlib.sha256(b"cli keys test master key").digest()
USCC = make_uscc(301)
MULTIKEY = re.compile(r"z6Mk[1-9A-HJ-NP-Za-km-z]+")


@click.group()
def cli() -> None:
    pass


cli.add_command(keys_group)
cli.add_command(bundle_group)


@dataclass
class Cli:
    db: Database
    env: dict[str, str]

    async def __call__(self, *args: str, master: bytes = MASTER) -> Result:
        env = {**self.env, "REGISTRY_MASTER_KEY": base64.b64encode(master).decode()}
        runner = CliRunner()
        return await asyncio.to_thread(runner.invoke, cli, list(args), env=env)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def registry_cli(
    mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cli]:
    client = make_client(mongodb_uri)
    name = f"t_cli_keys_{uuid.uuid4().hex[:8]}"
    db = client[name]
    await catalogue.seed_reference(db)
    await db.institutions.insert_one(
        {
            "_id": USCC,
            "name": "命令行测试评价中心",
            "kind": "EVALUATION",
            "province": "35",
            "listings": [
                {"start": "2025-01-01", "until": "2028-01-01", "scope": [], "ended": None}
            ],
            "revision": 1,
        }
    )
    env = {
        "REGISTRY_MONGODB_URI": mongodb_uri,
        "REGISTRY_DATABASE": name,
        "REGISTRY_DATA_DIR": str(tmp_path_factory.mktemp("cli_keys")),
        "REGISTRY_BASE_URL": "https://registry.example.cn",
    }
    try:
        yield Cli(db, env)
    finally:
        await client.drop_database(name)
        await client.close()


def clean(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


async def test_root_prints_the_root_public_key(registry_cli: Cli) -> None:
    result = await registry_cli("keys", "root")
    assert result.exit_code == 0, result.output
    assert MULTIKEY.fullmatch(result.stdout.strip())
    assert (
        result.stdout.strip() == (await keystore.root_public_key(registry_cli.db, MASTER)).multibase
    )


async def test_rotate_prints_the_new_key_and_list_shows_both(registry_cli: Cli) -> None:
    first = await registry_cli("keys", "rotate", "--institution", USCC.lower())
    assert first.exit_code == 0, first.output
    await asyncio.sleep(1.1)  # a key lives at least a second
    second = await registry_cli("keys", "rotate", "--institution", USCC)
    assert second.exit_code == 0, second.output
    new_key = second.stdout.strip()
    assert MULTIKEY.fullmatch(new_key) and new_key != first.stdout.strip()
    assert "valid from" in second.stderr
    records = (await keystore.institution_keys(registry_cli.db))[USCC]
    assert [r.public_key_multibase for r in records] == [first.stdout.strip(), new_key]

    listed = await registry_cli("keys", "list", "--institution", USCC)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.strip().splitlines()
    assert lines[0].split() == ["INSTITUTION", "PUBLIC", "KEY", "VALID", "FROM", "VALID", "UNTIL"]
    assert len(lines) == 3
    old_line, new_line = lines[1], lines[2]
    assert first.stdout.strip() in old_line and records[0].valid_until is not None
    assert records[0].valid_until.strftime("%Y-%m-%dT%H:%M:%SZ") in old_line
    assert new_key in new_line and new_line.endswith("current")
    other = await registry_cli("keys", "list", "--institution", make_uscc(302))
    assert other.stdout.strip() == "no keys"


async def test_rotate_errors_are_one_clean_line(registry_cli: Cli) -> None:
    unknown = await registry_cli("keys", "rotate", "--institution", make_uscc(399))
    assert unknown.exit_code == 1
    assert "no institution" in unknown.stderr
    clean(unknown)
    malformed = await registry_cli("keys", "rotate", "--institution", "ABC")
    assert malformed.exit_code == 2
    assert "18 characters" in malformed.stderr
    clean(malformed)


async def test_wrong_master_key_is_refused_without_revealing_it(registry_cli: Cli) -> None:
    await registry_cli("keys", "root")
    wrong = hashlib.sha256(b"wrong").digest()
    result = await registry_cli("keys", "root", master=wrong)
    assert result.exit_code == 1
    assert "cannot be decrypted" in result.stderr
    assert base64.b64encode(wrong).decode() not in result.output
    clean(result)


async def test_bundle_export_writes_a_bundle_the_root_key_verifies(
    registry_cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "bundle.json"
    result = await registry_cli("bundle", "export", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text("utf-8"))
    root = PublicKey.from_multibase((await registry_cli("keys", "root")).stdout.strip())
    bundle = load_bundle(document, [root])
    assert f"urn:uscc:{USCC}" in bundle.institutions
    match = re.fullmatch(r"bundle sequence (\d+) issued (\S+) -> (.+)", result.stdout.strip())
    assert match is not None
    assert int(match[1]) == bundle.sequence and match[2] == document["issued"]
    assert root.multibase in result.stderr  # the verify hint names the key to pin
    # Nothing changed: the same bundle again.
    again = await registry_cli("bundle", "export", str(out))
    assert json.loads(out.read_text("utf-8"))["sequence"] == bundle.sequence, again.output
