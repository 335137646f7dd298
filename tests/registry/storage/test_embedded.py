"""The embedded database is not an open door (issue 14, item 17): its loopback port refuses a
client without the credentials generated into the data directory, and the data directory is the
service user's alone (directories 0700, files 0600)."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from registry.errors import DatabaseUnavailable
from registry.storage.embedded import EmbeddedServer

UNAUTHORIZED = 13
AUTHENTICATION_FAILED = 18


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedServer]:
    data_dir = tmp_path_factory.mktemp("open-door") / "var"
    # As an older version (or a loose umask) left it: readable by everyone.
    (data_dir / "demo").mkdir(parents=True, mode=0o755)
    (data_dir / "demo" / "tokens.json").write_text("{}")
    (data_dir / "demo" / "tokens.json").chmod(0o644)
    data_dir.chmod(0o755)
    # A link to something outside: tightening the directory must not reach through it.
    outside = data_dir.parent / "shared.txt"
    outside.write_text("not the registry's")
    outside.chmod(0o644)
    (data_dir / "demo" / "shared-link").symlink_to(outside)
    started = EmbeddedServer(data_dir)
    await started.start()
    try:
        yield started
    finally:
        await started.stop()


def anonymous_uri(server: EmbeddedServer) -> str:
    return f"mongodb://127.0.0.1:{server.port}/?directConnection=true"


@pytest.mark.parametrize("database", ["dte_registry", "admin"])
async def test_a_client_without_credentials_is_refused(
    server: EmbeddedServer, database: str
) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(anonymous_uri(server))
    try:
        with pytest.raises(OperationFailure) as read:
            await client[database]["tokens"].find_one({})
        assert read.value.code == UNAUTHORIZED
        with pytest.raises(OperationFailure) as write:
            await client[database]["tokens"].insert_one({"role": "OFFICE_ADMIN"})
        assert write.value.code == UNAUTHORIZED
        with pytest.raises(OperationFailure):
            await client.admin.command("createUser", "intruder", pwd="x", roles=["root"])
    finally:
        await client.close()


async def test_a_wrong_password_is_refused_and_the_right_one_works(server: EmbeddedServer) -> None:
    wrong = server.uri.replace("@", "x@", 1)
    assert wrong != server.uri
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(wrong)
    try:
        with pytest.raises(OperationFailure) as caught:
            await client.dte_registry.tokens.find_one({})
        assert caught.value.code == AUTHENTICATION_FAILED
    finally:
        await client.close()
    right: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(server.uri)
    try:
        await right.dte_registry.probe.insert_one({"_id": 1})
        assert await right.dte_registry.probe.find_one({"_id": 1}) == {"_id": 1}
    finally:
        await right.close()


async def test_the_data_directory_is_the_owners_alone(server: EmbeddedServer) -> None:
    data_dir = server.data_dir
    assert (data_dir / "embedded.json").exists() and any((data_dir / "db").iterdir())
    folders = [data_dir, *(p for p in data_dir.rglob("*") if p.is_dir())]
    files = [p for p in data_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    assert {str(p): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}
    assert {str(p): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    names = {p.name for p in files}
    assert {"embedded.json", "db-credentials.json", "secantusd.log", "tokens.json"} <= names
    assert mode(data_dir.parent / "shared.txt") == 0o644  # not followed through the link


async def test_the_address_file_and_logs_hold_no_password(
    server: EmbeddedServer, caplog: pytest.LogCaptureFixture
) -> None:
    password = json.loads((server.data_dir / "db-credentials.json").read_text())["password"]
    assert len(password) >= 40
    assert password not in (server.data_dir / "embedded.json").read_text()
    assert password not in (server.data_dir / "secantusd.log").read_text()
    with caplog.at_level(logging.INFO):
        again = EmbeddedServer(server.data_dir.parent / "second")
        await again.start()
        await again.stop()
    assert caplog.records and all(password not in r.getMessage() for r in caplog.records)
    assert all("password" not in str(r.__dict__).lower() for r in caplog.records)


async def test_credentials_that_do_not_open_the_database_are_a_clear_error(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    first = EmbeddedServer(data_dir)
    await first.start()
    await first.stop()
    path = data_dir / "db-credentials.json"
    saved = json.loads(path.read_text())
    assert saved["provisioned"] is True
    path.write_text(json.dumps(saved | {"password": "not-the-one-in-the-database"}))
    with pytest.raises(DatabaseUnavailable, match="remove that file and start again"):
        await EmbeddedServer(data_dir).start()
    path.unlink()  # as the message says: a new password is generated and written in
    again = EmbeddedServer(data_dir)
    await again.start()
    try:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(again.uri)
        assert (await client.admin.command("ping"))["ok"] == 1
        await client.close()
    finally:
        await again.stop()
