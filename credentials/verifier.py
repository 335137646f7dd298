"""The offline verifier: one function, one report with an entry per check.

The report's types are `credentials.report`'s, the checks `credentials.checks`', and what a
reusable `Verifier` remembers between credentials is `credentials._memo`'s.
`verify_credential` never raises: any input, however malformed, gives a report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

from credentials import _inlog, _memo, checks
from credentials.bundle import TrustBundle
from credentials.checks import CERTIFICATE_TYPE, CLOCK_SKEW
from credentials.description import describe
from credentials.keys import PublicKey
from credentials.report import (
    CHECK_NAMES,
    Check,
    Mode,
    Status,
    Verdict,
    VerificationReport,
    printable,
    verdict,
)

__all__ = [
    "CERTIFICATE_TYPE",
    "CHECK_NAMES",
    "CLOCK_SKEW",
    "DEFAULT_BUNDLE_MAX_AGE",
    "Check",
    "Status",
    "Verdict",
    "VerificationReport",
    "Verifier",
    "printable",
    "verify_credential",
]

DEFAULT_BUNDLE_MAX_AGE: Final = dt.timedelta(days=7)
"""Past this age a bundle's status lists are too old to say "not revoked" (status is UNKNOWN)."""


def verify_credential(
    credential: Any,
    *,
    bundle: TrustBundle | None = None,
    key: PublicKey | None = None,
    card_number: str | None = None,
    now: dt.datetime | None = None,
    bundle_max_age: dt.timedelta = DEFAULT_BUNDLE_MAX_AGE,
    require_witnesses: int = 0,
) -> VerificationReport:
    """Verify a credential offline and report every check.

    `credential` is the signed credential, or the credential file the registry hands out (the
    envelope `dte-registry/credential-file/v1` with the credential and its inclusion proof).

    - With `bundle`: full verification; the proof's key is looked up in the bundle.
    - With `key` only: the proof alone under that key; the report says the issuer was NOT checked.
    - `card_number`: the holder's ID / social security number, to check the holder binding.
    - `now`: the verification time (default: the current time); a naive datetime is taken as UTC.
    - `require_witnesses`: `in_log` passes only with this many valid cosignatures on the
      checkpoint by witnesses the bundle lists (C2SP tlog-cosignature).

    To verify many credentials against one bundle, build a `Verifier` once and call its `verify`:
    the reports are the same, and the per-issuer work is done once.
    """
    verifier = Verifier(
        bundle, key=key, bundle_max_age=bundle_max_age, require_witnesses=require_witnesses
    )
    return verifier.verify(credential, card_number=card_number, now=now)


class Verifier:
    """A reusable offline verifier: built once from a trust bundle (or a key), then `verify` (or
    `verify_many`) for each credential, e.g. an employer checking a thousand applicants.

    Each report is exactly what `verify_credential` gives for the same arguments: every check is
    run and reported; what is shared between calls is in `credentials._memo`. A plain JSON input
    (`_jcs.plain_size`) is walked once, and that walk stands in for the input check and lets the
    proof and the schema skip their own. `reference=True` switches memos and fast paths off
    (every check computed from scratch); tests/credentials/test_verifier_batch.py compares both.
    """

    def __init__(
        self,
        bundle: TrustBundle | None = None,
        *,
        key: PublicKey | None = None,
        bundle_max_age: dt.timedelta = DEFAULT_BUNDLE_MAX_AGE,
        reference: bool = False,
        require_witnesses: int = 0,
    ) -> None:
        if isinstance(require_witnesses, bool) or not 0 <= require_witnesses <= 1000:
            raise ValueError("require_witnesses is a count from 0 to 1000")
        self.require_witnesses = require_witnesses
        self.bundle = bundle
        self.key = key
        self.bundle_max_age = bundle_max_age
        self.mode: Mode = "bundle" if bundle is not None else "key" if key is not None else "none"
        self.fast = not reference
        self.memos = _memo.Memos(0 if reference else _memo.LIMIT)

    def verify(
        self, credential: Any, *, card_number: str | None = None, now: dt.datetime | None = None
    ) -> VerificationReport:
        """The report for one credential; see `verify_credential`. Never raises."""
        if now is None:
            when = dt.datetime.now(dt.UTC)
        elif now.tzinfo is None or now.utcoffset() is None:
            when = now.replace(tzinfo=dt.UTC)  # a naive time is read as UTC, as documented
        else:
            when = now
        try:
            found = checks.run(self, credential, card_number, when)
        except Exception as exc:
            # A bug here must not become a traceback or, worse, a pass.
            message = f"the verifier failed: {checks.brief(exc)}"
            found = [Check("input", Status.UNKNOWN, "VERIFIER_ERROR", message)]
            note = "not evaluated: verifier error"
            found += [Check(n, Status.SKIPPED, "NOT_EVALUATED", note) for n in CHECK_NAMES[1:]]
        bundle = self.bundle
        outcome = verdict(found, self.mode)
        return VerificationReport(
            checks=tuple(found),
            verdict=outcome,
            mode=self.mode,
            checked_at=when,
            bundle_sequence=bundle.sequence if bundle is not None else None,
            bundle_issued=bundle.issued if bundle is not None else None,
            description=describe(
                _inlog.unwrap(credential)[0], bundle, confirmed=outcome is Verdict.VALID
            ),
        )

    def verify_many(
        self, credentials: Iterable[Any], *, now: dt.datetime | None = None
    ) -> list[VerificationReport]:
        """One report per credential, in order, all at the same verification time (`now`, or the
        current time when the call starts). No card numbers: `holder_binding` is SKIPPED."""
        if now is None:
            now = dt.datetime.now(dt.UTC)
        verify = self.verify
        return [verify(credential, now=now) for credential in credentials]
