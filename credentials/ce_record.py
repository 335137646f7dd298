"""The continuing-education record (继续教育学时记录) as a W3C Verifiable Credential.

One person, one year: the hours earned through the programme's training (notice 五(一): they
count for that year, nationwide), one entry per completed training with its training certificate
number. VC Data Model 2.0, secured with an `eddsa-jcs-2022` proof under the registry root key:
the record gathers completions from several training institutions, so the registry, not one
institution, vouches for the sum.

    {"@context": [VC v2, CONTEXT_URL],
     "id": "urn:dte:ce-record:<32 hex>",
     "type": ["VerifiableCredential", "ContinuingEducationRecord"],
     "issuer": {"id": "urn:dte:registry", "name": ...},
     "validFrom": ...,
     "credentialSubject": {"type": "ContinuingEducationHolder", "name": ..., "holderBinding": {...},
                           "continuingEducation": {"year", "totalHours",
                                                   "entries": [{"trainingCertificate", "institution",
                                                                "occupation", "direction"?, "level",
                                                                "hours", "completedOn"}]}},
     "credentialSchema": {"id": SCHEMA_URL, "type": "JsonSchema"}}

Every term is defined by the VC v2 context or the project's (`contexts/dte-v1.jsonld`), so a
JSON-LD processor in safe mode expands the record without dropping anything
(tests/credentials/test_contexts.py); the JCS proof covers the JSON as it is. No ID number in it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from credentials import _proof as proof
from credentials import _schema, certificate
from credentials._jcs import plain_json
from credentials.certificate import CONTEXT_URL, VC_CONTEXT, Level
from credentials.errors import CanonicalizationError, SchemaError, SchemaProblem
from credentials.idnumber import mod11_2_check
from credentials.keys import SigningKey

__all__ = [
    "CREDENTIAL_TYPE",
    "ISSUER_ID",
    "SCHEMA_URL",
    "CeEntryClaims",
    "CeRecordClaims",
    "build_ce_record",
    "is_ce_record",
    "issue_ce_record",
    "validate_ce_record",
]

CREDENTIAL_TYPE: Final = "ContinuingEducationRecord"
SUBJECT_TYPE: Final = "ContinuingEducationHolder"
SCHEMA_URL: Final = "https://dte-registry.cn/schemas/ce-record.schema.json"
ISSUER_ID: Final = "urn:dte:registry"
ID_PREFIX: Final = "urn:dte:ce-record:"
_SCHEMA_FILE: Final = "ce-record.schema.json"


def is_ce_record(document: object) -> bool:
    """Whether `document` says it is a continuing-education record: its `type` (a list) lists
    it, and not the certificate's type too (such a document is checked, and described, as a
    certificate). The one routing rule of both verifiers (web/verifier/src/types.js)."""
    kinds = document.get("type") if isinstance(document, Mapping) else None
    return (
        isinstance(kinds, list)
        and CREDENTIAL_TYPE in kinds
        and certificate.CREDENTIAL_TYPE not in kinds
    )


@dataclass(frozen=True, slots=True)
class CeEntryClaims:
    training_certificate: str
    institution_uscc: str
    institution_name: str
    occupation_code: str
    occupation_name: str
    level: Level
    hours: float
    completed_on: dt.date
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class CeRecordClaims:
    record_id: str  # 32 lowercase hex digits, chosen by the registry
    holder_name: str
    year: int
    entries: tuple[CeEntryClaims, ...]
    issuer_name: str
    valid_from: dt.datetime

    @property
    def total_hours(self) -> float:
        return round(sum(e.hours for e in self.entries), 2)


def _hours(value: float) -> int | float:
    # Whole hours as integers so the JSON reads "48", not "48.0" (JCS would print 48 anyway).
    if not math.isfinite(value):
        raise SchemaError("CE_RECORD_CLAIMS", "hours must be finite")
    return int(value) if float(value).is_integer() else round(value, 2)


def _entry(entry: CeEntryClaims) -> dict[str, Any]:
    level = Level(entry.level)
    out: dict[str, Any] = {
        "trainingCertificate": entry.training_certificate,
        "institution": {"id": "urn:uscc:" + entry.institution_uscc, "name": entry.institution_name},
        "occupation": {"code": entry.occupation_code, "name": entry.occupation_name},
    }
    if entry.direction is not None:
        out["direction"] = entry.direction
    out["level"] = {"code": int(level), "name": level.label}
    out["hours"] = _hours(entry.hours)
    out["completedOn"] = entry.completed_on.isoformat()
    return out


def build_ce_record(claims: CeRecordClaims, *, binding: Mapping[str, Any]) -> dict[str, Any]:
    """The unsigned credential; `issue_ce_record` validates it before signing."""
    if claims.valid_from.tzinfo is None or claims.valid_from.utcoffset() is None:
        raise SchemaError("CE_RECORD_CLAIMS", "validFrom must be timezone-aware")
    try:
        binding_json = plain_json(binding)
    except CanonicalizationError as exc:
        raise SchemaError("CE_RECORD_CLAIMS", f"binding is not JSON: {exc.message}") from None
    try:
        entries = [_entry(e) for e in claims.entries]
    except ValueError:
        raise SchemaError("CE_RECORD_CLAIMS", "level must be 1, 2 or 3") from None
    return {
        "@context": [VC_CONTEXT, CONTEXT_URL],
        "id": ID_PREFIX + claims.record_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": ISSUER_ID, "name": claims.issuer_name},
        "validFrom": claims.valid_from.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "type": SUBJECT_TYPE,
            "name": claims.holder_name,
            "holderBinding": binding_json,
            "continuingEducation": {
                "year": claims.year,
                "totalHours": _hours(claims.total_hours),
                "entries": entries,
            },
        },
        "credentialSchema": {"id": SCHEMA_URL, "type": "JsonSchema"},
    }


def issue_ce_record(
    claims: CeRecordClaims,
    key: SigningKey,
    *,
    binding: Mapping[str, Any],
    created: dt.datetime | None = None,
    chain: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build, validate against the schema, and sign. Raises `SchemaError` listing the problems.

    `chain`: the members by which a verifier pinned only to the root finds `key`
    (`bundleKeyCertificate`, `rootRotations`: `credentials.rootchain`), carried and signed."""
    document = {**build_ce_record(claims, binding=binding), **(chain or {})}
    problems = validate_ce_record(document)
    if problems:
        first = problems[0]
        raise SchemaError(
            "CE_RECORD_SCHEMA",
            f"record does not match its schema ({len(problems)} problems; first at "
            f"{first.path or '/'}: {first.message})",
            problems,
        )
    return proof.sign(document, key, created=created)


