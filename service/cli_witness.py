"""Witness commands: `registry log witness-key`, `registry log witness` (run by a third party,
against the public endpoints only) and `registry log witnesses add|list` (the office registers
a witness's key so that the service keeps its cosignatures and the bundle lists it)."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import os
from pathlib import Path

import click
import httpx

from credentials import SigningKey
from credentials.transparency import (
    COSIGNATURE_V1,
    NoteKey,
    NoteSigner,
    TransparencyError,
    parse_vkey,
)
from registry.access.auth import SYSTEM
from registry.errors import RegistryError
from registry.storage.db import Database
from registry.transparency import witnesses
from service.cli_keys import write_atomically
from service.runner import run_with_db
from service.witness import witness_round


def _signer(name: str, key_file: Path) -> NoteSigner:
    try:
        seed = base64.b64decode(key_file.read_text(encoding="ascii").strip(), validate=True)
        return NoteSigner(name, SigningKey.from_seed(seed), COSIGNATURE_V1)
    except (ValueError, RegistryError, TransparencyError) as error:
        raise click.ClickException(f"{key_file} is not a witness key file: {error}") from None


@click.command("witness-key")
@click.option("--name", required=True, help="The witness's key name, e.g. witness.hrss.fj.gov.cn.")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
def witness_key(name: str, key_file: Path) -> None:
    """Make a witness key (Ed25519, cosignature/v1) in KEY_FILE (0600) and print its vkey."""
    if key_file.exists():
        raise click.ClickException(f"{key_file} exists; a witness keeps its key")
    key = SigningKey.generate()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(base64.b64encode(key.seed).decode() + "\n")
    click.echo(_signer(name, key_file).key.vkey)


@click.command("witness")
@click.option("--log", "url", required=True, help="The registry's base URL.")
@click.option("--log-key", required=True, help="The log's vkey (as the trust bundle lists it).")
@click.option("--name", required=True, help="The witness key's name.")
@click.option("--key-file", required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--state",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The last checkpoint this witness co-signed (kept between runs).",
)
def witness(url: str, log_key: str, name: str, key_file: Path, state: Path) -> None:
    """Check the log's latest checkpoint is consistent with the last one seen, co-sign it and
    give the cosignature to the registry. Exit 1 (nothing signed) when it is not."""
    try:
        log = parse_vkey(log_key)
    except TransparencyError as error:
        raise click.BadParameter(error.message, param_hint="--log-key") from None
    signer = _signer(name, key_file)
    now = dt.datetime.now(dt.UTC)
    seen = state.read_text(encoding="utf-8") if state.exists() else None
    try:
        done = asyncio.run(witness_round(url, log, signer, seen, now=now))
    except TransparencyError as error:
        raise click.ClickException(f"not co-signed: {error.code}: {error.message}") from None
    except httpx.HTTPError as error:
        raise click.ClickException(f"not co-signed: {type(error).__name__}: {error}") from None
    write_atomically(state, done.note)  # only after the registry took the cosignature
    since = f"consistent with {done.previous}" if done.previous is not None else "first seen"
    click.echo(f"co-signed tree size {done.checkpoint.size} ({since})")


@click.group("witnesses")
def witnesses_group() -> None:
    """The witnesses whose cosignatures the registry keeps and its bundle lists."""


@witnesses_group.command("add")
@click.argument("vkey")
def witnesses_add(vkey: str) -> None:
    """Register a witness's cosigner key (its vkey, type 0x04)."""

    async def work(db: Database) -> NoteKey:
        return await witnesses.add(db, vkey, by=SYSTEM)

    click.echo(f"witness {run_with_db(work).name} registered")


@witnesses_group.command("list")
def witnesses_list() -> None:
    """Every registered witness key."""
    for key in run_with_db(witnesses.keys):
        click.echo(key.vkey)


COMMANDS = (witness_key, witness, witnesses_group)
