"""Key and trust bundle commands: `registry keys rotate|list|root` and `registry bundle export`.

They act as `SYSTEM` (whoever can run them holds the database and the master key already).
Secrets never reach the terminal: only public keys are printed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from registry.access.auth import SYSTEM
from registry.errors import RegistryError
from registry.intake.identifiers import normalise_uscc
from registry.storage.db import Database
from registry.trust import bundles as trust
from registry.trust import keystore
from service.runner import master_key_or_exit, run_with_db, settings_or_exit


def _uscc(value: str) -> str:
    try:
        return normalise_uscc(value)
    except RegistryError as error:
        raise click.BadParameter(error.message, param_hint="--institution") from None


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "-"


@click.group("keys")
def keys_group() -> None:
    """Signing keys: institutions' keys (rotatable) and the registry root key."""


@keys_group.command("rotate")
@click.option("--institution", required=True, help="Unified social credit code.")
def keys_rotate(institution: str) -> None:
    """Retire the institution's current key and make a new one current, from now."""
    uscc = _uscc(institution)
    master_key = master_key_or_exit()

    async def work(db: Database) -> keystore.KeyRecord:
        return await keystore.rotate_institution_key(db, master_key, uscc, by=SYSTEM)

    record = run_with_db(work)
    click.echo(f"new key of {uscc}, valid from {_when(record.valid_from)}", err=True)
    click.echo(
        "the previous key is retired from that instant and stays in the trust bundle; "
        "export a new bundle for verifiers",
        err=True,
    )
    click.echo(record.public_key_multibase)


@keys_group.command("list")
@click.option("--institution", default=None, help="Only this unified social credit code.")
def keys_list(institution: str | None) -> None:
    """Every institution key with its validity window (retired keys included)."""
    only = _uscc(institution) if institution is not None else None
    found = run_with_db(keystore.institution_keys)
    rows = [
        (
            uscc,
            k.public_key_multibase,
            _when(k.valid_from),
            _when(k.valid_until) if k.valid_until else "current",
        )
        for uscc, records in sorted(found.items())
        if only is None or uscc == only
        for k in records
    ]
    if not rows:
        click.echo("no keys")
        return
    header = ("INSTITUTION", "PUBLIC KEY", "VALID FROM", "VALID UNTIL")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


@keys_group.command("root")
def keys_root() -> None:
    """Print the registry root public key (Multikey), the key verifiers pin."""
    master_key = master_key_or_exit()

    async def work(db: Database) -> str:
        return (await keystore.root_public_key(db, master_key)).multibase

    click.echo(run_with_db(work))


@click.group("bundle")
def bundle_group() -> None:
    """The signed trust bundle that verifiers use offline."""


def _write(path: Path, document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside and rename, so a reader never sees half a bundle.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@bundle_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def bundle_export(out: Path) -> None:
    """Write the latest trust bundle to OUT (a new one if the data changed since)."""
    settings = settings_or_exit()
    master_key = master_key_or_exit()

    async def work(db: Database) -> tuple[dict[str, Any], str]:
        document = await trust.latest_bundle(db, master_key, settings.base_url)
        return document, (await keystore.root_public_key(db, master_key)).multibase

    document, root = run_with_db(work)
    try:
        _write(out, document)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"bundle sequence {document['sequence']} issued {document['issued']} -> {out}")
    click.echo(
        f"verify with: registry verify CREDENTIAL --bundle {out} --root-key {root}", err=True
    )