def validate_ce_record(document: object) -> list[SchemaProblem]:
    """Every schema problem of a (signed or unsigned) record; empty when valid. Never raises."""
    try:
        plain = plain_json(document)
    except CanonicalizationError as exc:
        return [SchemaProblem("", f"not a JSON document: {exc.message}")]
    problems = _schema.problems(_validator(), plain)
    if not problems:
        problems.extend(_semantic_problems(plain))
    return problems


def load_schema() -> dict[str, Any]:
    return _schema.load(_SCHEMA_FILE)


def _semantic_problems(doc: Mapping[str, Any]) -> Iterator[SchemaProblem]:
    """Rules between fields: the total is the sum, and every number's check character holds."""
    ce = doc["credentialSubject"]["continuingEducation"]
    entries: Sequence[Mapping[str, Any]] = ce["entries"]
    if abs(sum(float(e["hours"]) for e in entries) - float(ce["totalHours"])) > 0.01:
        yield SchemaProblem(
            "/credentialSubject/continuingEducation/totalHours", "totalHours is not the sum"
        )
    for index, entry in enumerate(entries):
        number: str = entry["trainingCertificate"]
        here = f"/credentialSubject/continuingEducation/entries/{index}"
        if mod11_2_check(number[1:18]) != number[18]:
            yield SchemaProblem(f"{here}/trainingCertificate", "check character wrong")
        if number[9] != str(entry["level"]["code"]):
            yield SchemaProblem(f"{here}/level", "level does not match position 10 of the number")
        try:
            dt.date.fromisoformat(entry["completedOn"])
        except ValueError:
            yield SchemaProblem(f"{here}/completedOn", "not a calendar date")


@cache
def _validator() -> Any:
    return _schema.validator(_SCHEMA_FILE, {"date-time": _schema.is_date_time})
