"""What the offline verifier answers: one `Check` per check, and a `Verdict` derived from them.

Shaped like sigstore-python's verifier: nothing is hidden behind a single boolean, every check
says what it looked at, and the verdict is derived from the checks by one rule (`verdict`).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from credentials.bundle import format_timestamp
from credentials.description import Description

__all__ = [
    "CHECK_NAMES",
    "Check",
    "Mode",
    "Status",
    "Verdict",
    "VerificationReport",
    "printable",
    "verdict",
]

CHECK_NAMES: Final = (
    "input",
    "proof",
    "issuer_key",
    "issuer_listed",
    "status",
    "schema",
    "holder_binding",
    "in_log",
)
"""The checks of every report, in this order."""


class Status(enum.Enum):
    PASS = "PASS"  # noqa: S105  (a check status, not a password)
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    SKIPPED = "SKIPPED"


class Verdict(enum.Enum):
    """The one-word outcome, derived from the checks in this order:

    - INVALID: some check FAILED.
    - UNVERIFIED: no FAIL, but a check other than `status` is UNKNOWN (the signature could not be
      checked at all: neither a bundle nor a key was given).
    - UNCONFIRMED: no FAIL, but `in_log` is UNKNOWN: the credential was signed with a key that
      is now retired or compromised, and only the registry's log can show it was made before
      (a back-dated forgery with that key is otherwise indistinguishable). Never VALID: present
      the certificate file (with its inclusion proof) or look it up in the registry.
    - STATUS_UNKNOWN: every evaluated check passed but revocation could not be established (list
      missing or unverifiable, bundle too old). The certificate is genuine but may be revoked;
      kept apart from INVALID so the caller knows that a fresh bundle may settle it.
    - SIGNATURE_VALID_ISSUER_NOT_CHECKED: verified with a given key only; the proof (and the
      holder binding, when asked) passed, but who the issuer is was not checked.
    - VALID: full verification against a bundle; every check that ran passed. `holder_binding`
      (no card number given) and `in_log` (no inclusion proof given) may be SKIPPED; nothing
      else may be.
    """

    VALID = "VALID"
    INVALID = "INVALID"
    UNCONFIRMED = "UNCONFIRMED"
    STATUS_UNKNOWN = "STATUS_UNKNOWN"
    SIGNATURE_VALID_ISSUER_NOT_CHECKED = "SIGNATURE_VALID_ISSUER_NOT_CHECKED"
    UNVERIFIED = "UNVERIFIED"


Mode = Literal["bundle", "key", "none"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    code: str
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class VerificationReport:
    checks: tuple[Check, ...]
    verdict: Verdict
    mode: Mode
    checked_at: dt.datetime
    bundle_sequence: int | None = None
    bundle_issued: dt.datetime | None = None
    description: Description | None = None
    """Whose credential this is, as it claims (confirmed only when VALID): `describe`."""

    @property
    def valid(self) -> bool:
        """True only for a full, successful verification (verdict VALID)."""
        return self.verdict is Verdict.VALID

    def check(self, name: str) -> Check:
        for item in self.checks:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "mode": self.mode,
            "checkedAt": format_timestamp(self.checked_at),
            "bundle": None
            if self.bundle_issued is None
            else {
                "sequence": self.bundle_sequence,
                "issued": format_timestamp(self.bundle_issued),
                "ageSeconds": int((self.checked_at - self.bundle_issued).total_seconds()),
            },
            "description": None if self.description is None else self.description.to_dict(),
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text that encodes as UTF-8: a lone surrogate (a credential's text
        may hold one) is written as its JSON escape, as `ensure_ascii` would write it."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, default=str)
        return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_OPTIONAL: Final = frozenset({"holder_binding", "in_log"})
"""The checks that may be SKIPPED in a VALID report."""
_ALL_PASSED: Final = (*((name, Status.PASS) for name in CHECK_NAMES if name not in _OPTIONAL),)
_MAY_SKIP: Final = (Status.PASS, Status.SKIPPED)


def verdict(checks: Sequence[Check], mode: Mode) -> Verdict:
    """The verdict of `checks` by the rules `Verdict` states."""
    if (
        mode == "bundle"
        and len(checks) == len(CHECK_NAMES)
        and all(c.status in _MAY_SKIP for c in checks if c.name in _OPTIONAL)
        and tuple((c.name, c.status) for c in checks if c.name not in _OPTIONAL) == _ALL_PASSED
    ):
        return Verdict.VALID  # the common case, as the rules below decide it
    statuses = {c.name: c.status for c in checks}
    if Status.FAIL in statuses.values():
        return Verdict.INVALID
    unknown = {name for name, status in statuses.items() if status is Status.UNKNOWN}
    if unknown - {"status", "in_log"}:
        return Verdict.UNVERIFIED
    if "in_log" in unknown:
        return Verdict.UNCONFIRMED
    if unknown:
        return Verdict.STATUS_UNKNOWN
    if mode != "bundle":
        return (
            Verdict.SIGNATURE_VALID_ISSUER_NOT_CHECKED
            if statuses.get("proof") is Status.PASS
            else Verdict.UNVERIFIED
        )
    must_pass = set(CHECK_NAMES) - _OPTIONAL
    if all(statuses.get(name) is Status.PASS for name in must_pass):
        return Verdict.VALID
    return Verdict.UNVERIFIED


def printable(text: str) -> str:
    """`text` with control, format (e.g. bidi override) and separator characters escaped."""
    if text.isprintable():
        return text
    return "".join(
        c
        if c.isprintable() or c == " "
        else f"\\u{ord(c):04x}"
        if ord(c) < 0x10000
        else f"\\U{ord(c):08x}"
        for c in text
    )
