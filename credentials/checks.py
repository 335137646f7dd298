"""The checks of the offline verifier, each a small function of one `_Run` returning its `Check`.

Checks, in order: `input`, `proof`, `issuer_key`, `issuer_listed`, `status`, `schema`,
`holder_binding`. `issuer_listed` and `status` also tie the certificate to its issuer: its number
must carry the issuer's digits and its status index lie in the issuer's own range, both as the
bundle states them. If the input is not a JSON object or the proof fails, every later check is
SKIPPED: a document whose signature does not hold says nothing, so nothing else is claimed about
it. Status that cannot be established is UNKNOWN, never PASS. The page's verifier
(web/verifier/src/verifier.js) makes the same checks in the same order; tests/web/
test_conformance.py holds the two to the same reports. What is remembered between credentials
is `credentials._memo`'s; a check only says under which key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from credentials import _acceptance, _inlog, _memo, _proof, binding, certificate
from credentials._jcs import plain_size
from credentials._memo import get, issuer_id
from credentials.bundle import (
    BundleKey,
    Institution,
    TrustBundle,
    china_date,
    format_timestamp,
    parse_timestamp,
)
from credentials.errors import CredentialError
from credentials.keys import PublicKey
from credentials.report import CHECK_NAMES, Check, Status, printable
from credentials.status_list import ENTRY_TYPE, STATUS_PURPOSE

__all__ = [
    "CERTIFICATE_TYPE",
    "CLOCK_SKEW",
    "MAX_INPUT_DEPTH",
    "MAX_INPUT_NODES",
    "Settings",
    "run",
]

CLOCK_SKEW: Final = dt.timedelta(minutes=5)
"""Tolerance for a verifier's clock running behind the registry's."""

MAX_INPUT_DEPTH: Final = 64
MAX_INPUT_NODES: Final = 1_000_000
CERTIFICATE_TYPE: Final = certificate.CREDENTIAL_TYPE


class Settings(Protocol):
    """What the checks read of the verifier that runs them."""

    bundle: TrustBundle | None
    key: PublicKey | None
    bundle_max_age: dt.timedelta
    fast: bool
    memos: _memo.Memos
    require_witnesses: int


def run(
    settings: Settings, credential: Any, card_number: str | None, now: dt.datetime
) -> list[Check]:
    """Every check of `credential`, in order (`CHECK_NAMES`); raises only on a bug."""
    return _Run(settings, credential, card_number, now).run()


def _skipped(name: str, message: str) -> Check:
    return Check(name, Status.SKIPPED, "NOT_EVALUATED", message)


def brief(value: object, limit: int = 120) -> str:
    """`str(value)`, cut to `limit` characters."""
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


class _Run:
    """One verification: the inputs every check reads, and the order the checks run in."""

    def __init__(
        self,
        settings: Settings,
        credential: Any,
        card_number: str | None,
        now: dt.datetime,
    ) -> None:
        # A credential file (the envelope) carries the credential and its inclusion proof.
        self.credential, self.inclusion, self.envelope_problem = _inlog.unwrap(credential)
        self.require_witnesses = settings.require_witnesses
        self.bundle = settings.bundle
        self.key = settings.key
        self.bundle_max_age = settings.bundle_max_age
        self.fast = settings.fast
        self.card_number = card_number
        self.now = now
        self.doc: dict[str, Any] = {}
        # Set by `check_input`: the document is plain JSON (later checks skip their own walks and
        # may use the memos, keyed by exact str), and accepted by the schema's fast check.
        self.plain = False
        self.accepted = False
        self.memos = settings.memos

    def run(self) -> list[Check]:
        checks = [self.guard("input", check_input)]
        if checks[0].status is not Status.PASS:
            note = "not evaluated: input is not a JSON object"
            return checks + [_skipped(n, note) for n in CHECK_NAMES[1:]]
        self.doc = self.credential
        checks.append(self.guard("proof", check_proof))
        if checks[1].status is not Status.PASS:
            failed = checks[1].status is Status.FAIL
            note = "signature invalid" if failed else "the signature could not be checked"
            return checks + [_skipped(n, f"not evaluated: {note}") for n in CHECK_NAMES[2:]]
        if self.bundle is None:
            note = "not evaluated: verified with a given key only; the issuer was NOT checked"
            checks += [_skipped(n, note) for n in ("issuer_key", "issuer_listed", "status")]
        else:
            checks.append(self.guard("issuer_key", check_issuer_key))
            checks.append(self.guard("issuer_listed", check_issuer_listed))
            checks.append(self.guard("status", check_status, Status.UNKNOWN))
        checks.append(self.guard("schema", check_schema))
        checks.append(self.guard("holder_binding", check_holder_binding))
        if self.bundle is None:
            checks.append(_skipped("in_log", "not evaluated: no trust bundle names a log"))
        else:
            checks.append(self.guard("in_log", check_in_log))
        return checks

    def guard(
        self, name: str, check: Callable[[_Run], Check], on_error: Status = Status.FAIL
    ) -> Check:
        """`check(self)`, or the check's error as a `CHECK_ERROR`; messages made printable."""
        try:
            result = check(self)
        except Exception as exc:
            # Malformed input reaching a code path we did not foresee: no claim can be made.
            result = Check(name, on_error, "CHECK_ERROR", f"could not be evaluated: {brief(exc)}")
        # Messages quote text from the credential; a crafted value must not steer a terminal.
        message = printable(result.message)
        return result if message == result.message else dataclasses.replace(result, message=message)

    def issuance_time(self) -> tuple[dt.datetime | None, str]:
        """When the credential was signed: proof.created, else validFrom."""
        for source, value in (
            ("proof.created", get(self.doc, "proof", "created")),
            ("validFrom", self.doc.get("validFrom")),
        ):
            try:
                return parse_timestamp(value), source
            except (ValueError, TypeError):
                continue
        return None, ""

    def trusted(self) -> TrustBundle:
        """The bundle (the trust checks run only with one)."""
        assert self.bundle is not None
        return self.bundle


