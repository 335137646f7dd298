"""The trust bundle: everything an offline verifier trusts, signed by the registry root key.

It lists the institutions (listing periods with their scope, signing keys with validity windows,
retired keys included), the occupations and the signed revocation status lists, as of `issued`.
A verifier pins the root public key(s) out of band and refuses a bundle whose `sequence` is lower
than one it already accepted, so an attacker cannot replay an old bundle from before a revocation.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import itertools
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final, Literal, Protocol

from credentials import _proof as proof
from credentials import _schema
from credentials._bundle_log import (
    LogEntry as LogEntry,  # re-exported: the bundle's log entries are part of its public face
)
from credentials._bundle_log import (
    key_log_fields,
    log_json,
    parse_logs,
    parse_witnesses,
)
from credentials._note import NoteKey
from credentials._timestamp import parse_rfc3339
from credentials.errors import CredentialError, KeyFormatError
from credentials.keys import PublicKey, SigningKey
from credentials.rootchain import (
    CERTIFICATE_MEMBER,
    ROTATIONS_MEMBER,
    ChainError,
    Signer,
    bundle_signer,
    check_window,
)
from credentials.status_list import StatusList, parse_status_list_credential

BUNDLE_TYPE: Final = "DteTrustBundle"
FORMAT_VERSION: Final = 2
"""2 added each institution's `numberPrefix` and `statusRanges`; a verifier refuses format 1
(`BUNDLE_FORMAT_UNSUPPORTED`), which cannot tie a certificate to its issuer."""
SCHEMA_FILE: Final = "trust-bundle.schema.json"

CHINA_TIME: Final = dt.timezone(dt.timedelta(hours=8), "CST")
"""Listing dates are calendar days in China (UTC+8 all year, no daylight saving)."""

InstitutionKind = Literal["TRAINING", "EVALUATION"]


class BundleError(CredentialError):
    """A bundle that must not be trusted; `code` says why."""


# --- time ------------------------------------------------------------------------------------


def parse_timestamp(value: object) -> dt.datetime:
    """An RFC 3339 date-time with an offset, in the years 1 to 9999 (credentials/_timestamp.py),
    as an aware datetime; `ValueError` otherwise."""
    if type(value) is str:
        return _parse_timestamp_str(value)
    return _parse_timestamp_str.__wrapped__(value)


@lru_cache(maxsize=4096)
def _parse_timestamp_str(value: Any) -> dt.datetime:
    # Remembered per exact string (a datetime is immutable): verifying a batch parses the same
    # few instants over and over. Failures raise and are not remembered.
    if not isinstance(value, str):
        raise ValueError("not an RFC 3339 date-time")
    return parse_rfc3339(value)


def format_timestamp(value: dt.datetime) -> str:
    if type(value) is dt.datetime:
        return _format_timestamp(value)
    return _format_timestamp.__wrapped__(value)


@lru_cache(maxsize=1024)
def _format_timestamp(value: dt.datetime) -> str:
    # Equal datetimes are the same instant, and the text is that instant in UTC.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    text = value.astimezone(dt.UTC).isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def china_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(CHINA_TIME).date()


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScopeEntry:
    occupation: str
    level: int
    """Level code, as in a certificate's `level.code`: 1 初级, 2 中级, 3 高级."""
    direction: str | None = None
    """None: every direction of the occupation."""

    def covers(
        self, occupation: str, level: int, direction: str | None, same: _SameOccupation
    ) -> bool:
        if self.level != level or not same(self.occupation, occupation):
            return False
        return self.direction is None or self.direction == direction


class _SameOccupation(Protocol):
    def __call__(self, a: str, b: str, /) -> bool: ...


