"""The offline verifier: one function, one report with an entry per check.

Shaped like sigstore-python's verifier: nothing is hidden behind a single boolean, every check says
what it looked at, and the verdict is derived from the checks by one rule (see `Verdict`).

Checks, in order: `input`, `proof`, `issuer_key`, `issuer_listed`, `status`, `schema`,
`holder_binding`. If the input is not a JSON object or the proof fails, every later check is
SKIPPED: a document whose signature does not hold says nothing, so nothing else is claimed about
it. Status that cannot be established is UNKNOWN, never PASS.

`verify_credential` never raises: any input, however malformed, gives a report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from credentials import binding, certificate, proof
from credentials.bundle import TrustBundle, china_date, format_timestamp, parse_timestamp
from credentials.errors import CredentialError
from credentials.jcs import plain_size
from credentials.keys import PublicKey
from credentials.status_list import ENTRY_TYPE, STATUS_PURPOSE

DEFAULT_BUNDLE_MAX_AGE: Final = dt.timedelta(days=7)
"""Past this age a bundle's status lists are too old to say "not revoked" (status is UNKNOWN)."""

CLOCK_SKEW: Final = dt.timedelta(minutes=5)
"""Tolerance for a verifier's clock running behind the registry's."""

MAX_INPUT_DEPTH: Final = 64
MAX_INPUT_NODES: Final = 1_000_000