# --- input ------------------------------------------------------------------------------------

_JSON_OBJECT: Final = Check("input", Status.PASS, "JSON_OBJECT", "the input is a JSON object")


def check_input(run: _Run) -> Check:
    if run.envelope_problem is not None:
        return Check("input", Status.FAIL, "ENVELOPE_UNSUPPORTED", run.envelope_problem)
    credential = run.credential
    if run.fast and type(credential) is dict:
        if _acceptance.accepts(credential, plain=True):
            # Plain (so `_json_problem` has nothing against it) and of the schema's shape, found
            # in one pass: the schema check is left only its semantic rules.
            run.plain = run.accepted = True
            return _JSON_OBJECT
        # A plain document of at most MAX_INPUT_NODES values is one `_json_problem` accepts.
        if 0 <= plain_size(credential, MAX_INPUT_NODES) <= MAX_INPUT_NODES:
            run.plain = True
            return _JSON_OBJECT
    problem = _json_problem(credential)
    if problem is not None:
        return Check("input", Status.FAIL, "NOT_A_JSON_OBJECT", problem)
    return _JSON_OBJECT


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
        elif isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return "an object key is not a string"
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        else:
            return f"contains a {type(item).__name__}, which is not a JSON value"
    return None


# --- proof ------------------------------------------------------------------------------------

_Resolved = tuple[PublicKey | None, str, Check | None]