@dataclass(frozen=True, slots=True)
class ListingPeriod:
    start: dt.date
    end: dt.date | None
    """Last listed day, inclusive; None while the listing is open."""
    scope: tuple[ScopeEntry, ...] = ()

    def covers_date(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class BundleKey:
    public_key: PublicKey
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    """Exclusive; None while the key is in use."""
    institution_id: str = ""
    log_size_at_retirement: int | None = None
    """The log's tree size when the key was retired: every leaf logged with it is below."""
    compromised_at: dt.datetime | None = None
    """From this instant the key is compromised: nothing signed with it is trusted unless the
    log shows it was logged before (below `log_size_at_compromise`)."""
    log_size_at_compromise: int | None = None
    """The size of the last checkpoint signed before `compromised_at`."""

    @property
    def log_bound(self) -> tuple[str, int | None] | None:
        """For a compromised or retired key, the code its misuse gets and the log size every
        genuine use lies below (None: the bundle does not say); None for a key in use."""
        if self.compromised_at is not None:
            return "KEY_COMPROMISED", self.log_size_at_compromise
        if self.valid_until is not None:
            return "KEY_USED_AFTER_RETIREMENT", self.log_size_at_retirement
        return None

    @property
    def verification_method(self) -> str:
        return self.public_key.verification_method

    def valid_at(self, instant: dt.datetime) -> bool:
        return self.valid_from <= instant and (
            self.valid_until is None or instant < self.valid_until
        )


@dataclass(frozen=True, slots=True)
class StatusRange:
    """Indices `start` (inclusive) to `end` (exclusive) of the status list at `status_list`,
    which the registry allocates to one institution only."""

    status_list: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Institution:
    id: str
    name: str
    kind: InstitutionKind
    province: str
    listings: tuple[ListingPeriod, ...] = ()
    keys: tuple[BundleKey, ...] = ()
    number_prefix: str | None = None
    """Positions 2-7 of every certificate number it issues: its province (2 digits) and its
    institution number (4 digits); None: it has no number and issues none."""
    status_ranges: tuple[StatusRange, ...] = ()
    """Where its certificates' revocation bits are; no other institution's range overlaps."""

    def numbers(self, number: object) -> bool:
        """Whether `number` (a certificate number) carries this institution's digits."""
        prefix = self.number_prefix
        if prefix is None or not isinstance(number, str) or not number[:1].isascii():
            # An ASCII first character: positions 2-7 are then the same characters whether
            # counted in code points (here) or in UTF-16 units (the page).
            return False
        return number[1:7] == prefix

    def listings_on(self, day: dt.date) -> tuple[ListingPeriod, ...]:
        """The listing periods covering `day` (normally one; overlaps are tolerated)."""
        return tuple(period for period in self.listings if period.covers_date(day))


@dataclass(frozen=True, slots=True)
class Occupation:
    codes: tuple[str, ...]
    name: str


# --- building and signing --------------------------------------------------------------------


def _institution_json(institution: Institution) -> dict[str, Any]:
    return {
        "id": institution.id,
        "name": institution.name,
        "kind": institution.kind,
        "province": institution.province,
        "listings": [
            {
                "from": period.start.isoformat(),
                "until": period.end.isoformat() if period.end else None,
                "scope": [
                    {"occupation": s.occupation, "direction": s.direction, "level": int(s.level)}
                    for s in period.scope
                ],
            }
            for period in institution.listings
        ],
        "keys": [_key_json(key) for key in institution.keys],
        "numberPrefix": institution.number_prefix,
        "statusRanges": [
            {"statusListCredential": r.status_list, "from": r.start, "until": r.end}
            for r in institution.status_ranges
        ],
    }


def _key_json(key: BundleKey) -> dict[str, Any]:
    out: dict[str, Any] = {
        "verificationMethod": key.verification_method,
        "publicKeyMultibase": key.public_key.multibase,
        "validFrom": format_timestamp(key.valid_from),
        "validUntil": format_timestamp(key.valid_until) if key.valid_until else None,
    }
    # Additive members of format 2: written only when they say something.
    if key.log_size_at_retirement is not None:
        out["logSizeAtRetirement"] = key.log_size_at_retirement
    if key.compromised_at is not None:
        out["compromisedAt"] = format_timestamp(key.compromised_at)
        out["logSizeAtCompromise"] = key.log_size_at_compromise
    return out


def build_bundle(
    *,
    issued: dt.datetime,
    sequence: int,
    institutions: Iterable[Institution],
    occupations: Iterable[Occupation],
    status_lists: Mapping[str, Mapping[str, Any]],
    logs: Iterable[LogEntry] = (),
    witnesses: Iterable[NoteKey] = (),
    certificate: Mapping[str, Any] | None = None,
    rotations: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The unsigned bundle document; `sign_bundle` adds the proof (by the root key, or by the
    bundle key `certificate` certifies). `logs` and `witnesses` (the transparency log's
    checkpoint keys and the witnesses' cosigner keys), the certificate and the root `rotations`
    (credentials/rootchain.py) are written only when given."""
    document: dict[str, Any] = {
        "type": BUNDLE_TYPE,
        "formatVersion": FORMAT_VERSION,
        "issued": format_timestamp(issued),
        "sequence": sequence,
        "institutions": [_institution_json(i) for i in institutions],
        "occupations": [{"codes": list(o.codes), "name": o.name} for o in occupations],
        "statusLists": {url: dict(credential) for url, credential in status_lists.items()},
    }
    logs, witnesses = tuple(logs), tuple(witnesses)
    if logs:
        document["logs"] = [log_json(entry, format_timestamp) for entry in logs]
    if witnesses:
        document["witnesses"] = [{"key": key.vkey} for key in witnesses]
    if certificate is not None:
        document[CERTIFICATE_MEMBER] = dict(certificate)
    rotations = [dict(statement) for statement in rotations]
    if rotations:
        document[ROTATIONS_MEMBER] = rotations
    # Check what we are about to sign with the same rules a verifier applies, minus the proof.
    problems = _schema_problems({**document, "proof": {}})
    if problems:
        raise BundleError("BUNDLE_SCHEMA", "bundle does not match its schema: " + problems[0])
    _parse_institutions(document["institutions"])
    _parse_log_members(document)
    for url, credential in document["statusLists"].items():
        if credential.get("id") != url:
            raise BundleError("BUNDLE_INVALID", f"status list {url} has a different id")
    return document


def sign_bundle(
    document: Mapping[str, Any], root_key: SigningKey, *, created: dt.datetime | None = None
) -> dict[str, Any]:
    """`document` (from `build_bundle`) with an eddsa-jcs-2022 proof by `root_key`: the registry
    root key, or the bundle key the document's certificate certifies."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return proof.sign(unsigned, root_key, created=created)


# --- loading ---------------------------------------------------------------------------------


@cache
def _validator() -> Any:
    return _schema.validator(SCHEMA_FILE, {})


def _schema_problems(document: Any) -> list[str]:
    return [f"{p.path or '/'}: {p.message}"[:300] for p in _schema.problems(_validator(), document)]


def _parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _parse_listings(item: Mapping[str, Any]) -> tuple[ListingPeriod, ...]:
    listings = []
    for period in item["listings"]:
        start = _parse_date(period["from"])
        end = _parse_date(period["until"]) if period["until"] is not None else None
        if end is not None and end < start:
            raise ValueError("a listing period ends before it starts")
        scope = tuple(
            ScopeEntry(occupation=s["occupation"], level=s["level"], direction=s["direction"])
            for s in period["scope"]
        )
        listings.append(ListingPeriod(start, end, scope))
    return tuple(listings)


def _parse_keys(item: Mapping[str, Any], methods: set[str]) -> tuple[BundleKey, ...]:
    """The institution's keys; `methods` (every key seen so far) refuses a key twice."""
    keys = []
    for entry in item["keys"]:
        key = PublicKey.from_multibase(entry["publicKeyMultibase"])
        if entry["verificationMethod"] != key.verification_method:
            raise ValueError("verificationMethod does not name publicKeyMultibase")
        valid_from = parse_timestamp(entry["validFrom"])
        until = entry["validUntil"]
        valid_until = parse_timestamp(until) if until is not None else None
        if valid_until is not None and valid_until <= valid_from:
            raise ValueError("a key's validUntil is not after its validFrom")
        if key.verification_method in methods:
            raise ValueError("a key appears twice in the bundle")
        methods.add(key.verification_method)
        fields = key_log_fields(entry, parse_timestamp)
        if fields["compromised_at"] is not None and fields["log_size_at_compromise"] is None:
            raise ValueError("a compromised key needs logSizeAtCompromise")
        keys.append(BundleKey(key, valid_from, valid_until, item["id"], **fields))
    return tuple(keys)


def _parse_log_members(
    document: Mapping[str, Any],
) -> tuple[tuple[LogEntry, ...], tuple[NoteKey, ...]]:
    """The bundle's `logs` and `witnesses` (empty when absent); `BundleError` otherwise."""
    try:
        logs = parse_logs(document.get("logs", ()), parse_timestamp)
        witnesses = parse_witnesses(document.get("witnesses", ()))
    except ValueError as exc:
        raise BundleError("BUNDLE_INVALID", str(exc)[:300]) from None
    return logs, witnesses


def _parse_ranges(item: Mapping[str, Any]) -> tuple[StatusRange, ...]:
    ranges = tuple(
        StatusRange(r["statusListCredential"], int(r["from"]), int(r["until"]))
        for r in item["statusRanges"]
    )
    if any(r.end <= r.start for r in ranges):
        raise ValueError("a status range's until is not after its from")
    return ranges


def _overlap(institutions: Iterable[Institution]) -> str | None:
    """The first status list two ranges of the bundle share an index of, or None."""
    by_list: dict[str, list[tuple[int, int]]] = {}
    for institution in institutions:
        for r in institution.status_ranges:
            by_list.setdefault(r.status_list, []).append((r.start, r.end))
    for url, spans in by_list.items():
        spans.sort()
        if any(b[0] < a[1] for a, b in itertools.pairwise(spans)):
            return url
    return None


def _parse_institutions(items: Sequence[Mapping[str, Any]]) -> dict[str, Institution]:
    institutions: dict[str, Institution] = {}
    methods: set[str] = set()
    for item in items:
        ident = item["id"]
        if ident in institutions:
            raise BundleError("BUNDLE_INVALID", f"institution {ident} is listed twice")
        try:
            listings, keys = _parse_listings(item), _parse_keys(item, methods)
            ranges = _parse_ranges(item)
        except (ValueError, KeyFormatError) as exc:
            message = exc.message if isinstance(exc, KeyFormatError) else str(exc)
            raise BundleError("BUNDLE_INVALID", f"institution {ident}: {message}") from None
        institutions[ident] = Institution(
            id=ident,
            name=item["name"],
            kind=item["kind"],
            province=item["province"],
            listings=listings,
            keys=keys,
            number_prefix=item["numberPrefix"],
            status_ranges=ranges,
        )
    shared = _overlap(institutions.values())
    if shared is not None:
        # Two owners of one index would let one institution's certificate pass as the other's.
        raise BundleError("BUNDLE_INVALID", f"two status ranges overlap in {shared[:200]}")
    return institutions


class BundleStore(Protocol):
    """Remembers the highest bundle sequence accepted, per root key (its Multikey)."""

    def highest_sequence(self, root_key: str) -> int | None: ...

    def record_sequence(self, root_key: str, sequence: int) -> None: ...


class MemoryBundleStore:
    def __init__(self) -> None:
        self._sequences: dict[str, int] = {}

    def highest_sequence(self, root_key: str) -> int | None:
        return self._sequences.get(root_key)

    def record_sequence(self, root_key: str, sequence: int) -> None:
        self._sequences[root_key] = max(sequence, self._sequences.get(root_key, sequence))


class FileBundleStore:
    """A JSON file `{"<root Multikey>": <highest sequence>}`, replaced atomically on update.

    A file that exists but cannot be read raises instead of counting as empty: treating it as empty
    would silently re-open the door to rolled-back bundles.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, int]:
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise BundleError("BUNDLE_STORE", f"cannot read {self.path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in data.items()
        ):
            raise BundleError("BUNDLE_STORE", f"{self.path} is not a bundle sequence file")
        return data

    def highest_sequence(self, root_key: str) -> int | None:
        return self._read().get(root_key)

    def record_sequence(self, root_key: str, sequence: int) -> None:
        data = self._read()
        if data.get(root_key, -1) >= sequence:
            return
        data[root_key] = sequence
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class TrustBundle:
    """A verified bundle with typed look-ups. Build it with `load_bundle`, not directly."""

    document: Mapping[str, Any] = field(repr=False)
    issued: dt.datetime
    sequence: int
    root_key: PublicKey
    """The pinned root key this bundle's trust descends from (it signed the bundle, a root it
    rotated to did, or a bundle key one of them certified)."""
    pinned_root_keys: tuple[PublicKey, ...]
    signer: Signer = field(repr=False)
    """The key that signed the bundle, the roots trusted for it, and its certificate if any."""
    institutions: Mapping[str, Institution] = field(repr=False)
    occupations: tuple[Occupation, ...] = field(repr=False)
    _keys: Mapping[str, BundleKey] = field(repr=False)
    _occupation_codes: Mapping[str, Occupation] = field(repr=False)
    _ranges: Mapping[tuple[str, str], tuple[list[int], list[int]]] = field(repr=False)
    _status_cache: dict[str, StatusList | CredentialError] = field(
        default_factory=dict, repr=False, compare=False
    )
    logs: tuple[LogEntry, ...] = ()
    """The transparency logs whose checkpoints the root key certifies."""
    witnesses: tuple[NoteKey, ...] = ()
    """The witnesses' cosigner keys (type 0x04) a verifier may count."""

    def institution(self, institution_id: str) -> Institution | None:
        return self.institutions.get(institution_id)

    def key(self, verification_method: str) -> BundleKey | None:
        """The key for a proof's verificationMethod, with its owner and validity window."""
        return self._keys.get(verification_method)

    def occupation(self, code: str) -> Occupation | None:
        return self._occupation_codes.get(code)

    def owns_status(self, institution_id: str, url: str, index: int) -> bool:
        """Whether `index` of the list at `url` lies in one of the institution's own ranges."""
        spans = self._ranges.get((institution_id, url))
        if spans is None:
            return False
        starts, ends = spans
        at = bisect.bisect_right(starts, index) - 1
        return at >= 0 and index < ends[at]

    def same_occupation(self, a: str, b: str) -> bool:
        """Equal codes, or two codes (e.g. 2015 and 2022 editions) of one listed occupation."""
        if a == b:
            return True
        occupation = self._occupation_codes.get(a)
        return occupation is not None and b in occupation.codes

    def scope_match(
        self, period: ListingPeriod, occupation: str, level: int, direction: str | None = None
    ) -> ScopeEntry | None:
        for entry in period.scope:
            if entry.covers(occupation, level, direction, self.same_occupation):
                return entry
        return None

    def listed_on(
        self,
        institution: Institution | str,
        day: dt.date,
        occupation: str,
        level: int,
        direction: str | None = None,
    ) -> bool:
        """Was the institution listed on `day` (China date) with this occupation and level?"""
        found = self.institution(institution) if isinstance(institution, str) else institution
        if found is None:
            return False
        return any(
            self.scope_match(period, occupation, level, direction) is not None
            for period in found.listings_on(day)
        )

    def status_list_credential(self, url: str) -> Mapping[str, Any] | None:
        lists = self.document.get("statusLists", {})
        credential = lists.get(url) if isinstance(lists, Mapping) else None
        return credential if isinstance(credential, Mapping) else None

    def status_list(self, url: str) -> StatusList:
        """The decoded list at `url`, after checking its own proof by a pinned root key.

        The bundle's signature already covers it; the list's own proof is checked as well so that
        a list is never trusted on the strength of a different key than the registry's.
        """
        cached = self._status_cache.get(url)
        if isinstance(cached, StatusList):
            return cached
        if isinstance(cached, CredentialError):
            raise cached
        try:
            result: StatusList | CredentialError = self._load_status_list(url)
        except CredentialError as exc:
            result = exc
        self._status_cache[url] = result
        if isinstance(result, CredentialError):
            raise result
        return result

    def _load_status_list(self, url: str) -> StatusList:
        credential = self.status_list_credential(url)
        if credential is None:
            raise CredentialError("STATUS_LIST_MISSING", f"the bundle has no status list {url}")
        if credential.get("id") != url:
            raise CredentialError("STATUS_LIST_CREDENTIAL", "status list id is not its URL")
        method = proof.verification_method_of(credential)
        # The bundle's own signer (a certified bundle key when the root is offline) or a root.
        trusted = (self.signer.key, *self.signer.roots)
        signer = next((k for k in trusted if k.verification_method == method), None)
        if signer is None:
            raise CredentialError(
                "STATUS_LIST_UNTRUSTED_KEY",
                "status list is not signed by a pinned root key or the bundle's signer",
            )
        check = proof.verify(credential, signer)
        if not check.ok:
            raise CredentialError(
                "STATUS_LIST_SIGNATURE", f"status list signature invalid: {check.message}"
            )
        return parse_status_list_credential(credential)

    def status_list_validity(self, url: str) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The list's validFrom and validUntil, None where absent or unparseable."""
        credential = self.status_list_credential(url) or {}
        out: list[dt.datetime | None] = []
        for name in ("validFrom", "validUntil"):
            try:
                out.append(parse_timestamp(credential.get(name)))
            except ValueError:
                out.append(None)
        return out[0], out[1]


def load_bundle(
    document: Any,
    root_keys: Sequence[PublicKey],
    *,
    store: BundleStore | None = None,
    now: dt.datetime | None = None,
) -> TrustBundle:
    """Verify and parse a bundle; raise `BundleError` when it must not be trusted.

    Order: the signature by a pinned root key, a root it rotated to, or a bundle key one of them
    certified (credentials/rootchain.py) first (nothing unsigned is even parsed), then the
    format version, then schema, then consistency, then the certificate's window at the bundle's
    issue time and at `now` (default: the clock), then the sequence against `store`, kept per
    pinned root the trust descends from, which records it once all passed.
    """
    pinned = tuple(root_keys)
    chain = _pinned_signer(document, pinned)
    signer = chain.anchor
    version = document.get("formatVersion")
    if version != FORMAT_VERSION:
        raise BundleError(
            "BUNDLE_FORMAT_UNSUPPORTED",
            f"the bundle's formatVersion is not {FORMAT_VERSION}: it does not state which "
            "certificate numbers and status indices are each institution's; get a current bundle",
        )
    problems = _schema_problems(document)
    if problems:
        raise BundleError(
            "BUNDLE_SCHEMA",
            f"the bundle does not match its schema ({len(problems)} problems): {problems[0]}",
        )
    institutions = _parse_institutions(document["institutions"])
    logs, witnesses = _parse_log_members(document)
    try:
        issued = parse_timestamp(document["issued"])
    except ValueError:
        raise BundleError("BUNDLE_INVALID", "the bundle's issued time is not a date-time") from None
    if chain.certificate is not None:
        try:
            check_window(chain.certificate, issued, now or dt.datetime.now(dt.UTC))
        except ChainError as exc:
            raise BundleError(exc.code, exc.message) from None
    occupations = tuple(Occupation(tuple(o["codes"]), o["name"]) for o in document["occupations"])
    sequence = int(document["sequence"])  # the schema lets 3.0 through as an integer
    if store is not None:
        highest = store.highest_sequence(signer.multibase)
        if highest is not None and sequence < highest:
            raise BundleError(
                "BUNDLE_ROLLBACK",
                f"bundle sequence {sequence} is lower than {highest}, already accepted: "
                "an older bundle may hide revocations",
            )
    bundle = TrustBundle(
        # A private copy: what was verified must not change under the caller's later edits.
        document=copy.deepcopy(dict(document)),
        issued=issued,
        sequence=sequence,
        root_key=signer,
        pinned_root_keys=pinned,
        signer=chain,
        institutions=institutions,
        occupations=occupations,
        _keys={k.verification_method: k for i in institutions.values() for k in i.keys},
        _occupation_codes=_by_code(occupations),
        _ranges=_by_list(institutions.values()),
        logs=logs,
        witnesses=witnesses,
    )
    if store is not None:
        store.record_sequence(signer.multibase, sequence)
    return bundle


def _pinned_signer(document: Any, pinned: tuple[PublicKey, ...]) -> Signer:
    """The key whose valid proof `document` carries, trusted through a pinned root, or
    `BundleError` saying why there is none (nothing unsigned is even parsed)."""
    if not isinstance(document, Mapping):
        raise BundleError("BUNDLE_NOT_OBJECT", "the trust bundle is not a JSON object")
    if not pinned:
        raise BundleError(
            "BUNDLE_NO_ROOT_KEY", "no root key pinned: a bundle is never trusted blind"
        )
    method = proof.verification_method_of(document)
    if method is None:
        raise BundleError("BUNDLE_UNSIGNED", "the trust bundle has no usable proof")
    try:
        signer = bundle_signer(document, method, pinned)
    except ChainError as exc:
        raise BundleError(exc.code, exc.message) from None
    check = proof.verify(document, signer.key)
    if not check.ok:
        raise BundleError(
            "BUNDLE_SIGNATURE_INVALID", f"the bundle's signature does not verify: {check.message}"
        )
    return signer


def _by_list(
    institutions: Iterable[Institution],
) -> dict[tuple[str, str], tuple[list[int], list[int]]]:
    """Each (institution, list URL)'s ranges as sorted starts and their ends (ranges never
    overlap: `_parse_institutions` refuses a bundle where they do)."""
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for institution in institutions:
        for r in institution.status_ranges:
            spans.setdefault((institution.id, r.status_list), []).append((r.start, r.end))
    return {
        key: ([a for a, _ in sorted(found)], [b for _, b in sorted(found)])
        for key, found in spans.items()
    }


def _by_code(occupations: Iterable[Occupation]) -> dict[str, Occupation]:
    """Each occupation code's occupation (the first one listing it)."""
    codes: dict[str, Occupation] = {}
    for occupation in occupations:
        for code in occupation.codes:
            codes.setdefault(code, occupation)
    return codes
