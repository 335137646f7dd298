"""`registry backup` and `registry restore` refuse what they must, as one line with its code, no
traceback, and nothing written: a non-empty data directory or database, a damaged or cut-short
file, the wrong master key, an existing OUT; every command refuses a half-restored database."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from click.testing import CliRunner, Result

from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database, make_client
from registry.trust import bundles
from service.cli import main
from tests.factories import MASTER_KEY, MASTER_KEY_B64, certificates_of_a_new_institution
from tests.service.served import Served, clean_env


@dataclass
class Setup:
    folder: Path
    backup: Path
    db: Database
    external: dict[str, str]  # the source database, through REGISTRY_MONGODB_URI


async def registry(env: dict[str, str], *args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), env=env)


def _refused(result: Result, code: str) -> None:
    assert result.exit_code == 1, result.output
    assert code in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def setup(
    db: Database, settings: Settings, mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Setup:
    await certificates_of_a_new_institution(db, settings, 1740, ["孙三"])
    await bundles.build_bundle(db, MASTER_KEY, settings.base_url)  # as a running registry has
    folder = tmp_path_factory.mktemp("cli-backup")
    external = {
        "REGISTRY_MONGODB_URI": mongodb_uri,
        "REGISTRY_DATABASE": db.name,
        "REGISTRY_MASTER_KEY": MASTER_KEY_B64,
        "REGISTRY_DATA_DIR": str(folder / "unused"),
    }
    result = await registry(external, "backup", str(folder / "source.backup"))
    assert result.exit_code == 0, result.output
    assert "the master key is not in it" in result.output
    return Setup(folder, folder / "source.backup", db, external)


def _embedded(setup: Setup, name: str, key: str = MASTER_KEY_B64) -> dict[str, str]:
    return {
        "REGISTRY_MONGODB_URI": "",
        "REGISTRY_MASTER_KEY": key,
        "REGISTRY_DATA_DIR": str(setup.folder / name),
    }


async def test_the_wrong_master_key_is_refused_and_no_directory_is_made(setup: Setup) -> None:
    other = base64.b64encode(bytes(range(32))).decode()
    result = await registry(_embedded(setup, "wrong-key", other), "restore", str(setup.backup))
    _refused(result, "BACKUP_WRONG_MASTER_KEY")
    assert not (setup.folder / "wrong-key").exists()


async def test_a_cut_short_file_is_refused_and_no_directory_is_made(setup: Setup) -> None:
    cut = setup.folder / "cut.backup"
    data = setup.backup.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    result = await registry(_embedded(setup, "cut"), "restore", str(cut))
    _refused(result, "BACKUP_CORRUPT")
    assert not (setup.folder / "cut").exists()


async def test_a_data_directory_that_is_not_empty_is_refused_and_left_alone(setup: Setup) -> None:
    folder = setup.folder / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = await registry(_embedded(setup, "busy"), "restore", str(setup.backup))
    _refused(result, "RESTORE_TARGET_NOT_EMPTY")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


async def test_an_external_database_that_is_not_empty_is_refused(setup: Setup) -> None:
    before = await setup.db[Collection.CERTIFICATES].count_documents({})
    result = await registry(setup.external, "restore", str(setup.backup))
    _refused(result, "RESTORE_TARGET_NOT_EMPTY")
    assert await setup.db[Collection.CERTIFICATES].count_documents({}) == before


async def test_an_existing_file_is_never_overwritten(setup: Setup) -> None:
    result = await registry(setup.external, "backup", str(setup.backup))
    _refused(result, "INVALID_INPUT")


@pytest_asyncio.fixture(loop_scope="session")
async def half_restored(mongodb_uri: str) -> AsyncIterator[str]:
    client = make_client(mongodb_uri)
    name = f"t_half_{uuid.uuid4().hex[:8]}"
    await client[name][Collection.RESTORE_MARKER].insert_one({"_id": "restore", "backup": "x"})
    try:
        yield name
    finally:
        await client.drop_database(name)
        await client.close()


async def test_every_command_refuses_a_half_restored_database(
    setup: Setup, half_restored: str
) -> None:
    env = setup.external | {"REGISTRY_DATABASE": half_restored}
    for command in (["audit", "verify"], ["stats", "check"], ["backup", "x.backup"]):
        result = await registry(env, *command)
        assert result.exit_code == 1, result.output
        assert "has not finished" in result.output and "Traceback" not in result.output


async def test_a_bundle_not_of_this_registry_is_refused_and_no_directory_is_made(
    setup: Setup,
) -> None:
    forged = setup.folder / "forged-bundle.json"
    forged.write_text(json.dumps({"sequence": 10**6}), encoding="utf-8")
    env = _embedded(setup, "forged")
    result = await registry(env, "restore", str(setup.backup), "--after-bundle", str(forged))
    _refused(result, "RESTORE_BUNDLE_UNTRUSTED")
    assert not (setup.folder / "forged").exists()


async def test_the_restored_registry_issues_its_next_bundle_after_the_one_seen(
    setup: Setup, settings: Settings
) -> None:
    seen = await bundles.build_bundle(setup.db, MASTER_KEY, settings.base_url)
    path = setup.folder / "seen-bundle.json"
    path.write_text(json.dumps(seen), encoding="utf-8")
    env = _embedded(setup, "after-bundle") | {"REGISTRY_BASE_URL": settings.base_url}
    result = await registry(env, "restore", str(setup.backup), "--after-bundle", str(path))
    assert result.exit_code == 0, result.output
    assert f"issued trust bundle {seen['sequence'] + 1} (after {seen['sequence']})" in (
        result.output
    )


async def test_serve_refuses_a_half_restored_database(setup: Setup, half_restored: str) -> None:
    env = clean_env(**(setup.external | {"REGISTRY_DATABASE": half_restored}))
    served = Served(setup.folder, env)
    try:
        code = await asyncio.to_thread(served.process.wait, 60)
    finally:
        served.kill()
    log = served.log.read_text()
    assert code != 0 and "has not finished" in log, log
    # One line with its code, not Starlette's traceback (service/startup.py).
    assert "the registry cannot start (RESTORE_INCOMPLETE)" in log and "Traceback" not in log, log
