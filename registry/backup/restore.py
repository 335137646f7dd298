"""`registry restore IN`: an empty database rebuilt from a backup.

Nothing is written until the whole file has been read once and found sound (every collection's
count and SHA-256 as its manifest states), and every sealed signing key in it opens with this
master key: a damaged, cut-short or foreign backup, or the wrong key, is refused with nothing
written. The target must be empty.

The writing itself cannot be one transaction (a registry is larger than one), so a marker
document stands in the database while it runs and is removed last: a restore cut short leaves a
database that every command refuses (`RestoreIncomplete`, `registry/storage/db.py`) until it is
dropped and the restore run again. Indexes are those `registry/storage/indexes.py` declares,
created when the database is opened, never copied from the backup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import bson
from bson.raw_bson import RawBSONDocument

from credentials import BundleError, PublicKey, load_bundle
from registry.backup.archive import Manifest, read, records
from registry.calendar import clock
from registry.errors import (
    BackupCorrupt,
    BackupWrongMasterKey,
    KeyDecryptionFailed,
    KeyRecordMismatch,
    RestoreBundleUntrusted,
    RestoreTargetNotEmpty,
)
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database
from registry.trust import bundles, keystore

MARKER_ID = "restore"
_BATCH = 1000
# Told of each collection once it is written (the command line prints it).
Progress = Callable[[Collection, int], Awaitable[None]]


@dataclass(frozen=True)
class Checked:
    """A backup read whole and found sound; `root` is the registry's root key in it, if any."""

    manifest: Manifest
    root: PublicKey | None


def check(path: Path, master_key: bytes) -> Checked:
    """Read the backup whole and check it (`BackupCorrupt`, `BackupInvalid`), and that each
    sealed signing key in it opens with `master_key` (`BackupWrongMasterKey`). Writes nothing."""
    box = keystore.seal_box(master_key)
    roots: list[PublicKey] = []

    def visit(collection: Collection, raw: bytes) -> None:
        if collection is not Collection.SIGNING_KEYS:
            return
        doc = bson.decode(raw)
        if doc.get("_id") == keystore.ROOT_ID:
            roots.append(PublicKey.from_multibase(str(doc["public_key"])))
        if "sealed_seed" not in doc:
            return
        try:
            keystore.unseal(box, doc)
        except KeyDecryptionFailed:
            raise BackupWrongMasterKey(
                "the backup's signing keys do not open with this master key: set "
                "REGISTRY_MASTER_KEY (or REGISTRY_MASTER_KEY_FILE) to the key of the registry "
                "the backup was taken from"
            ) from None
        except KeyRecordMismatch as error:
            raise BackupCorrupt(error.message) from None

    manifest = read(path, visit)
    return Checked(manifest, roots[0] if roots else None)


def seen_sequence(checked: Checked, bundle: object) -> int:
    """The sequence of `bundle`, a trust bundle verifiers may have seen after the backup (as
    served at /bundle.json), once it verifies under the backup's root key (or a root or bundle
    key that root vouches for); `RestoreBundleUntrusted` otherwise. Writes nothing."""
    if checked.root is None:
        raise RestoreBundleUntrusted("the backup holds no root key to check the bundle against")
    try:
        return load_bundle(bundle, [checked.root]).sequence
    except (BundleError, AttributeError, TypeError) as error:
        raise RestoreBundleUntrusted(
            f"the bundle given does not verify under the backup's root key ({error})"
        ) from None


async def require_empty(db: Database) -> None:
    """`RestoreTargetNotEmpty` unless no collection of `db` holds a document."""
    for name in sorted(await db.list_collection_names()):
        if await db[name].find_one({}, {"_id": 1}) is not None:
            raise RestoreTargetNotEmpty(
                f"the database {db.name!r} is not empty (collection {name!r} holds documents): "
                "a restore writes only into an empty one"
            )


def _batches(path: Path) -> Iterator[tuple[Collection, list[RawBSONDocument]]]:
    current: Collection | None = None
    batch: list[RawBSONDocument] = []
    for collection, raw in records(path):
        if batch and (collection is not current or len(batch) == _BATCH):
            yield current, batch  # type: ignore[misc]
            batch = []
        current = collection
        batch.append(RawBSONDocument(raw))
    if batch:
        yield current, batch  # type: ignore[misc]


async def restore(
    db: Database,
    path: Path,
    checked: Checked,
    progress: Progress | None = None,
    *,
    after_sequence: int = 0,
) -> None:
    """Rebuild the empty `db` from the backup at `path`, which `check` read whole and found sound
    before this writes anything. The next trust bundle's sequence is above `after_sequence` (the
    highest a verifier may have seen, `seen_sequence`) as well as above the backup's."""
    manifest = checked.manifest
    await require_empty(db)
    marker = db[Collection.RESTORE_MARKER]
    await marker.insert_one(
        {
            "_id": MARKER_ID,
            "backup": manifest.created,
            "started": clock.now(),
            "schema_version": SCHEMA_VERSION,
        }
    )
    written: dict[Collection, int] = dict.fromkeys(manifest.collections, 0)
    for collection, batch in _batches(path):
        await db[collection].insert_many(batch, ordered=True)
        written[collection] += len(batch)
    for collection, count in written.items():
        if progress is not None:
            await progress(collection, count)
    if after_sequence:  # never below a sequence verifiers hold: they refuse a lower one
        await db[Collection.COUNTERS].update_one(
            {"_id": bundles.SEQUENCE_COUNTER}, {"$max": {"value": after_sequence}}, upsert=True
        )
    await marker.delete_one({"_id": MARKER_ID})