def check_proof(run: _Run) -> Check:
    if run.bundle is None and run.key is None:
        return Check(
            "proof",
            Status.UNKNOWN,
            "NO_TRUST_ANCHOR",
            "neither a trust bundle nor a key was given, so the signature cannot be checked",
        )
    method = _proof.verification_method_of(run.doc)
    details: dict[str, Any] = {"verificationMethod": method}
    if run.plain and method is not None:
        resolved = run.memos.remember("proof_key", method, lambda: _resolve_key(run, method))
    else:
        resolved = _resolve_key(run, method)
    public_key, source, failure = resolved
    if failure is not None:
        return dataclasses.replace(failure, details=details)
    if public_key is None:
        if "proof" not in run.doc:
            return Check("proof", Status.FAIL, "PROOF_MISSING", "the document has no proof")
        message = "the proof is not a single object with a verificationMethod string"
        return Check("proof", Status.FAIL, "PROOF_MALFORMED", message, details)
    result = _proof.verify(run.doc, public_key, plain=run.plain)
    details["keySource"] = source
    if result.created is not None:
        details["created"] = result.created
    if not result.ok:
        return Check("proof", Status.FAIL, result.code, result.message, details)
    message = f"signature valid (eddsa-jcs-2022) under {source}"
    if run.bundle is None:
        message += "; the issuer was NOT checked"
    return Check("proof", Status.PASS, result.code, message, details)


def _resolve_key(run: _Run, method: str | None) -> _Resolved:
    """The key to check the proof with and where it came from, or the failed check (its
    details are filled in by the caller). Depends only on `method` and the verifier."""
    source = "the given key"
    public_key = run.key
    if run.bundle is None:
        return public_key, source, None
    known = run.bundle.key(method) if method is not None else None
    if known is not None:
        public_key, source = known.public_key, "the key from the trust bundle"
    elif method is not None:
        # A did:key names its own public key, so the signature can still be checked; the
        # issuer_key check then says that the bundle does not know this key.
        try:
            public_key = PublicKey.from_verification_method(method)
        except CredentialError as exc:
            message = (
                "the proof's key is not in the bundle and cannot be resolved "
                f"offline: {exc.message}"
            )
            return None, source, Check("proof", Status.FAIL, "PROOF_KEY_UNRESOLVED", message)
        source = "the proof's own did:key, which is not in the trust bundle"
    if run.key is not None and public_key is not None and run.key != public_key:
        message = "the given key is not the key the proof names"
        return None, source, Check("proof", Status.FAIL, "PROOF_KEY_MISMATCH", message)
    return public_key, source, None


# --- issuer key -------------------------------------------------------------------------------


def check_issuer_key(run: _Run) -> Check:
    if not run.plain:
        return _issuer_key(run)
    # The outcome depends on the key, the issuer and the issuance time, and on `now` only
    # through "signed in the future?", which is part of what is remembered.
    issued, _ = run.issuance_time()
    future = issued is not None and issued > run.now + CLOCK_SKEW
    return run.memos.issuer_key(_memo.issuer_key_key(run.doc), future, lambda: _issuer_key(run))


def _key_fail(code: str, message: str, details: dict[str, Any]) -> Check:
    return Check("issuer_key", Status.FAIL, code, message, details)


def _issuer_key(run: _Run) -> Check:
    bundle = run.trusted()
    method = _proof.verification_method_of(run.doc)
    known = bundle.key(method) if method is not None else None
    details: dict[str, Any] = {"verificationMethod": method}
    if known is None:
        message = "the signing key is not a key of any institution in the trust bundle"
        return _key_fail("KEY_NOT_IN_BUNDLE", message, details)
    issuer = issuer_id(run.doc)
    details["issuer"] = issuer
    details["keyOwner"] = known.institution_id
    details["keyValidFrom"] = format_timestamp(known.valid_from)
    until = known.valid_until
    details["keyValidUntil"] = format_timestamp(until) if until is not None else None
    if issuer is None:
        return _key_fail("ISSUER_MISSING", "the credential names no issuer", details)
    if known.institution_id != issuer:
        message = f"the signing key belongs to {known.institution_id}, not to the issuer {issuer}"
        return _key_fail("KEY_NOT_ISSUERS", message, details)
    issued, source = run.issuance_time()
    if issued is None:
        message = "neither proof.created nor validFrom is a date-time with a time zone"
        return _key_fail("NO_ISSUANCE_TIME", message, details)
    details["issuedAt"] = format_timestamp(issued)
    details["issuedAtSource"] = source
    return _key_window(run, known, issuer, issued, details)


