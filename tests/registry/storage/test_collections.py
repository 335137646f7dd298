"""The collection list, the index declarations and the backup's classification name the same
collections."""

from __future__ import annotations

from registry.storage.collections import BACKUP, Collection, Kept, Skipped
from registry.storage.indexes import INDEXES


def test_every_collection_declares_its_indexes_and_nothing_else_does() -> None:
    assert set(INDEXES) == set(Collection)


def test_every_collection_is_classified_for_backup_kept_or_skipped_with_a_reason() -> None:
    """A new collection fails here until `BACKUP` says whether a backup keeps it."""
    assert set(BACKUP) == set(Collection)
    skipped = {c for c, d in BACKUP.items() if isinstance(d, Skipped)}
    assert skipped == {Collection.RATE_WINDOWS, Collection.RESTORE_MARKER}
    assert all(isinstance(d, Kept) or len(d.why) > 20 for d in BACKUP.values())
