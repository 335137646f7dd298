"""Whose credential was just checked: the words both verifiers show before the checks.

One description per report (`VerificationReport.description`), made by `describe` from the
credential, the trust bundle and whether the verdict is VALID; the page's `web/verifier/src/describe.js` mirrors
it rule for rule, and tests/web/test_differential.py compares the two on every hostile input.

The description says what the credential *claims*; only a VALID verdict makes it `confirmed`.
The issuer's name comes from the trust bundle, never from the credential, unless the bundle does
not list the issuer (or no bundle was given): then it is the credential's own claim and
`issuer_source` says so. Values are the credential's text, untrusted: renderers escape them
(`printable` in the terminal, text nodes on the page). An ID number is never shown: a run of 15
or more digits (ASCII or full-width) in any value is replaced by `HIDDEN`, except a certificate
or training certificate number: Z or P, 17 digits and a check character, not followed by another
digit. (Its last 18 characters have the form of an ID number; a Z or P written before an ID
number therefore shows it. Only the issuer, who signs the text, could write that.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from credentials.bundle import TrustBundle
from credentials.ce_record import is_ce_record
from credentials.certificate import CREDENTIAL_TYPE as _CERTIFICATE_TYPE

__all__ = ["FIELD_NAMES", "Description", "IssuerSource", "Kind", "describe"]

Kind = Literal["certificate", "ce_record", "credential"]
IssuerSource = Literal["bundle", "claim_not_in_bundle", "claim_no_bundle"]

FIELD_NAMES: Final = (
    "holder",
    "number",
    "occupation",
    "direction",
    "level",
    "year",
    "hours",
    "trainings",
    "issuer",
)
"""Every field a description may have, in the order they are shown."""

MAX_CHARS: Final = 200
"""Longer values are cut to this many code points and end with '…'."""
HIDDEN: Final = "***"
"""What stands where a value had a run of digits that could be an ID number."""
MAX_TRAININGS: Final = 20

_CE_ID_PREFIX: Final = "urn:dte:ce-record:"
# A certificate number (kept) or a run of digits that could be an ID number (hidden); [0-9] and
# full-width digits only, spelled out so that Python and JavaScript agree.
_DIGIT_RUN: Final = re.compile(
    "([ZP][0-9]{17}[0-9X])(?![0-9Xx])|[0-9\uff10-\uff19]{15,}[Xx\uff38\uff58]?"
)


@dataclass(frozen=True)
class Description:
    """What a credential says of itself, for a person to read before the checks."""

    kind: Kind
    confirmed: bool
    """True only when the verdict is VALID; otherwise every field is an unconfirmed claim."""
    fields: tuple[tuple[str, str], ...]
    """(name, value) pairs, names from `FIELD_NAMES`, in that order; absent claims are left out.
    `level` is "1", "2" or "3" (初级, 中级, 高级); `occupation` is "name (code)"."""
    issuer_source: IssuerSource | None = None
    """Where the `issuer` field's name came from; None when there is no issuer field."""

    def field(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "confirmed": self.confirmed,
            "issuerSource": self.issuer_source,
            "fields": [[name, value] for name, value in self.fields],
        }


def describe(credential: Any, bundle: TrustBundle | None, *, confirmed: bool) -> Description:
    """The description of `credential` (the credential itself, out of its credential file)
    against `bundle`; `confirmed` only for a VALID verdict. Never raises; a value that is not
    usable is left out."""
    document = credential
    types = _get(document, "type")
    types = types if isinstance(types, list) else [types]
    found: dict[str, str | None] = {"holder": _text(_get(document, "credentialSubject", "name"))}
    kind: Kind = "credential"
    if _CERTIFICATE_TYPE in types:
        kind = "certificate"
        found.update(_certificate(_get(document, "credentialSubject", "certificate"), bundle))
    elif is_ce_record(document):
        kind = "ce_record"
        found.update(_ce_record(document))
    issuer, source = _issuer(document, bundle)
    found["issuer"] = issuer
    fields = tuple((name, _shown(value)) for name in FIELD_NAMES if (value := found.get(name)))
    return Description(
        kind=kind,
        confirmed=confirmed,
        fields=fields,
        issuer_source=source if issuer else None,
    )


def _certificate(certificate: Any, bundle: TrustBundle | None) -> dict[str, str | None]:
    code = _text(_get(certificate, "occupation", "code"))
    listed = bundle.occupation(code) if bundle is not None and code is not None else None
    name = listed.name if listed is not None else _text(_get(certificate, "occupation", "name"))
    occupation = f"{name} ({code})" if name and code else name or code
    return {
        "number": _text(_get(certificate, "number")),
        "occupation": occupation,
        "direction": _text(_get(certificate, "direction")),
        "level": _level(_get(certificate, "level", "code")),
    }


def _ce_record(document: Any) -> dict[str, str | None]:
    record_id = _text(_get(document, "id"))
    education = _get(document, "credentialSubject", "continuingEducation")
    entries = _get(education, "entries")
    numbers = [
        _text(_get(entry, "trainingCertificate"))
        for entry in (entries if isinstance(entries, list) else [])
    ]
    shown = [n for n in numbers if n][:MAX_TRAININGS]
    year = _get(education, "year")
    return {
        "number": record_id[len(_CE_ID_PREFIX) :]
        if record_id and record_id.startswith(_CE_ID_PREFIX)
        else None,
        "year": str(year) if type(year) is int and 0 < year < 10000 else None,
        "hours": _hours(_get(education, "totalHours")),
        "trainings": ", ".join(shown) if shown else None,
    }


def _issuer(document: Any, bundle: TrustBundle | None) -> tuple[str | None, IssuerSource]:
    issuer = _get(document, "issuer")
    issuer_id = _text(_get(issuer, "id")) if isinstance(issuer, dict) else _text(issuer)
    if bundle is not None and issuer_id is not None:
        institution = bundle.institution(issuer_id)
        if institution is not None:
            return institution.name, "bundle"
    claimed = _text(_get(issuer, "name")) or issuer_id
    return claimed, "claim_no_bundle" if bundle is None else "claim_not_in_bundle"


def _level(code: Any) -> str | None:
    return str(code) if type(code) is int and code in (1, 2, 3) else None


def _hours(value: Any) -> str | None:
    # Both languages print these numbers alike (shortest round trip, no exponent).
    if type(value) is int and 0 <= value < 1_000_000:
        return str(value)
    if type(value) is float and (value == 0 or 1e-4 <= value < 1_000_000):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _shown(value: str) -> str:
    """`value` with ID-number-like digit runs hidden and cut to `MAX_CHARS` code points."""
    value = _DIGIT_RUN.sub(lambda match: match.group(1) or HIDDEN, value)
    return value if len(value) <= MAX_CHARS else value[: MAX_CHARS - 1] + "…"