def _key_window(
    run: _Run, known: BundleKey, issuer: str, issued: dt.datetime, details: dict[str, Any]
) -> Check:
    """The key's validity window against the issuance time."""
    at = details["issuedAt"]
    if issued > run.now + CLOCK_SKEW:
        message = f"the credential claims to be signed at {at}, after now"
        return _key_fail("ISSUED_IN_FUTURE", message, details)
    window = f"{details['keyValidFrom']} – {details['keyValidUntil'] or 'now'}"
    if issued < known.valid_from:
        message = f"signed at {at}, before the key's window ({window})"
        return _key_fail("KEY_NOT_YET_VALID", message, details)
    if known.valid_until is not None and issued >= known.valid_until:
        message = f"signed at {at}, after the key was retired ({window})"
        return _key_fail("KEY_RETIRED", message, details)
    if known.compromised_at is not None and issued >= known.compromised_at:
        details["keyCompromisedAt"] = format_timestamp(known.compromised_at)
        message = f"signed at {at}, after the key was compromised ({details['keyCompromisedAt']})"
        return _key_fail("KEY_COMPROMISED", message, details)
    retired = "" if known.valid_until is None else " (a retired key, valid for this date)"
    owner = run.trusted().institution(issuer)
    return Check(
        "issuer_key",
        Status.PASS,
        "KEY_VALID_AT_ISSUANCE",
        f"key of {owner.name if owner else issuer} valid when the credential was signed "
        f"({window}){retired}",
        details,
    )


# --- issuer listed ----------------------------------------------------------------------------


def check_issuer_listed(run: _Run) -> Check:
    if not run.plain:
        return _issuer_listed(run)
    key = _memo.issuer_listed_key(run.doc)
    return run.memos.check("issuer_listed", key, lambda: _issuer_listed(run))


def _listed_fail(code: str, message: str, details: dict[str, Any]) -> Check:
    return Check("issuer_listed", Status.FAIL, code, message, details)


def _issuer_listed(run: _Run) -> Check:
    issuer = issuer_id(run.doc)
    institution = run.trusted().institution(issuer) if issuer is not None else None
    details: dict[str, Any] = {"issuer": issuer}
    if institution is None:
        message = "the issuer is not an institution in the trust bundle"
        return _listed_fail("ISSUER_NOT_IN_BUNDLE", message, details)
    details["institutionName"] = institution.name
    if institution.kind != "EVALUATION":
        message = (
            f"{institution.name} is a {institution.kind} institution; only evaluation "
            "institutions issue professional technical level certificates"
        )
        return _listed_fail("ISSUER_NOT_EVALUATION", message, details)
    number = get(run.doc, "credentialSubject", "certificate", "number")
    if not institution.numbers(number):
        details["numberPrefix"] = institution.number_prefix
        message = (
            f"positions 2-7 of the certificate number are not {institution.name}'s digits "
            f"({institution.number_prefix or 'none'}): the number is another institution's"
        )
        return _listed_fail("NUMBER_NOT_ISSUERS", message, details)
    issued, _ = run.issuance_time()
    if issued is None:
        message = "the credential has no usable issuance time"
        return _listed_fail("NO_ISSUANCE_TIME", message, details)
    day = china_date(issued)
    details["issuanceDate"] = day.isoformat()
    cert = get(run.doc, "credentialSubject", "certificate")
    occupation, level = get(cert, "occupation", "code"), get(cert, "level", "code")
    if not isinstance(occupation, str) or not isinstance(level, int) or isinstance(level, bool):
        message = "the certificate's occupation code or level is missing"
        return _listed_fail("CERTIFICATE_FIELDS_MISSING", message, details)
    direction = get(cert, "direction")
    direction = direction if isinstance(direction, str) else None
    level_name = get(cert, "level", "name")
    what = f"occupation {occupation}, level {level}"
    what += f" ({level_name})" if isinstance(level_name, str) else ""
    what += f", direction {direction}" if direction else ""
    details.update(occupation=occupation, level=level, direction=direction)
    return _listing(run, institution, day, what, details)


