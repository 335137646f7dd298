"""`registry log checkpoint|verify|monitor`, `registry keys compromise` and `registry audit verify
--checkpoint` through click, against the real embedded database (commands run in a worker
thread: `run_with_db` calls `asyncio.run`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import pytest_asyncio
from click.testing import CliRunner, Result

from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database, make_client
from registry.trust import audit, keystore
from service.cli_admin import audit_group
from service.cli_keys import keys_group
from service.cli_log import log_group
from tests.factories import MASTER_KEY_B64, listed_institution, make_uscc, published_batch

USCC = make_uscc(617)


@click.group()
def cli() -> None:
    pass


for group in (log_group, keys_group, audit_group):
    cli.add_command(group)


@dataclass
class Cli:
    db: Database
    env: dict[str, str]
    settings: Settings

    async def __call__(self, *args: str) -> Result:
        runner = CliRunner()
        return await asyncio.to_thread(runner.invoke, cli, list(args), env=self.env)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def registry_cli(
    mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cli]:
    client = make_client(mongodb_uri)
    name = f"t_cli_log_{uuid.uuid4().hex[:8]}"
    db = client[name]
    env = {
        "REGISTRY_MONGODB_URI": mongodb_uri,
        "REGISTRY_DATABASE": name,
        "REGISTRY_DATA_DIR": str(tmp_path_factory.mktemp("cli_log")),
        "REGISTRY_BASE_URL": "https://registry.example.cn",
        "REGISTRY_MASTER_KEY": MASTER_KEY_B64,
    }
    settings = Settings.from_env(env)
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    await published_batch(db, settings, USCC, "cli-log-1", 3)
    try:
        yield Cli(db, env, settings)
    finally:
        await client.drop_database(name)
        await client.close()


async def test_log_verify_says_ok_and_exits_1_naming_a_problem(registry_cli: Cli) -> None:
    result = await registry_cli("log", "verify")
    assert result.exit_code == 0, result.output
    assert "log OK" in result.stdout and "3 certificates logged" in result.stdout
    db = registry_cli.db
    doc = await db[Collection.CERTIFICATES].find_one({})
    assert doc is not None
    await db[Collection.CERTIFICATES].update_one(
        {"_id": doc["_id"]}, {"$set": {"credential.validFrom": "2020-01-01T00:00:00Z"}}
    )
    try:
        result = await registry_cli("log", "verify")
        assert result.exit_code == 1
        assert f"certificate {doc['_id']} differs from its log entry" in result.stderr
    finally:
        await db[Collection.CERTIFICATES].replace_one({"_id": doc["_id"]}, doc)


async def test_monitor_lists_the_institutions_entries_since_a_saved_checkpoint(
    registry_cli: Cli, tmp_path: Path
) -> None:
    saved = tmp_path / "seen.checkpoint"
    first = await registry_cli("log", "monitor", "--institution", USCC, "--save", str(saved))
    assert first.exit_code == 0, first.output
    assert first.stdout.count("certificate.published") == 3
    await published_batch(registry_cli.db, registry_cli.settings, USCC, "cli-log-2", 2)
    second = await registry_cli(
        "log", "monitor", "--institution", USCC, "--since", str(saved), "--json"
    )
    assert second.exit_code == 0, second.output
    lines = [json.loads(line) for line in second.stdout.splitlines()]
    assert [r["kind"] for r in lines] == ["certificate.published"] * 2
    assert all(r["issuer"] == f"urn:uscc:{USCC}" for r in lines)
    other = await registry_cli("log", "monitor", "--institution", make_uscc(618))
    assert other.exit_code == 0 and other.stdout == ""


async def test_audit_verify_against_a_checkpoint_detects_a_cut_chain(
    registry_cli: Cli, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.txt"
    result = await registry_cli("log", "checkpoint")
    assert result.exit_code == 0, result.output
    checkpoint.write_text(result.stdout, encoding="utf-8")
    ok = await registry_cli("audit", "verify", "--checkpoint", str(checkpoint))
    assert ok.exit_code == 0, ok.output
    db = registry_cli.db
    head = await db[Collection.AUDIT_HEAD].find_one({"_id": audit.HEAD_ID})
    assert head is not None
    last = await db[Collection.AUDIT_LOG].find_one({"seq": head["seq"]})
    before = await db[Collection.AUDIT_LOG].find_one({"seq": head["seq"] - 1})
    assert last is not None and before is not None
    await db[Collection.AUDIT_LOG].delete_one({"seq": head["seq"]})
    await db[Collection.AUDIT_HEAD].update_one(
        {"_id": audit.HEAD_ID}, {"$set": {"seq": before["seq"], "hash": before["hash"]}}
    )
    try:
        alone = await registry_cli("audit", "verify")
        assert alone.exit_code == 0  # what the chain alone cannot see
        against = await registry_cli("audit", "verify", "--checkpoint", str(checkpoint))
        assert against.exit_code == 1
        assert "pinned by the checkpoint, is gone" in against.stderr
    finally:
        await db[Collection.AUDIT_LOG].insert_one(last)
        await db[Collection.AUDIT_HEAD].replace_one({"_id": audit.HEAD_ID}, head)


async def test_keys_compromise_marks_the_key_and_is_logged(registry_cli: Cli) -> None:
    db = registry_cli.db
    key = (await keystore.institution_keys(db))[USCC][0]
    since = "2025-06-01T00:00:00Z"
    args = ("keys", "compromise", "--institution", USCC, "--key", key.public_key_multibase)
    result = await registry_cli(*args, "--from", since)
    assert result.exit_code == 0, result.output
    marked = (await keystore.institution_keys(db))[USCC][0]
    assert marked.compromised_at == dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    assert marked.log_size_at_compromise == 0  # no checkpoint was signed before that instant
    assert not marked.current and marked.log_size_at_retirement is not None
    again = await registry_cli(*args, "--from", since)  # a retry changes nothing
    assert again.exit_code == 0
    entries = await audit.entries_for(db, f"institution:{USCC}")
    assert [e.action for e in entries].count("signing_key.compromise") == 1
    later = await registry_cli(*args, "--from", "2025-07-01T00:00:00Z")
    assert later.exit_code == 1 and "already marked compromised" in later.output
    for bad in ("yesterday", "2025-06-01T00:00:00"):
        refused = await registry_cli(*args, "--from", bad)
        assert refused.exit_code == 2 and "--from" in refused.output
    unknown = await registry_cli(*args[:-2], "--key", "z6MkNotAKey", "--from", since)
    assert unknown.exit_code == 1 and "has no key" in unknown.output
    monitor = await registry_cli("log", "monitor", "--institution", USCC)
    assert "key.compromised" in monitor.stdout and "compromisedAt=2025-06-01T00:00:00.000Z" in (
        monitor.stdout
    )


async def test_backfill_logs_certificates_from_before_the_log_once(registry_cli: Cli) -> None:
    db = registry_cli.db
    # A certificate published before the registry had a log: in the database, not in the log.
    old = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", -1)])
    assert old is not None
    old["_id"] = old["_id"][:-4] + "0001"
    del old["log_index"]  # published before the log: no leaf, so no index of one
    subject = old["credential"]["credentialSubject"]
    subject = {**subject, "certificate": {**subject["certificate"], "number": old["_id"]}}
    old["credential"] = {
        **old["credential"],
        "id": "urn:dte:certificate:" + old["_id"],
        "credentialSubject": subject,
    }
    await db[Collection.CERTIFICATES].insert_one(old)
    before = await registry_cli("log", "verify")
    assert before.exit_code == 1
    assert f"certificate {old['_id']} is not in the log" in before.stderr
    done = await registry_cli("log", "backfill")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "1 certificates logged"
    assert (await registry_cli("log", "verify")).exit_code == 0
    again = await registry_cli("log", "backfill")
    assert again.stdout.strip() == "0 certificates logged"
