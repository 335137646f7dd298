"""Durable when acknowledged (issue 17, item 4): every write the registry makes asks for a
journaled, majority write concern, and the embedded server fsyncs each commit with the settings
the launcher wrote, whatever `secantusd.toml` lies in the working or home directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pymongo import monitoring

from registry.storage.collections import Collection
from registry.storage.db import Database, make_client
from registry.storage.embedded import CONFIG_FILE, EmbeddedServer
from registry.storage.transactions import in_transaction

WRITES = {"insert", "update", "delete", "findAndModify", "commitTransaction"}
JOURNALED_MAJORITY = {"w": "majority", "j": True}


class Commands(monitoring.CommandListener):
    """Every write command the driver sent, as sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in WRITES:
            self.sent.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_every_write_outside_a_transaction_and_every_commit_is_journaled_majority(
    mongodb_uri: str, db: Database
) -> None:
    commands = Commands()
    client = make_client(mongodb_uri, event_listeners=[commands])
    try:
        mine = client[db.name]
        await mine[Collection.COUNTERS].insert_one({"_id": "durable-1", "value": 1})
        await mine[Collection.COUNTERS].update_one({"_id": "durable-1"}, {"$inc": {"value": 1}})
        await mine[Collection.COUNTERS].find_one_and_update(
            {"_id": "durable-1"}, {"$inc": {"value": 1}}
        )

        async def work(session: Any) -> None:
            await mine[Collection.COUNTERS].insert_one({"_id": "durable-2"}, session=session)
            await mine[Collection.COUNTERS].delete_one({"_id": "durable-1"}, session=session)

        await in_transaction(mine, work)
    finally:
        await client.close()
    names = [name for name, _ in commands.sent]
    assert names == ["insert", "update", "findAndModify", "insert", "delete", "commitTransaction"]
    for name, command in commands.sent:
        if command.get("autocommit") is False and name != "commitTransaction":
            # A statement inside a transaction takes the transaction's concern, set at commit
            # (the server refuses one on the statement).
            assert "writeConcern" not in command
        else:
            assert command["writeConcern"] == JOURNALED_MAJORITY, command


# Each would break the registry were it read: a standalone topology has neither transactions
# nor change streams, no fsync on commit loses acknowledged writes, and an unknown key stops
# the server from starting at all.
STRAY = """
[server]
standalone = true
auth = false
[storage]
sync_on_commit = false
cache_size = "1M"
"""
BROKEN = "[server]\nno_such_setting = 1\n"


@pytest.mark.parametrize("where", ["working directory", "home directory"])
@pytest.mark.parametrize("text", [STRAY, BROKEN], ids=["settings", "unparsable"])
async def test_a_stray_secantusd_toml_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, text: str
) -> None:
    home = tmp_path / "home"
    (home / ".secantus").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    planted = (
        work / "secantusd.toml"
        if where == "working directory"
        else (home / ".secantus" / "secantusd.toml")
    )
    planted.write_text(text)
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    server = EmbeddedServer(tmp_path / "var")
    await server.start()
    client = make_client(server.uri)
    try:
        hello = await client.admin.command("hello")
        assert hello.get("setName") == "secantus"  # a replica set: transactions work
        database: Database = client["durable"]

        async def work_(session: Any) -> None:
            await database[Collection.COUNTERS].insert_one({"_id": "t"}, session=session)

        await in_transaction(database, work_)
        assert await database[Collection.COUNTERS].count_documents({}) == 1
        assert server.pid is not None
        _assert_launched_with_own_config(server.pid, server.data_dir / CONFIG_FILE)
    finally:
        await client.close()
        await server.stop()


def _assert_launched_with_own_config(pid: int, written: Path) -> None:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert argv[argv.index(b"--config") + 1] == os.fsencode(written)
    assert b"--sync-on-commit" in argv
    assert "sync_on_commit = true" in written.read_text()


async def test_the_fsync_at_commit_is_off_only_when_asked(tmp_path: Path) -> None:
    """The benchmarks measure what `--sync-on-commit` costs (issue 17 item 4) on a server
    started without it; a server started as the registry starts it always has it."""
    server = EmbeddedServer(tmp_path / "var", sync_on_commit=False)
    await server.start()
    try:
        assert server.pid is not None
        _assert_launched_without_sync(server.pid, server.data_dir / CONFIG_FILE)
    finally:
        await server.stop()
    assert EmbeddedServer(tmp_path / "other").sync_on_commit is True


def _assert_launched_without_sync(pid: int, written: Path) -> None:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert b"--sync-on-commit" not in argv
    assert "sync_on_commit = false" in written.read_text()
