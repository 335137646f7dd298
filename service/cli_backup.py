"""`registry backup OUT` and `registry restore IN` (docs/operations.md, "Backup and restore").

The backup is read from the running registry (the embedded server recorded in the data directory,
or `REGISTRY_MONGODB_URI`) as one point in time; the restore writes only into an empty data
directory or database, after reading the whole backup and opening its sealed keys with this
master key. Errors are one line each with their code, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click
from pymongo.errors import PyMongoError

from registry.backup import restore as restoring
from registry.backup import snapshot
from registry.backup.archive import Entry, Manifest
from registry.errors import RegistryError, RestoreTargetNotEmpty
from registry.settings import Settings
from registry.storage.collections import BACKUP, Collection, Skipped
from registry.storage.db import Database, open_database
from registry.trust import bundles
from service.runner import master_key_or_exit, run_with_db, settings_or_exit


def _documents(count: int) -> str:
    return f"{count} document" + ("" if count == 1 else "s")


def _fail(error: RegistryError) -> click.ClickException:
    return click.ClickException(f"{error.message} ({error.code})")


@click.command("backup")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
def backup_command(out: Path) -> None:
    """Write a consistent backup of every collection to OUT (a new file; never the master key)."""

    async def copied(collection: Collection, entry: Entry) -> None:
        click.echo(f"{collection.value}: {_documents(entry.count)}", err=True)

    async def work(db: Database) -> Manifest:
        try:
            return await snapshot.take(db, out, copied)
        except RegistryError as error:
            raise _fail(error) from None

    manifest = run_with_db(work)
    total = sum(e.count for e in manifest.collections.values())
    skipped = ", ".join(c.value for c, d in BACKUP.items() if isinstance(d, Skipped))
    click.echo(
        f"wrote {out}: {total} documents in {len(manifest.collections)} collections as of "
        f"{manifest.created} (skipped: {skipped}); the master key is not in it"
    )


def _require_empty_directory(settings: Settings) -> None:
    folder = settings.data_dir
    if settings.embedded and folder.exists() and any(folder.iterdir()):
        raise RestoreTargetNotEmpty(
            f"the data directory {folder} is not empty: a restore writes only into an empty "
            "one (set REGISTRY_DATA_DIR to a new directory)"
        )


async def _restore(
    settings: Settings, path: Path, checked: restoring.Checked, seen: int | None
) -> None:
    async def written(collection: Collection, count: int) -> None:
        click.echo(f"{collection.value}: {_documents(count)}", err=True)

    async with open_database(settings, restoring=True) as db:
        await restoring.restore(db, path, checked, written, after_sequence=seen or 0)
        if seen is not None:
            # Served at once, so /bundle.json never shows verifiers a sequence below theirs.
            bundle = await bundles.build_bundle(db, settings.master_key(), settings.base_url)
            click.echo(f"issued trust bundle {bundle['sequence']} (after {seen})", err=True)


def _bundle_seen(path: Path | None, checked: restoring.Checked) -> int | None:
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise click.BadParameter(
            f"{path} is not a JSON file", param_hint="--after-bundle"
        ) from None
    return restoring.seen_sequence(checked, document)


@click.command("restore")
@click.argument("in_", metavar="IN", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--after-bundle",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The latest trust bundle published before the loss (from a mirror or a verifier): "
    "the restored registry's next bundle follows its sequence.",
)
def restore_command(in_: Path, after_bundle: Path | None) -> None:
    """Rebuild an empty data directory (or database) from the backup IN, with this master key."""
    settings = settings_or_exit()
    master_key = master_key_or_exit()
    try:
        _require_empty_directory(settings)
        checked = restoring.check(in_, master_key)  # the whole file, before anything is written
        seen = _bundle_seen(after_bundle, checked)
        asyncio.run(_restore(settings, in_, checked, seen))
    except RegistryError as error:
        raise _fail(error) from None
    except PyMongoError as error:
        raise click.ClickException(f"database error ({type(error).__name__})") from None
    manifest = checked.manifest
    total = sum(e.count for e in manifest.collections.values())
    where = settings.data_dir if settings.embedded else f"database {settings.database}"
    click.echo(f"restored {total} documents of the backup of {manifest.created} into {where}")
