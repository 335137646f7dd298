"""Which version of a record is in effect on a day: the latest that took effect by then; of
versions taking effect on the same day, the one recorded last. One rule, for every topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from registry.storage.db import Document


def in_effect(versions: Sequence[Document], day: dt.date) -> Document | None:
    """The version of `versions` (in the order recorded) in effect on `day`, or None before the
    first took effect."""
    started = [
        (v["effective_from"], index, v)
        for index, v in enumerate(versions)
        if v["effective_from"] <= day.isoformat()
    ]
    return max(started, key=lambda t: (t[0], t[1]))[2] if started else None


def same_version(stored: Document, new: Document) -> bool:
    """Whether `stored` already says what `new` says (a retried request): every field but when
    and by whom it was recorded."""
    ignored = {"recorded_at", "actor"}
    return {k: v for k, v in stored.items() if k not in ignored} == {
        k: v for k, v in new.items() if k not in ignored
    }
