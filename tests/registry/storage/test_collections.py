"""The collection list and the index declarations name the same collections."""

from __future__ import annotations

from registry.storage.collections import Collection
from registry.storage.indexes import INDEXES


def test_every_collection_declares_its_indexes_and_nothing_else_does() -> None:
    assert set(INDEXES) == set(Collection)