CERTIFICATE_TYPE: Final = "ProfessionalTechnicalLevelCertificate"
CHECK_NAMES: Final = (
    "input",
    "proof",
    "issuer_key",
    "issuer_listed",
    "status",
    "schema",
    "holder_binding",
)


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
    - STATUS_UNKNOWN: every evaluated check passed but revocation could not be established (list
      missing or unverifiable, bundle too old). The certificate is genuine but may be revoked;
      kept apart from INVALID so the caller knows that a fresh bundle may settle it.
    - SIGNATURE_VALID_ISSUER_NOT_CHECKED: verified with a given key only; the proof (and the
      holder binding, when asked) passed, but who the issuer is was not checked.
    - VALID: full verification against a bundle; every check that ran passed. `holder_binding`
      may be SKIPPED (no card number given); nothing else may be.
    """

    VALID = "VALID"
    INVALID = "INVALID"
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
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, default=str)


# --- the function ----------------------------------------------------------------------------


def verify_credential(
    credential: Any,
    *,
    bundle: TrustBundle | None = None,
    key: PublicKey | None = None,
    card_number: str | None = None,
    now: dt.datetime | None = None,
    bundle_max_age: dt.timedelta = DEFAULT_BUNDLE_MAX_AGE,
) -> VerificationReport:
    """Verify a credential offline and report every check.

    - With `bundle`: full verification; the proof's key is looked up in the bundle.
    - With `key` only: the proof alone under that key; the report says the issuer was NOT checked.
    - `card_number`: the holder's ID / social security number, to check the holder binding.
    - `now`: the verification time (default: the current time); a naive datetime is taken as UTC.

    To verify many credentials against one bundle, build a `Verifier` once and call its `verify`:
    the reports are the same, and the per-issuer work is done once.
    """
    return Verifier(bundle, key=key, bundle_max_age=bundle_max_age).verify(
        credential, card_number=card_number, now=now
    )


_CACHE_LIMIT: Final = 4096
"""Entries per memo of a `Verifier`; past it, new keys are computed and not remembered."""


class Verifier:
    """A reusable offline verifier: built once from a trust bundle (or a key), then `verify` (or
    `verify_many`) for each credential, e.g. an employer checking a thousand applicants.

    Each report is exactly what `verify_credential` gives for the same arguments: every check is
    run and reported. What is shared between calls is only work that depends on the bundle and
    on repeated strings, never on a credential as a whole: the proof key per verificationMethod
    (bundle look-up or did:key resolution), the `issuer_key` and `issuer_listed` outcomes per
    (key, issuer, issuance time[, occupation, level, direction]), the status lists (decoded once
    per list by the bundle) and their validity, the bundle's age texts per `now`. Those memos are
    keyed by exact strings and filled only for plain JSON input (`jcs.plain_size`), whose one walk
    also stands in for the input check and lets the proof and the schema skip their own walks.

    `reference=True` switches all of that off (every check computed from scratch, as before the
    batch API); tests/credentials/test_verifier_batch.py compares the two.
    """

    def __init__(
        self,
        bundle: TrustBundle | None = None,
        *,
        key: PublicKey | None = None,
        bundle_max_age: dt.timedelta = DEFAULT_BUNDLE_MAX_AGE,
        reference: bool = False,
    ) -> None:
        self.bundle = bundle
        self.key = key
        self.bundle_max_age = bundle_max_age
        self.mode: Mode = "bundle" if bundle is not None else "key" if key is not None else "none"
        self.fast = not reference
        self._proof_keys: dict[str, tuple[PublicKey | None, str, Check | None]] = {}
        self._issuer_key: dict[tuple[Any, ...], tuple[bool, Check]] = {}
        self._issuer_listed: dict[tuple[Any, ...], Check] = {}
        self._status_lists: dict[str, tuple[Any, dt.datetime | None]] = {}
        self._as_of: tuple[dt.datetime, dt.timedelta, dict[str, Any], str] | None = None

    def verify(
        self,
        credential: Any,
        *,
        card_number: str | None = None,
        now: dt.datetime | None = None,
    ) -> VerificationReport:
        """The report for one credential; see `verify_credential`. Never raises."""
        if now is None:
            when = dt.datetime.now(dt.UTC)
        elif now.tzinfo is None or now.utcoffset() is None:
            when = now.replace(tzinfo=dt.UTC)  # a naive time is read as UTC, as documented
        else:
            when = now
        mode = self.mode
        try:
            checks = _Run(self, credential, card_number, when).run()
        except Exception as exc:
            # A bug here must not become a traceback or, worse, a pass.
            checks = [
                Check(
                    "input", Status.UNKNOWN, "VERIFIER_ERROR", f"the verifier failed: {_brief(exc)}"
                )
            ]
            checks += [_skipped(n, "not evaluated: verifier error") for n in CHECK_NAMES[1:]]
        bundle = self.bundle
        return VerificationReport(
            checks=tuple(checks),
            verdict=_verdict(checks, mode),
            mode=mode,
            checked_at=when,
            bundle_sequence=bundle.sequence if bundle is not None else None,
            bundle_issued=bundle.issued if bundle is not None else None,
        )

    def verify_many(
        self,
        credentials: Iterable[Any],
        *,
        now: dt.datetime | None = None,
    ) -> list[VerificationReport]:
        """One report per credential, in order, all at the same verification time (`now`, or the
        current time when the call starts). No card numbers: `holder_binding` is SKIPPED."""
        if now is None:
            now = dt.datetime.now(dt.UTC)
        verify = self.verify
        return [verify(credential, now=now) for credential in credentials]


_ALL_PASSED: Final = (*((name, Status.PASS) for name in CHECK_NAMES[:-1]),)


def _verdict(checks: list[Check], mode: Mode) -> Verdict:
    if (
        mode == "bundle"
        and len(checks) == len(CHECK_NAMES)
        and checks[-1].name == "holder_binding"
        and checks[-1].status in (Status.PASS, Status.SKIPPED)
        and tuple((c.name, c.status) for c in checks[:-1]) == _ALL_PASSED
    ):
        return Verdict.VALID  # the common case, as the rules below decide it
    statuses = {c.name: c.status for c in checks}
    if Status.FAIL in statuses.values():
        return Verdict.INVALID
    unknown = {name for name, status in statuses.items() if status is Status.UNKNOWN}
    if unknown - {"status"}:
        return Verdict.UNVERIFIED
    if unknown:
        return Verdict.STATUS_UNKNOWN
    if mode != "bundle":
        return (
            Verdict.SIGNATURE_VALID_ISSUER_NOT_CHECKED
            if statuses.get("proof") is Status.PASS
            else Verdict.UNVERIFIED
        )
    must_pass = set(CHECK_NAMES) - {"holder_binding"}
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


def _skipped(name: str, message: str) -> Check:
    return Check(name, Status.SKIPPED, "NOT_EVALUATED", message)


def _brief(value: object, limit: int = 120) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _duration(delta: dt.timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{days} d"] if days else []
    if hours or days:
        parts.append(f"{hours} h")
    if not days:
        parts.append(f"{minutes} min")
    return " ".join(parts)


def _json_problem(value: Any) -> str | None:
    """Why `value` is not a JSON object (as `json.loads` would give), or None if it is one."""
    if not isinstance(value, dict):
        return f"expected a JSON object, got {type(value).__name__}"
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > MAX_INPUT_NODES:
            return f"more than {MAX_INPUT_NODES} values: not a credential"
        if depth > MAX_INPUT_DEPTH:
            return f"nested deeper than {MAX_INPUT_DEPTH} levels: not a credential"
        if item is None or isinstance(item, bool | int | str):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return "contains NaN or an infinity, which JSON cannot express"
            continue
        if isinstance(item, dict):
            for k, v in item.items():
                if not isinstance(k, str):
                    return "an object key is not a string"
                stack.append((v, depth + 1))
            continue
        if isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
            continue
        return f"contains a {type(item).__name__}, which is not a JSON value"
    return None


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if type(issuer) is dict or isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _get(value: Any, *path: str) -> Any:
    for name in path:
        if not (type(value) is dict or isinstance(value, Mapping)):
            return None
        value = value.get(name)
    return value


class _Run:
    """One verification; each check is a method that returns its `Check`."""

    def __init__(
        self, verifier: Verifier, credential: Any, card_number: str | None, now: dt.datetime
    ) -> None:
        self.verifier = verifier
        self.credential = credential
        self.bundle = verifier.bundle
        self.key = verifier.key
        self.card_number = card_number
        self.now = now
        self.bundle_max_age = verifier.bundle_max_age
        self.mode = verifier.mode
        # True once `check_input` has found the document plain JSON (`jcs.plain_size`): later
        # checks then skip their own walks and may use the verifier's memos (keyed by exact str).
        self.plain = False
        # True once `check_input` has found it plain and accepted by the schema's fast check.
        self.accepted = False

    def run(self) -> list[Check]:
        checks = [self._guard("input", self.check_input)]
        if checks[0].status is not Status.PASS:
            return checks + [
                _skipped(n, "not evaluated: input is not a JSON object") for n in CHECK_NAMES[1:]
            ]
        self.doc: dict[str, Any] = self.credential
        checks.append(self._guard("proof", self.check_proof))
        if checks[1].status is Status.FAIL:
            return checks + [
                _skipped(n, "not evaluated: signature invalid") for n in CHECK_NAMES[2:]
            ]
        if checks[1].status is not Status.PASS:
            return checks + [
                _skipped(n, "not evaluated: the signature could not be checked")
                for n in CHECK_NAMES[2:]
            ]
        if self.bundle is None:
            note = "not evaluated: verified with a given key only; the issuer was NOT checked"
            checks += [_skipped(n, note) for n in ("issuer_key", "issuer_listed", "status")]
        else:
            checks.append(self._guard("issuer_key", self.check_issuer_key))
            checks.append(self._guard("issuer_listed", self.check_issuer_listed))
            checks.append(self._guard("status", self.check_status, Status.UNKNOWN))
        checks.append(self._guard("schema", self.check_schema))
        checks.append(self._guard("holder_binding", self.check_holder_binding))
        return checks

    def _guard(
        self, name: str, method: Callable[[], Check], on_error: Status = Status.FAIL
    ) -> Check:
        try:
            check = method()
        except Exception as exc:
            # Malformed input reaching a code path we did not foresee: no claim can be made.
            check = Check(name, on_error, "CHECK_ERROR", f"could not be evaluated: {_brief(exc)}")
        # Messages quote text from the credential; a crafted value must not steer a terminal.
        message = printable(check.message)
        return check if message == check.message else dataclasses.replace(check, message=message)

    # -- input ---------------------------------------------------------------------------------

    def check_input(self) -> Check:
        if self.verifier.fast and type(self.credential) is dict:
            if certificate.accepts_plain(self.credential):
                # Plain (so `_json_problem` has nothing against it) and of the schema's shape,
                # found in one pass: the schema check is left only its semantic rules.
                self.plain = self.accepted = True
                return Check("input", Status.PASS, "JSON_OBJECT", "the input is a JSON object")
            # A plain document (exact dict/list/str/int/bool/None, bounded depth) of at most
            # MAX_INPUT_NODES values is one `_json_problem` has nothing against.
            size = plain_size(self.credential, MAX_INPUT_NODES)
            if 0 <= size <= MAX_INPUT_NODES:
                self.plain = True
                return Check("input", Status.PASS, "JSON_OBJECT", "the input is a JSON object")
        problem = _json_problem(self.credential)
        if problem is not None:
            return Check("input", Status.FAIL, "NOT_A_JSON_OBJECT", problem)
        return Check("input", Status.PASS, "JSON_OBJECT", "the input is a JSON object")

    # -- proof ---------------------------------------------------------------------------------

    def check_proof(self) -> Check:
        if self.bundle is None and self.key is None:
            return Check(
                "proof",
                Status.UNKNOWN,
                "NO_TRUST_ANCHOR",
                "neither a trust bundle nor a key was given, so the signature cannot be checked",
            )
        method = proof.verification_method_of(self.doc)
        details: dict[str, Any] = {"verificationMethod": method}
        if self.plain and method is not None:
            memo = self.verifier._proof_keys
            resolved = memo.get(method)
            if resolved is None:
                resolved = self._resolve_key(method)
                if len(memo) < _CACHE_LIMIT:
                    memo[method] = resolved
        else:
            resolved = self._resolve_key(method)
        public_key, source, failure = resolved
        if failure is not None:
            return dataclasses.replace(failure, details=details)
        if public_key is None:
            if "proof" not in self.doc:
                return Check("proof", Status.FAIL, "PROOF_MISSING", "the document has no proof")
            return Check(
                "proof",
                Status.FAIL,
                "PROOF_MALFORMED",
                "the proof is not a single object with a verificationMethod string",
                details,
            )
        if self.plain:
            result = proof.verify_plain(self.doc, public_key)
        else:
            result = proof.verify(self.doc, public_key)
        details["keySource"] = source
        if result.created is not None:
            details["created"] = result.created
        if not result.ok:
            return Check("proof", Status.FAIL, result.code, result.message, details)
        message = f"signature valid (eddsa-jcs-2022) under {source}"
        if self.bundle is None:
            message += "; the issuer was NOT checked"
        return Check("proof", Status.PASS, result.code, message, details)

    def _resolve_key(self, method: str | None) -> tuple[PublicKey | None, str, Check | None]:
        """The key to check the proof with and where it came from, or the failed check (its
        details are filled in by the caller). Depends only on `method` and the verifier."""
        source = "the given key"
        public_key = self.key
        if self.bundle is not None:
            known = self.bundle.key(method) if method is not None else None
            if known is not None:
                public_key, source = known.public_key, "the key from the trust bundle"
            elif method is not None:
                # A did:key names its own public key, so the signature can still be checked; the
                # issuer_key check then says that the bundle does not know this key.
                try:
                    public_key = PublicKey.from_verification_method(method)
                    source = "the proof's own did:key, which is not in the trust bundle"
                except CredentialError as exc:
                    return (
                        None,
                        source,
                        Check(
                            "proof",
                            Status.FAIL,
                            "PROOF_KEY_UNRESOLVED",
                            "the proof's key is not in the bundle and cannot be resolved "
                            f"offline: {exc.message}",
                        ),
                    )
            if self.key is not None and public_key is not None and self.key != public_key:
                return (
                    None,
                    source,
                    Check(
                        "proof",
                        Status.FAIL,
                        "PROOF_KEY_MISMATCH",
                        "the given key is not the key the proof names",
                    ),
                )
        return public_key, source, None

    def _memo_key(self, *parts: Any) -> tuple[Any, ...]:
        """The issuance-time part of a memo key, after `parts`: proof.created and validFrom as
        given when they are strings (`issuance_time` reads nothing else), else None."""
        created = _get(self.doc, "proof", "created")
        valid_from = self.doc.get("validFrom")
        return (
            *parts,
            created if type(created) is str else None,
            valid_from if type(valid_from) is str else None,
        )

    # -- issuer key ----------------------------------------------------------------------------

    def issuance_time(self) -> tuple[dt.datetime | None, str]:
        """When the credential was signed: proof.created, else validFrom."""
        for source, value in (
            ("proof.created", _get(self.doc, "proof", "created")),
            ("validFrom", self.doc.get("validFrom")),
        ):
            try:
                return parse_timestamp(value), source
            except (ValueError, TypeError):
                continue
        return None, ""

    def check_issuer_key(self) -> Check:
        if not self.plain:
            return self._check_issuer_key()
        # Memo: the outcome depends on the key, the issuer and the issuance time, and on `now`
        # only through "signed in the future?", which is part of what is remembered.
        memo = self.verifier._issuer_key
        key = self._memo_key(proof.verification_method_of(self.doc), _issuer_id(self.doc))
        issued, _ = self.issuance_time()
        future = issued is not None and issued > self.now + CLOCK_SKEW
        found = memo.get(key)
        if found is not None and found[0] is future:
            return _fresh(found[1])
        check = self._check_issuer_key()
        if len(memo) < _CACHE_LIMIT:
            memo[key] = (future, check)
        return _fresh(check)

    def _check_issuer_key(self) -> Check:
        assert self.bundle is not None
        method = proof.verification_method_of(self.doc)
        known = self.bundle.key(method) if method is not None else None
        details: dict[str, Any] = {"verificationMethod": method}
        if known is None:
            return Check(
                "issuer_key",
                Status.FAIL,
                "KEY_NOT_IN_BUNDLE",
                "the signing key is not a key of any institution in the trust bundle",
                details,
            )
        issuer = _issuer_id(self.doc)
        details["issuer"] = issuer
        details["keyOwner"] = known.institution_id
        details["keyValidFrom"] = format_timestamp(known.valid_from)
        details["keyValidUntil"] = (
            format_timestamp(known.valid_until) if known.valid_until is not None else None
        )
        if issuer is None:
            return Check(
                "issuer_key",
                Status.FAIL,
                "ISSUER_MISSING",
                "the credential names no issuer",
                details,
            )
        if known.institution_id != issuer:
            return Check(
                "issuer_key",
                Status.FAIL,
                "KEY_NOT_ISSUERS",
                f"the signing key belongs to {known.institution_id}, not to the issuer {issuer}",
                details,
            )
        issued, source = self.issuance_time()
        if issued is None:
            return Check(
                "issuer_key",
                Status.FAIL,
                "NO_ISSUANCE_TIME",
                "neither proof.created nor validFrom is a date-time with a time zone",
                details,
            )
        details["issuedAt"] = format_timestamp(issued)
        details["issuedAtSource"] = source
        if issued > self.now + CLOCK_SKEW:
            return Check(
                "issuer_key",
                Status.FAIL,
                "ISSUED_IN_FUTURE",
                f"the credential claims to be signed at {details['issuedAt']}, after now",
                details,
            )
        window = f"{details['keyValidFrom']} – {details['keyValidUntil'] or 'now'}"
        if issued < known.valid_from:
            return Check(
                "issuer_key",
                Status.FAIL,
                "KEY_NOT_YET_VALID",
                f"signed at {details['issuedAt']}, before the key's window ({window})",
                details,
            )
        if known.valid_until is not None and issued >= known.valid_until:
            return Check(
                "issuer_key",
                Status.FAIL,
                "KEY_RETIRED",
                f"signed at {details['issuedAt']}, after the key was retired ({window})",
                details,
            )
        retired = "" if known.valid_until is None else " (a retired key, valid for this date)"
        owner = self.bundle.institution(issuer)
        return Check(
            "issuer_key",
            Status.PASS,
            "KEY_VALID_AT_ISSUANCE",
            f"key of {owner.name if owner else issuer} valid when the credential was signed "
            f"({window}){retired}",
            details,
        )

    # -- issuer listed -------------------------------------------------------------------------

    def check_issuer_listed(self) -> Check:
        if not self.plain:
            return self._check_issuer_listed()
        cert = _get(self.doc, "credentialSubject", "certificate")
        occupation = _get(cert, "occupation", "code")
        level = _get(cert, "level", "code")
        level_name = _get(cert, "level", "name")
        direction = _get(cert, "direction")
        # Everything the check reads, normalised as it reads it (a non-string is as absent).
        key = self._memo_key(
            _issuer_id(self.doc),
            occupation if type(occupation) is str else None,
            level if type(level) is int else None,
            level_name if type(level_name) is str else None,
            direction if type(direction) is str else None,
        )
        memo = self.verifier._issuer_listed
        found = memo.get(key)
        if found is None:
            found = self._check_issuer_listed()
            if len(memo) < _CACHE_LIMIT:
                memo[key] = found
        return _fresh(found)

    def _check_issuer_listed(self) -> Check:
        assert self.bundle is not None
        issuer = _issuer_id(self.doc)
        institution = self.bundle.institution(issuer) if issuer is not None else None
        details: dict[str, Any] = {"issuer": issuer}
        if institution is None:
            return Check(
                "issuer_listed",
                Status.FAIL,
                "ISSUER_NOT_IN_BUNDLE",
                "the issuer is not an institution in the trust bundle",
                details,
            )
        details["institutionName"] = institution.name
        if institution.kind != "EVALUATION":
            return Check(
                "issuer_listed",
                Status.FAIL,
                "ISSUER_NOT_EVALUATION",
                f"{institution.name} is a {institution.kind} institution; only evaluation "
                "institutions issue professional technical level certificates",
                details,
            )
        issued, _ = self.issuance_time()
        if issued is None:
            return Check(
                "issuer_listed",
                Status.FAIL,
                "NO_ISSUANCE_TIME",
                "the credential has no usable issuance time",
                details,
            )
        day = china_date(issued)
        details["issuanceDate"] = day.isoformat()
        cert = _get(self.doc, "credentialSubject", "certificate")
        occupation = _get(cert, "occupation", "code")
        level = _get(cert, "level", "code")
        level_name = _get(cert, "level", "name")
        direction = _get(cert, "direction")
        if not isinstance(occupation, str) or not isinstance(level, int) or isinstance(level, bool):
            return Check(
                "issuer_listed",
                Status.FAIL,
                "CERTIFICATE_FIELDS_MISSING",
                "the certificate's occupation code or level is missing",
                details,
            )
        direction = direction if isinstance(direction, str) else None
        what = f"occupation {occupation}, level {level}"
        what += f" ({level_name})" if isinstance(level_name, str) else ""
        what += f", direction {direction}" if direction else ""
        details.update(occupation=occupation, level=level, direction=direction)
        periods = institution.listings_on(day)
        if not periods:
            return Check(
                "issuer_listed",
                Status.FAIL,
                "NOT_LISTED_ON_DATE",
                f"{institution.name} was not on the directory on {day.isoformat()} (China time)",
                details,
            )
        matching = [p for p in periods if self.bundle.scope_match(p, occupation, level, direction)]
        period = matching[0] if matching else periods[0]
        details["listing"] = {
            "from": period.start.isoformat(),
            "until": period.end.isoformat() if period.end else None,
        }
        if not matching:
            return Check(
                "issuer_listed",
                Status.FAIL,
                "OUT_OF_SCOPE",
                f"{institution.name} was listed on {day.isoformat()}, but not for {what}",
                details,
            )
        return Check(
            "issuer_listed",
            Status.PASS,
            "LISTED_IN_SCOPE",
            f"{institution.name} was listed on {day.isoformat()} for {what}",
            details,
        )

    # -- status --------------------------------------------------------------------------------

    def _bundle_age(self) -> tuple[dt.timedelta, dict[str, Any], str]:
        assert self.bundle is not None
        remembered = self.verifier._as_of if self.verifier.fast else None
        if remembered is not None and remembered[0] == self.now:
            return remembered[1], dict(remembered[2]), remembered[3]
        age = self.now - self.bundle.issued
        details: dict[str, Any] = {
            "bundleIssued": format_timestamp(self.bundle.issued),
            "bundleAgeSeconds": int(age.total_seconds()),
            "bundleSequence": self.bundle.sequence,
        }
        as_of = f"as of the bundle of {details['bundleIssued']} ({_duration(age)} old)"
        if self.verifier.fast:
            self.verifier._as_of = (self.now, age, dict(details), as_of)
        return age, details, as_of

    def _list_until(self, url: str) -> dt.datetime | None:
        assert self.bundle is not None
        if not self.verifier.fast:
            return self.bundle.status_list_validity(url)[1]
        memo = self.verifier._status_lists
        found = memo.get(url)
        if found is None:
            found = self.bundle.status_list_validity(url)
            if len(memo) < _CACHE_LIMIT:
                memo[url] = found
        return found[1]

    def check_status(self) -> Check:
        assert self.bundle is not None
        age, details, as_of = self._bundle_age()

        def unknown(code: str, message: str) -> Check:
            return Check("status", Status.UNKNOWN, code, message, details)

        raw = self.doc.get("credentialStatus")
        entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
        revocation = [
            e
            for e in entries
            if isinstance(e, Mapping) and e.get("statusPurpose") == STATUS_PURPOSE
        ]
        if not revocation:
            return unknown("NO_STATUS_ENTRY", "the credential has no revocation status entry")
        if len(revocation) > 1:
            return unknown("STATUS_AMBIGUOUS", "the credential has several revocation entries")
        entry = revocation[0]
        url = entry.get("statusListCredential")
        index_text = entry.get("statusListIndex")
        details.update(statusListCredential=url, statusListIndex=index_text)
        if entry.get("type") != ENTRY_TYPE:
            return unknown("STATUS_TYPE_UNSUPPORTED", f"status entry type is not {ENTRY_TYPE}")
        if not isinstance(url, str):
            return unknown("STATUS_ENTRY_MALFORMED", "statusListCredential is not a URL")
        if (
            not isinstance(index_text, str)
            or not index_text.isascii()
            or not index_text.isdigit()
            or len(index_text) > 12
        ):
            return unknown(
                "STATUS_ENTRY_MALFORMED", "statusListIndex is not a non-negative decimal string"
            )
        index = int(index_text)
        try:
            status_list = self.bundle.status_list(url)
        except CredentialError as exc:
            return unknown(exc.code, f"{exc.message}; revocation cannot be checked")
        if index >= len(status_list):
            return unknown("RANGE_ERROR", "statusListIndex is outside the status list")
        if status_list.get(index):
            # A revocation is final: an older bundle that already shows it is enough to refuse.
            return Check(
                "status", Status.FAIL, "REVOKED", f"the certificate is REVOKED {as_of}", details
            )
        if age < -CLOCK_SKEW:
            return unknown(
                "BUNDLE_FROM_FUTURE",
                f"the bundle is dated {details['bundleIssued']}, after now: check the clock",
            )
        if age > self.bundle_max_age:
            return unknown(
                "BUNDLE_TOO_OLD",
                f"not revoked {as_of}, but that is older than the accepted "
                f"{_duration(self.bundle_max_age)}: get a current bundle",
            )
        list_until = self._list_until(url)
        if list_until is not None and self.now >= list_until:
            return unknown(
                "STATUS_LIST_EXPIRED",
                f"the status list expired at {format_timestamp(list_until)}: get a current bundle",
            )
        return Check("status", Status.PASS, "NOT_REVOKED", f"not revoked {as_of}", details)

    # -- schema --------------------------------------------------------------------------------

    def check_schema(self) -> Check:
        types = self.doc.get("type")
        is_certificate = isinstance(types, list) and CERTIFICATE_TYPE in types
        if self.mode == "key" and not is_certificate:
            return _skipped("schema", f"not evaluated: not a {CERTIFICATE_TYPE}")
        if self.accepted:
            problems = certificate.validate_accepted_certificate(self.doc)
        elif self.plain:
            problems = certificate.validate_plain_certificate(self.doc)
        else:
            problems = certificate.validate_certificate(self.doc)
        if problems:
            listed = [{"path": p.path, "message": _brief(p.message, 300)} for p in problems[:20]]
            first = problems[0]
            return Check(
                "schema",
                Status.FAIL,
                "SCHEMA_INVALID",
                f"{len(problems)} schema problem(s); first at {first.path or '/'}: "
                f"{_brief(first.message)}",
                {"problems": listed},
            )
        return Check("schema", Status.PASS, "SCHEMA_VALID", "matches the certificate schema")

    # -- holder binding ------------------------------------------------------------------------

    def check_holder_binding(self) -> Check:
        if self.card_number is None:
            return _skipped("holder_binding", "not evaluated: no card number given")
        commitment = _get(self.doc, "credentialSubject", "holderBinding")
        if not isinstance(commitment, Mapping):
            return Check(
                "holder_binding",
                Status.FAIL,
                "NO_HOLDER_BINDING",
                "the credential carries no holder binding",
            )
        result = binding.check(commitment, self.card_number)
        status = Status.PASS if result.ok else Status.FAIL
        return Check("holder_binding", status, result.code, result.message)


def _fresh(check: Check) -> Check:
    """A remembered check with its own copy of the details (and of the dicts in them), so that
    no two reports share a mutable object."""
    details = {k: dict(v) if type(v) is dict else v for k, v in check.details.items()}
    return Check(check.name, check.status, check.code, check.message, details)
