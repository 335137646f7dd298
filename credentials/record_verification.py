"""A continuing-education record checked against the pinned root alone.

The record is signed for the registry (a root key, or a bundle key a root certified), and carries
the chain from the root to its signer (`rootchain`), so nothing but the pinned root is needed: no
trust bundle, no network. It is valid when that chain holds at the proof's `created` and still
now, the proof holds, and — given the holder's card number — the holder binding matches. This is
the one rule for `registry verify CE-RECORD.json` and the verifier page
(web/verifier/src/record.js: the same order, the same codes; tests/web/test_differential.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from credentials import rootchain
from credentials.checks import holder_binding
from credentials.keys import PublicKey
from credentials.report import Check, Status

__all__ = ["RecordReport", "verify_ce_record"]

_NOT_EVALUATED: Final = "not evaluated: the record's signature does not hold"


@dataclass(frozen=True)
class RecordReport:
    """What a record check found. `code` and `message` name the first reason it is not valid
    (a `rootchain` code, or the holder binding's); `signer` is None when the chain or the proof
    failed, and `binding` is then SKIPPED."""

    valid: bool
    code: str | None
    message: str
    signer: rootchain.Signer | None
    binding: Check


def verify_ce_record(
    credential: Any,
    roots: Sequence[PublicKey],
    *,
    card_number: str | None = None,
    now: dt.datetime,
) -> RecordReport:
    """Check `credential` against the pinned `roots` at `now`: the chain and the proof first
    (nothing else is claimed about a record whose signature does not hold), then the holder
    binding when `card_number` is given."""
    skipped = Check("holder_binding", Status.SKIPPED, "NOT_EVALUATED", _NOT_EVALUATED)
    try:
        signer = rootchain.credential_signer(credential, tuple(roots), now=now)
    except rootchain.ChainError as exc:
        return RecordReport(False, exc.code, exc.message, None, skipped)
    except Exception as exc:  # a bug must not become an exception or, worse, a pass
        return RecordReport(False, "VERIFIER_ERROR", f"the verifier failed: {exc}", None, skipped)
    binding = holder_binding(credential, card_number)
    if binding.status is Status.FAIL:
        return RecordReport(False, binding.code, binding.message, signer, binding)
    return RecordReport(
        True, None, "a continuing-education record the registry signed", signer, binding
    )
