"""What a `Verifier` remembers between credentials, and the keys it remembers them by.

Only work that depends on the bundle and on repeated strings is remembered, never a credential
as a whole: the proof key per verificationMethod, the `issuer_key` and `issuer_listed` outcomes
per everything those checks read, the status lists' validity per URL, the bundle's age texts per
verification time. The keys are exact strings, so a memo is consulted only for plain JSON input
(`_jcs.plain_size`); every remembered check is handed out as a copy (`fresh`), so no two
reports share a mutable object. A `Memos(limit=0)` remembers nothing: every answer is computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final, TypeVar

from credentials._proof import verification_method_of
from credentials.report import Check

__all__ = ["LIMIT", "Memos", "fresh", "get", "issuer_id", "issuer_key_key", "issuer_listed_key"]

LIMIT: Final = 4096
"""Entries per memo; past it, new keys are computed and not remembered."""

T = TypeVar("T")


def get(value: Any, *path: str) -> Any:
    """The value at `path` below `value`, or None where an object is missing."""
    for name in path:
        if not (type(value) is dict or isinstance(value, Mapping)):
            return None
        value = value.get(name)
    return value


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """The credential's issuer id (`issuer` or `issuer.id`) when it is a string."""
    issuer = credential.get("issuer")
    if type(issuer) is dict or isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _exact(value: Any, kind: type) -> Any:
    # What a check reads, normalised as it reads it: a value of another type counts as absent.
    return value if type(value) is kind else None


def _issuance(doc: Mapping[str, Any]) -> tuple[Any, Any]:
    # `issuance_time` reads proof.created, else validFrom, and nothing else.
    return _exact(get(doc, "proof", "created"), str), _exact(doc.get("validFrom"), str)


def issuer_key_key(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    """Everything `issuer_key` reads besides the bundle and "signed in the future?"."""
    return (verification_method_of(doc), issuer_id(doc), *_issuance(doc))


def issuer_listed_key(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    """Everything `issuer_listed` reads besides the bundle."""
    cert = get(doc, "credentialSubject", "certificate")
    number = _exact(get(cert, "number"), str)
    return (
        issuer_id(doc),
        number[:7] if number is not None else None,
        _exact(get(cert, "occupation", "code"), str),
        _exact(get(cert, "level", "code"), int),
        _exact(get(cert, "level", "name"), str),
        _exact(get(cert, "direction"), str),
        *_issuance(doc),
    )


def fresh(check: Check) -> Check:
    """A remembered check with its own copy of the details (and of the dicts in them)."""
    details = {k: dict(v) if type(v) is dict else v for k, v in check.details.items()}
    return Check(check.name, check.status, check.code, check.message, details)


class Memos:
    """The memos of one `Verifier`, each bounded by `limit` entries."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._values: dict[tuple[str, Hashable], Any] = {}
        self._sizes: dict[str, int] = {}
        self._as_of: tuple[dt.datetime, Any] | None = None

    def size(self, memo: str) -> int:
        """How many entries the memo named `memo` holds."""
        return self._sizes.get(memo, 0)

    def remember(self, memo: str, key: Hashable, compute: Callable[[], T]) -> T:
        """The remembered answer for `key` in `memo`, else `compute()` (kept if there is room)."""
        slot = (memo, key)
        found: T | None = self._values.get(slot)
        if found is None:
            found = compute()
            if self._sizes.get(memo, 0) < self.limit:
                self._values[slot] = found
                self._sizes[memo] = self._sizes.get(memo, 0) + 1
        return found

    def check(self, memo: str, key: Hashable, compute: Callable[[], Check]) -> Check:
        """`remember` for a check, handed out as a fresh copy."""
        return fresh(self.remember(memo, key, compute))

    def issuer_key(self, key: Hashable, future: bool, compute: Callable[[], Check]) -> Check:
        """The `issuer_key` check for `key`; recomputed when "signed in the future?" changed
        (the only way `now` enters it)."""
        slot = ("issuer_key", key)
        found: tuple[bool, Check] | None = self._values.get(slot)
        if found is None or found[0] is not future:
            found = (future, compute())
            if slot in self._values or self._sizes.get("issuer_key", 0) < self.limit:
                if slot not in self._values:
                    self._sizes["issuer_key"] = self._sizes.get("issuer_key", 0) + 1
                self._values[slot] = found
        return fresh(found[1])

    def as_of(self, now: dt.datetime, compute: Callable[[], T]) -> T:
        """The bundle's age texts for `now`, remembered for the last `now` only."""
        if self.limit and self._as_of is not None and self._as_of[0] == now:
            remembered: T = self._as_of[1]
            return remembered
        value = compute()
        if self.limit:
            self._as_of = (now, value)
        return value
