"""`registry root` (issue 17, item 3): the offline ceremony through click, the server side against
the real embedded database, the offline side with a configuration whose database cannot be
reached (so a root key file provably never touches one)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import stat
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import pytest_asyncio
from click.testing import CliRunner, Result

from credentials import BundleError, PublicKey, SigningKey, load_bundle
from registry.catalogue import reference_data as catalogue
from registry.storage.collections import Collection
from registry.storage.db import Database, make_client
from service.cli_keys import bundle_group
from service.cli_root import root_group

MASTER = hashlib.sha256(b"cli root test master key").digest()
MULTIKEY = re.compile(r"z6Mk[1-9A-HJ-NP-Za-km-z]+")


@click.group()
def cli() -> None:
    pass


cli.add_command(root_group)
cli.add_command(bundle_group)


@dataclass
class Cli:
    db: Database
    env: dict[str, str]
    offline_env: dict[str, str]

    async def __call__(self, *args: str, offline: bool = False) -> Result:
        env = self.offline_env if offline else self.env
        runner = CliRunner()
        return await asyncio.to_thread(runner.invoke, cli, list(args), env=env)


@pytest_asyncio.fixture(loop_scope="session")
async def root_cli(
    mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cli]:
    client = make_client(mongodb_uri)
    name = f"t_cli_root_{uuid.uuid4().hex[:8]}"
    db = client[name]
    await catalogue.seed_reference(db)
    env = {
        "REGISTRY_MONGODB_URI": mongodb_uri,
        "REGISTRY_DATABASE": name,
        "REGISTRY_DATA_DIR": str(tmp_path_factory.mktemp("cli_root")),
        "REGISTRY_BASE_URL": "https://registry.example.cn",
        "REGISTRY_MASTER_KEY": base64.b64encode(MASTER).decode(),
    }
    # The offline machine: no master key, a database address nothing listens on, an empty data
    # directory. Any command that tried the database would fail or leave files behind.
    offline = {
        "REGISTRY_MONGODB_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200",
        "REGISTRY_DATA_DIR": str(tmp_path_factory.mktemp("offline_data")),
        "REGISTRY_MASTER_KEY": "",
    }
    try:
        yield Cli(db, env, offline)
    finally:
        await client.drop_database(name)
        await client.close()


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout.strip()


async def export(root_cli: Cli, folder: Path) -> dict:
    out = folder / f"bundle-{uuid.uuid4().hex[:6]}.json"
    ok(await root_cli("bundle", "export", str(out)))
    return json.loads(out.read_text("utf-8"))


async def test_the_offline_ceremony_round_trip(root_cli: Cli, tmp_path: Path) -> None:
    # The registry as it ran so far: its keystore root signs; verifiers pinned that key.
    old_root = PublicKey.from_multibase(ok(await root_cli("root", "export-public")))
    assert load_bundle(await export(root_cli, tmp_path), [old_root]).signer.certificate is None

    # Offline: a new root key file, never near the database.
    key_file = tmp_path / "root.key"
    offline_root = PublicKey.from_multibase(
        ok(await root_cli("root", "generate", "-o", str(key_file), offline=True))
    )
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert offline_root.multibase not in key_file.read_text()
    assert (
        ok(await root_cli("root", "export-public", "--root-key-file", str(key_file), offline=True))
        == offline_root.multibase
    )

    # Server: the keystore root names the offline root; the bundle key to certify.
    ok(await root_cli("root", "rotate", "--new-root", offline_root.multibase))
    bundle_key = ok(await root_cli("root", "bundle-key"))
    assert MULTIKEY.fullmatch(bundle_key)

    # Offline: certify it for 30 days.
    cert = tmp_path / "bundle-key.cert.json"
    ok(
        await root_cli(
            "root",
            "certify",
            "--root-key-file",
            str(key_file),
            "--bundle-key",
            bundle_key,
            "--valid-for",
            "30",
            "-o",
            str(cert),
            offline=True,
        )
    )
    offline_data = Path(root_cli.offline_env["REGISTRY_DATA_DIR"])
    assert not await asyncio.to_thread(lambda: any(offline_data.iterdir()))

    # Server: install it; bundles are now signed by the bundle key.
    ok(await root_cli("root", "install-certificate", str(cert)))
    document = await export(root_cli, tmp_path)
    assert document["proof"]["verificationMethod"].endswith(bundle_key)
    for pinned in (old_root, offline_root):
        loaded = load_bundle(document, [pinned])
        assert loaded.signer.key.multibase == bundle_key and loaded.root_key == pinned
    secrets = [
        d
        async for d in root_cli.db[Collection.SIGNING_KEYS].find(
            {"public_key": offline_root.multibase}
        )
    ]
    assert secrets == []  # the offline root's secret never reached the database
    # The keystore root's secret went with the installation: the server can no longer sign as
    # a root, not even a rotation (that is the offline root's to do now).
    refused = await root_cli("root", "rotate", "--new-root", offline_root.multibase)
    assert refused.exit_code != 0 and "destroyed" in refused.output
    # The root to pin is now the offline one, on the server too: it certified the key that signs.
    assert ok(await root_cli("root", "export-public")) == offline_root.multibase


async def test_an_offline_rotation_is_followed_from_the_first_root(
    root_cli: Cli, tmp_path: Path
) -> None:
    first = PublicKey.from_multibase(ok(await root_cli("root", "export-public")))
    files = [tmp_path / "a.key", tmp_path / "b.key"]
    a, b = [ok(await root_cli("root", "generate", "-o", str(f), offline=True)) for f in files]
    ok(await root_cli("root", "rotate", "--new-root", a))
    statement = tmp_path / "a-to-b.json"
    ok(
        await root_cli(
            "root",
            "rotate",
            "--root-key-file",
            str(files[0]),
            "--new-root",
            b,
            "-o",
            str(statement),
            offline=True,
        )
    )
    ok(await root_cli("root", "install-rotation", str(statement)))
    # Rotated to, not yet vouching for anything signed: the first root still signs itself.
    assert ok(await root_cli("root", "export-public")) == first.multibase
    bundle_key = ok(await root_cli("root", "bundle-key", "--new"))
    cert = tmp_path / "by-b.json"
    ok(
        await root_cli(
            "root",
            "certify",
            "--root-key-file",
            str(files[1]),
            "--bundle-key",
            bundle_key,
            "--valid-for",
            "7",
            "-o",
            str(cert),
            offline=True,
        )
    )
    ok(await root_cli("root", "install-certificate", str(cert)))
    assert ok(await root_cli("root", "export-public")) == b  # b certified the key that signs
    document = await export(root_cli, tmp_path)
    assert load_bundle(document, [first]).signer.key.multibase == bundle_key
    with pytest.raises(BundleError) as caught:
        load_bundle(document, [SigningKey.generate().public_key])
    assert caught.value.code == "BUNDLE_CERT_UNTRUSTED_ROOT"


async def test_the_server_refuses_a_certificate_of_another_root_or_key(
    root_cli: Cli, tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger.key"
    ok(await root_cli("root", "generate", "-o", str(stranger), offline=True))
    bundle_key = ok(await root_cli("root", "bundle-key"))
    foreign = tmp_path / "foreign.json"
    args = ("root", "certify", "--root-key-file", str(stranger), "--valid-for", "3")
    ok(await root_cli(*args, "--bundle-key", bundle_key, "-o", str(foreign), offline=True))
    refused = await root_cli("root", "install-certificate", str(foreign))
    assert refused.exit_code != 0 and "not by this registry's root" in refused.output
    # A certificate for another key than the service's current bundle key.
    public = ok(
        await root_cli("root", "export-public", "--root-key-file", str(stranger), offline=True)
    )
    ok(await root_cli("root", "rotate", "--new-root", public))
    other = tmp_path / "other-key.json"
    ok(await root_cli(*args, "--bundle-key", public, "-o", str(other), offline=True))
    refused = await root_cli("root", "install-certificate", str(other))
    assert refused.exit_code != 0 and "not for the current bundle key" in refused.output


async def test_an_existing_file_is_never_overwritten(root_cli: Cli, tmp_path: Path) -> None:
    key_file = tmp_path / "root.key"
    key_file.write_text("keep me")
    result = await root_cli("root", "generate", "-o", str(key_file), offline=True)
    assert result.exit_code != 0 and key_file.read_text() == "keep me"
