"""`registry root`: the root key off the server (docs/operations.md, "The offline root key").

On the offline machine, with a root key file and no database: `generate`, `certify`, `rotate
--root-key-file`, `export-public --root-key-file`. On the server: `bundle-key` (the public key to
certify), `install-certificate`, `install-rotation`, `rotate --new-root` (the keystore's own root
names its offline successor), `export-public` (the root to pin). A root key file holds the key as
a private Multikey (`z3u2…`) on one line, written 0600; its secret never reaches the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import click

from credentials import PublicKey, SigningKey, rootchain
from credentials.errors import KeyFormatError
from registry.storage.db import Database
from registry.trust import offline_root
from service.runner import master_key_or_exit, run_with_db

_FILE = click.Path(dir_okay=False, path_type=Path)


def _write_new(path: Path, text: str, *, secret: bool = False) -> None:
    """Write `text` to a file that must not exist yet (0600 for a secret)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if secret else 0o644)
    except FileExistsError:
        raise click.ClickException(f"{path} exists already; choose another file") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def _root_file(path: Path) -> SigningKey:
    try:
        return SigningKey.from_multibase(path.read_text("utf-8").strip())
    except OSError as exc:
        raise click.ClickException(
            f"cannot read the root key file {path}: {exc.strerror}"
        ) from None
    except KeyFormatError:
        raise click.ClickException(f"{path} is not a root key file (a private Multikey)") from None


def _public(value: str, hint: str) -> PublicKey:
    try:
        return PublicKey.from_multibase(value.strip())
    except KeyFormatError as exc:
        raise click.BadParameter(exc.message, param_hint=hint) from None


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raise click.ClickException(f"{path} is not a readable JSON file") from None


def _dump(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@click.group("root")
def root_group() -> None:
    """The registry root key off the server: certificates for the bundle key, rotations."""


@root_group.command("generate")
@click.option("-o", "output", type=_FILE, required=True, help="The new root key file (0600).")
def root_generate(output: Path) -> None:
    """Make a new root key file (offline machine; no database). Prints its public key."""
    key = SigningKey.generate()
    _write_new(output, key.private_multibase() + "\n", secret=True)
    click.echo(key.public_key.multibase)


@root_group.command("export-public")
@click.option("--root-key-file", type=_FILE, default=None, help="Offline: this file's key.")
def root_export_public(root_key_file: Path | None) -> None:
    """The root public key to pin: the file's (offline), or the registry's (the root that
    certified the bundle key that signs, else its keystore root)."""
    if root_key_file is not None:
        click.echo(_root_file(root_key_file).public_key.multibase)
        return
    master_key = master_key_or_exit()

    async def work(db: Database) -> str:
        return (await offline_root.root_to_pin(db, master_key)).key.multibase

    click.echo(run_with_db(work))


@root_group.command("certify")
@click.option("--root-key-file", type=_FILE, required=True)
@click.option(
    "--bundle-key", required=True, help="The server's bundle key (registry root bundle-key)."
)
@click.option("--valid-for", type=click.IntRange(1, 400), required=True, help="Days, from now.")
@click.option("-o", "output", type=_FILE, required=True, help="The certificate file to write.")
def root_certify(root_key_file: Path, bundle_key: str, valid_for: int, output: Path) -> None:
    """Certify the bundle key for DAYS (offline machine; no database)."""
    root = _root_file(root_key_file)
    start = dt.datetime.now(dt.UTC)
    cert = rootchain.certify(
        root,
        _public(bundle_key, "--bundle-key"),
        valid_from=start,
        valid_until=start + dt.timedelta(days=valid_for),
    )
    _write_new(output, _dump(cert))
    click.echo(f"certificate valid until {cert['validUntil']}", err=True)


@root_group.command("rotate")
@click.option("--new-root", required=True, help="The new root's public key.")
@click.option("--root-key-file", type=_FILE, default=None, help="Offline: the old root's file.")
@click.option("-o", "output", type=_FILE, default=None, help="Offline: the statement file.")
def root_rotate(new_root: str, root_key_file: Path | None, output: Path | None) -> None:
    """The old root names the new one. Offline (--root-key-file, -o): write the statement for
    `install-rotation`. On the server (neither): the keystore's root signs it, kept at once."""
    new = _public(new_root, "--new-root")
    if (root_key_file is None) != (output is None):
        raise click.UsageError("--root-key-file and -o go together (the offline form)")
    if root_key_file is not None and output is not None:
        old = _root_file(root_key_file)
        statement = rootchain.rotation(old, new, issued=dt.datetime.now(dt.UTC))
        _write_new(output, _dump(statement))
        return
    master_key = master_key_or_exit()

    async def work(db: Database) -> PublicKey:
        return await offline_root.rotate_keystore_root(db, master_key, new)

    click.echo(f"every bundle now names {run_with_db(work).multibase} as the next root", err=True)


@root_group.command("bundle-key")
@click.option("--new", is_flag=True, help="Replace the bundle key (install its certificate next).")
def root_bundle_key(new: bool) -> None:
    """The server's bundle key (made on first use), to certify on the offline machine."""
    master_key = master_key_or_exit()

    async def work(db: Database) -> PublicKey:
        return await offline_root.bundle_key(db, master_key, new=new)

    click.echo(run_with_db(work).multibase)


@root_group.command("install-certificate")
@click.argument("certificate", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def root_install_certificate(certificate: Path) -> None:
    """Install a certificate from `certify`: the bundle key signs bundles from now on."""
    document = _json_file(certificate)
    master_key = master_key_or_exit()

    async def work(db: Database) -> rootchain.Certificate:
        return await offline_root.install_certificate(db, master_key, document)

    cert = run_with_db(work)
    click.echo(
        f"bundles are signed by {cert.bundle_key.multibase} until {cert.valid_until}", err=True
    )


@root_group.command("install-rotation")
@click.argument("statement", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def root_install_rotation(statement: Path) -> None:
    """Keep a rotation statement from `rotate --root-key-file`: every bundle carries it."""
    document = _json_file(statement)
    master_key = master_key_or_exit()

    async def work(db: Database) -> PublicKey:
        return await offline_root.install_rotation(db, master_key, document)

    click.echo(f"every bundle now names {run_with_db(work).multibase} as a root", err=True)
