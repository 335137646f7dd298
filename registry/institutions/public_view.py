"""What anyone may read of an institution's directory record, as plain JSON values.

The one projection behind the open-data downloads and the directory's change feed: the store
keeps it before and after every change (`registry.storage.changes`), and the downloads are this
view of every institution. It holds no contact details, objections or history (the feed is the
history), and no value the public API does not show.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from registry.institutions.model import Institution, ScopeEntry, from_document
from registry.storage.db import Document


class ChangeKind(StrEnum):
    """What a change altered in the view; derived by comparing the views, never listed per step."""

    ADDED = "ADDED"  # the institution appeared (it applied)
    STATUS = "STATUS"  # listed, suspended, reinstated, removed, expired, a review step...
    SCOPE = "SCOPE"  # occupations × directions × levels
    VALIDITY = "VALIDITY"  # listing periods and their end
    PUBLICITY = "PUBLICITY"  # the publicity's dates and announcement
    DETAILS = "DETAILS"  # name, province, number, fees, removal grounds


# Which fields of the view each kind of change covers; a field not named here is DETAILS.
_FIELDS_OF: dict[str, ChangeKind] = {
    "status": ChangeKind.STATUS,
    "scope": ChangeKind.SCOPE,
    "listings": ChangeKind.VALIDITY,
    "validUntil": ChangeKind.VALIDITY,
    "firstListed": ChangeKind.VALIDITY,
    "publicity": ChangeKind.PUBLICITY,
}


def _scope(entries: tuple[ScopeEntry, ...]) -> list[Document]:
    return [
        {"occupation": s.occupation, "direction": s.direction, "level": s.level} for s in entries
    ]


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _publicity(i: Institution) -> Document | None:
    if i.publicity_start is None:
        return None
    return {
        "start": _day(i.publicity_start),
        "end": _day(i.publicity_end),
        "provisional": i.publicity_provisional,
        "recordedOn": _day(i.publicity_recorded_on),
        "announcement": i.publicity_announcement,
    }


def _removal(i: Institution) -> Document | None:
    if not i.removal:
        return None
    return {"violation": i.removal.get("violation"), "details": i.removal.get("details")}


def view(i: Institution) -> Document:
    """The public directory record of `i` (its stored status: `open_data.expire_due` records an
    expiry before anything is read from this view)."""
    return {
        "uscc": i.uscc,
        "name": i.name,
        "kind": i.kind.value,
        "province": i.province,
        "number": i.number,
        "status": i.status.value,
        "validUntil": _day(i.valid_until),
        "firstListed": _day(i.first_listed),
        "scope": _scope(i.scope),
        "fees": [
            {"item": f.item, "amountYuan": f.amount_yuan, "unit": f.unit, "note": f.note}
            for f in i.fees
        ],
        "listings": [
            {
                "start": _day(p.start),
                "until": _day(p.until),
                "ended": p.ended,
                "scope": _scope(p.scope),
            }
            for p in i.listings
        ],
        "publicity": _publicity(i),
        "removal": _removal(i),
    }


def public_record(doc: Document) -> Document:
    """The view of a stored institution document (`store.Kind.public` of the directory)."""
    return view(from_document(doc))


def change_kinds(before: Document | None, after: Document) -> list[ChangeKind]:
    """What changed from view `before` to view `after`, in `ChangeKind` order."""
    if before is None:
        return [ChangeKind.ADDED]
    found = {
        _FIELDS_OF.get(name, ChangeKind.DETAILS)
        for name in after.keys() | before.keys()
        if before.get(name) != after.get(name)
    }
    return [kind for kind in ChangeKind if kind in found]
