"""What the audited store needs to know about one kind of record (`Kind`), in a module of its own
so that a workflow's model can declare its kinds without importing the store."""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import NotFound
from registry.storage import changes
from registry.storage.collections import Collection


@dataclass(frozen=True)
class Kind:
    """One kind of record: where it lives and how errors and the audit log name it.

    `audit_prefix` + "." + action is the audit entry's action; `entity` + ":" + id its entity
    (both kept as they were before the store, so the audit chain reads the same).
    """

    collection: Collection
    entity: str
    audit_prefix: str
    not_found_code: str
    id_field: str
    # The input field an `ILLEGAL_TRANSITION` names.
    transition_field: str = "status"
    # The field whose value names the audited entity (a report is audited as its institution).
    entity_key: str = "_id"
    # What the public sees of a record: given, every change that alters it is also kept as a
    # public change (`registry.storage.changes`), the source of the kind's change feed.
    public: changes.PublicView | None = None

    def not_found(self, key: str) -> NotFound:
        return NotFound(
            f"no {self.entity} {key[:40]}", code=self.not_found_code, field=self.id_field
        )
