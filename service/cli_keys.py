"""Key and trust bundle commands: `registry keys rotate|compromise|list|root`, `registry bundle export`.

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
from registry.transparency import checkpoints
from registry.trust import bundles as trust
from registry.trust import compromise, keystore, offline_root
from service.runner import master_key_or_exit, run_with_db, settings_or_exit


def uscc_option_value(value: str) -> str:
    """The normalised USCC of an `--institution` option, or a usage error."""
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
    uscc = uscc_option_value(institution)
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


def _instant(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise click.BadParameter(
            "an RFC 3339 instant with its offset, e.g. 2026-12-01T08:00:00Z", param_hint="--from"
        )
    return moment


@keys_group.command("compromise")
@click.option("--institution", required=True, help="Unified social credit code.")
@click.option("--key", "key", required=True, help="The key's public key (Multikey, z6Mk…).")
@click.option("--from", "since", required=True, help="Compromised from this instant (RFC 3339).")
def keys_compromise(institution: str, key: str, since: str) -> None:
    """Mark an institution key compromised from an instant (the office's decision, audited and
    logged). From then on a credential signed with it is VALID only with a log inclusion proof
    checkpointed before that instant; export a new bundle for verifiers."""
    uscc = uscc_option_value(institution)
    moment = _instant(since)
    settings = settings_or_exit()
    master_key = master_key_or_exit()

    async def work(db: Database) -> keystore.KeyRecord:
        marked = await compromise.mark_compromised(db, uscc, key, since=moment, by=SYSTEM)
        await checkpoints.sign(db, master_key, settings.base_url)
        return marked

    record = run_with_db(work)
    click.echo(
        f"key {record.public_key_multibase} of {uscc} compromised from "
        f"{_when(record.compromised_at)}; certificates logged below tree size "
        f"{record.log_size_at_compromise} stay confirmable"
    )


@keys_group.command("list")
@click.option("--institution", default=None, help="Only this unified social credit code.")
def keys_list(institution: str | None) -> None:
    """Every institution key with its validity window (retired keys included)."""
    only = uscc_option_value(institution) if institution is not None else None
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
    """Print the registry root public key (Multikey), the key verifiers pin: the root that
    certified the bundle key that signs (after the offline-root ceremony, the offline root),
    else the keystore root."""
    master_key = master_key_or_exit()

    async def work(db: Database) -> str:
        return (await offline_root.root_to_pin(db, master_key)).key.multibase

    click.echo(run_with_db(work))


@click.group("bundle")
def bundle_group() -> None:
    """The signed trust bundle that verifiers use offline."""


def _write(path: Path, document: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def write_atomically(path: Path, text: str) -> None:
    """Write `text` beside `path` and rename it over, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
        return document, (await offline_root.root_to_pin(db, master_key)).key.multibase

    document, root = run_with_db(work)
    try:
        _write(out, document)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"bundle sequence {document['sequence']} issued {document['issued']} -> {out}")
    click.echo(
        f"verify with: registry verify CREDENTIAL --bundle {out} --root-key {root}", err=True
    )