def _listing(
    run: _Run, institution: Institution, day: dt.date, what: str, details: dict[str, Any]
) -> Check:
    """Whether `institution` was listed on `day` for the certificate `details` describes."""
    periods = institution.listings_on(day)
    if not periods:
        message = f"{institution.name} was not on the directory on {day.isoformat()} (China time)"
        return _listed_fail("NOT_LISTED_ON_DATE", message, details)
    scope = (details["occupation"], details["level"], details["direction"])
    matching = [p for p in periods if run.trusted().scope_match(p, *scope)]
    period = matching[0] if matching else periods[0]
    details["listing"] = {
        "from": period.start.isoformat(),
        "until": period.end.isoformat() if period.end else None,
    }
    if not matching:
        message = f"{institution.name} was listed on {day.isoformat()}, but not for {what}"
        return _listed_fail("OUT_OF_SCOPE", message, details)
    message = f"{institution.name} was listed on {day.isoformat()} for {what}"
    return Check("issuer_listed", Status.PASS, "LISTED_IN_SCOPE", message, details)


# --- status -----------------------------------------------------------------------------------


def _bundle_age(run: _Run) -> tuple[dt.timedelta, dict[str, Any], str]:
    """The bundle's age at `run.now`, the details naming it, and "as of the bundle …"."""
    bundle = run.trusted()

    def compute() -> tuple[dt.timedelta, dict[str, Any], str]:
        age = run.now - bundle.issued
        details: dict[str, Any] = {
            "bundleIssued": format_timestamp(bundle.issued),
            "bundleAgeSeconds": int(age.total_seconds()),
            "bundleSequence": bundle.sequence,
        }
        return age, details, f"as of the bundle of {details['bundleIssued']} ({_duration(age)} old)"

    age, details, as_of = run.memos.as_of(run.now, compute)
    return age, dict(details), as_of


def _status_unknown(code: str, message: str, details: dict[str, Any]) -> Check:
    return Check("status", Status.UNKNOWN, code, message, details)


def check_status(run: _Run) -> Check:
    age, details, as_of = _bundle_age(run)
    entry = _status_entry(run, details)
    if isinstance(entry, Check):
        return entry
    url, index = entry
    issuer = issuer_id(run.doc)
    if issuer is None or not run.trusted().owns_status(issuer, url, index):
        # Another institution's index: its revocation must not reach, nor hide behind, this one.
        message = "the status entry is not in a range the bundle gives the issuer"
        return Check("status", Status.FAIL, "STATUS_INDEX_NOT_ISSUERS", message, details)
    try:
        status_list = run.trusted().status_list(url)
    except CredentialError as exc:
        message = f"{exc.message}; revocation cannot be checked"
        return _status_unknown(exc.code, message, details)
    if index >= len(status_list):
        message = "statusListIndex is outside the status list"
        return _status_unknown("RANGE_ERROR", message, details)
    if status_list.get(index):
        # A revocation is final: an older bundle that already shows it is enough to refuse.
        message = f"the certificate is REVOKED {as_of}"
        return Check("status", Status.FAIL, "REVOKED", message, details)
    return _status_fresh(run, url, age, as_of, details)


