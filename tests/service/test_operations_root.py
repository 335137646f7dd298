"""docs/operations.md, "The offline root key": every command of the section runs as written, in
order, through the installed `registry` command in a shell; the offline ones with a database
address nothing listens on and no master key, the server ones against the real embedded database.
The bundle at the end loads pinned to the first root only, and to the last."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from credentials import PublicKey, load_bundle
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database, make_client
from registry.trust import keystore

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
MASTER = hashlib.sha256(b"operations root test master key").digest()
BIN = Path(sys.executable).parent


def section_commands() -> list[str]:
    text = DOC.read_text("utf-8").split("## The offline root key", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def offline(command: str) -> bool:
    return "--root-key-file" in command or " root generate " in command


@pytest_asyncio.fixture(loop_scope="session")
async def database(mongodb_uri: str) -> AsyncIterator[tuple[Database, str]]:
    client = make_client(mongodb_uri)
    name = f"t_ops_root_{uuid.uuid4().hex[:8]}"
    await catalogue.seed_reference(client[name])
    try:
        yield client[name], name
    finally:
        await client.drop_database(name)
        await client.close()


def run(command: str, cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr


async def test_every_command_of_the_ceremony_runs_as_written(
    database: tuple[Database, str], mongodb_uri: str, tmp_path: Path
) -> None:
    db, name = database
    first = await keystore.root_public_key(db, MASTER)
    base = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path)}
    server = {
        **base,
        "REGISTRY_MONGODB_URI": mongodb_uri,
        "REGISTRY_DATABASE": name,
        "REGISTRY_DATA_DIR": str(tmp_path / "server-data"),
        "REGISTRY_BASE_URL": "https://registry.example.cn",
        "REGISTRY_MASTER_KEY": base64.b64encode(MASTER).decode(),
    }
    lonely = {
        **base,
        "REGISTRY_MONGODB_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200",
        "REGISTRY_DATA_DIR": str(tmp_path / "offline-data"),
    }
    commands = section_commands()
    assert len(commands) == 14 and sum(map(offline, commands)) == 7
    for command in commands:
        run(command, tmp_path, lonely if offline(command) else server)
    assert not (tmp_path / "offline-data").exists()
    roots = [first] + [
        PublicKey.from_multibase((tmp_path / name).read_text().strip())
        for name in ("root.pub", "root-2.pub")
    ]
    document = json.loads((tmp_path / "bundle.json").read_text("utf-8"))
    for pinned in roots[:2]:  # before the second rotation: certified by root.pub
        assert load_bundle(document, [pinned]).signer.certificate is not None
    document = json.loads((tmp_path / "bundle-2.json").read_text("utf-8"))
    for pinned in roots:  # after it: certified by root-2.pub, followed from every earlier root
        loaded = load_bundle(document, [pinned])
        assert loaded.signer.certificate is not None
        assert loaded.signer.certificate.root_key == roots[2]