def _status_entry(run: _Run, details: dict[str, Any]) -> tuple[str, int] | Check:
    """The revocation entry's list URL and index, or the UNKNOWN check saying what is wrong."""
    raw = run.doc.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
    revocation = [
        e for e in entries if isinstance(e, Mapping) and e.get("statusPurpose") == STATUS_PURPOSE
    ]
    if not revocation:
        message = "the credential has no revocation status entry"
        return _status_unknown("NO_STATUS_ENTRY", message, details)
    if len(revocation) > 1:
        message = "the credential has several revocation entries"
        return _status_unknown("STATUS_AMBIGUOUS", message, details)
    entry = revocation[0]
    url, index = entry.get("statusListCredential"), entry.get("statusListIndex")
    details.update(statusListCredential=url, statusListIndex=index)
    if entry.get("type") != ENTRY_TYPE:
        message = f"status entry type is not {ENTRY_TYPE}"
        return _status_unknown("STATUS_TYPE_UNSUPPORTED", message, details)
    if not isinstance(url, str):
        message = "statusListCredential is not a URL"
        return _status_unknown("STATUS_ENTRY_MALFORMED", message, details)
    if not (isinstance(index, str) and index.isascii() and index.isdigit() and len(index) <= 12):
        message = "statusListIndex is not a non-negative decimal string"
        return _status_unknown("STATUS_ENTRY_MALFORMED", message, details)
    return url, int(index)


def _status_fresh(
    run: _Run, url: str, age: dt.timedelta, as_of: str, details: dict[str, Any]
) -> Check:
    """Not revoked: PASS if the bundle and the list are current enough to say so."""
    if age < -CLOCK_SKEW:
        message = f"the bundle is dated {details['bundleIssued']}, after now: check the clock"
        return _status_unknown("BUNDLE_FROM_FUTURE", message, details)
    if age > run.bundle_max_age:
        message = (
            f"not revoked {as_of}, but that is older than the accepted "
            f"{_duration(run.bundle_max_age)}: get a current bundle"
        )
        return _status_unknown("BUNDLE_TOO_OLD", message, details)
    validity = run.memos.remember(
        "status_list", url, lambda: run.trusted().status_list_validity(url)
    )
    until = validity[1]
    if until is not None and run.now >= until:
        message = f"the status list expired at {format_timestamp(until)}: get a current bundle"
        return _status_unknown("STATUS_LIST_EXPIRED", message, details)
    return Check("status", Status.PASS, "NOT_REVOKED", f"not revoked {as_of}", details)


# --- in the log -------------------------------------------------------------------------------


def check_in_log(run: _Run) -> Check:
    method = _proof.verification_method_of(run.doc)
    bundle = run.trusted()
    key = bundle.key(method) if method is not None else None
    return _inlog.check_in_log(
        bundle, run.doc, key, run.inclusion, run.now, run.require_witnesses, run.memos, run.plain
    )


# --- schema and holder binding ----------------------------------------------------------------


def check_schema(run: _Run) -> Check:
    types = run.doc.get("type")
    is_certificate = isinstance(types, list) and CERTIFICATE_TYPE in types
    if run.bundle is None and run.key is not None and not is_certificate:
        return _skipped("schema", f"not evaluated: not a {CERTIFICATE_TYPE}")
    problems = certificate.validate_certificate(run.doc, plain=run.plain, accepted=run.accepted)
    if not problems:
        return Check("schema", Status.PASS, "SCHEMA_VALID", "matches the certificate schema")
    listed = [{"path": p.path, "message": brief(p.message, 300)} for p in problems[:20]]
    first = problems[0]
    return Check(
        "schema",
        Status.FAIL,
        "SCHEMA_INVALID",
        f"{len(problems)} schema problem(s); first at {first.path or '/'}: {brief(first.message)}",
        {"problems": listed},
    )


def check_holder_binding(run: _Run) -> Check:
    return holder_binding(run.doc, run.card_number)


def holder_binding(document: Any, card_number: str | None) -> Check:
    """The `holder_binding` check of any credential the registry binds to its holder (a
    certificate, a continuing-education record): SKIPPED without a card number."""
    if card_number is None:
        return _skipped("holder_binding", "not evaluated: no card number given")
    commitment = get(document, "credentialSubject", "holderBinding")
    if not isinstance(commitment, Mapping):
        message = "the credential carries no holder binding"
        return Check("holder_binding", Status.FAIL, "NO_HOLDER_BINDING", message)
    result = binding.check(commitment, card_number)
    status = Status.PASS if result.ok else Status.FAIL
    return Check("holder_binding", status, result.code, result.message)
