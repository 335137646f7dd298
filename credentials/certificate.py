"""The professional technical level certificate (专业技术等级证书) as a W3C Verifiable Credential.

VC Data Model 2.0, secured with an `eddsa-jcs-2022` proof by the evaluation institution's key:

    {"@context": [VC v2, CONTEXT_URL],
     "id": "urn:dte:certificate:<number>",
     "type": ["VerifiableCredential", "ProfessionalTechnicalLevelCertificate"],
     "issuer": {"id": "urn:uscc:<unified social credit code>", "name": ...},
     "validFrom": ...,
     "credentialSubject": {"type": "CertificateHolder", "name": ..., "holderBinding": {...},
                           "certificate": {"number", "occupation": {"code", "name"},
                                           "direction" (optional), "level": {"code", "name"},
                                           "field"}},
     "credentialStatus": {BitstringStatusListEntry, purpose revocation},
     "credentialSchema": {"id": SCHEMA_URL, "type": "JsonSchema"}}

Level codes ascend with the level: 1 初级, 2 中级, 3 高级 — the digit at position 10 of the
certificate number (docs/identifiers.md). There is no ID number and there are no scores in it.

`validate_certificate` applies the shipped JSON Schema (Draft 2020-12) and then the rules a
schema cannot state (check characters, number/level/field agreement, id/number agreement).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Any, Final

from credentials import _acceptance, _proof, _schema
from credentials._jcs import is_plain_json, plain_json
from credentials.errors import CanonicalizationError, SchemaError, SchemaProblem
from credentials.idnumber import mod11_2_check
from credentials.keys import SigningKey
from credentials.uscc import uscc_check_character

__all__ = [
    "CONTEXT_URL",
    "CREDENTIAL_TYPE",
    "SCHEMA_URL",
    "VC_CONTEXT",
    "CertificateClaims",
    "Level",
    "SchemaProblem",
    "StatusEntry",
    "build_certificate",
    "issue_certificate",
    "load_context",
    "load_schema",
    "validate_certificate",
]

VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
CONTEXT_URL: Final = "https://dte-registry.cn/contexts/dte-v1.jsonld"
SCHEMA_URL: Final = "https://dte-registry.cn/schemas/certificate.schema.json"
CREDENTIAL_TYPE: Final = "ProfessionalTechnicalLevelCertificate"
SUBJECT_TYPE: Final = "CertificateHolder"
STATUS_ENTRY_TYPE: Final = "BitstringStatusListEntry"
ID_PREFIX: Final = "urn:dte:certificate:"
ISSUER_PREFIX: Final = "urn:uscc:"

_SCHEMA_FILE: Final = _acceptance.SCHEMA_FILE
_CONTEXT_FILE: Final = "dte-v1.jsonld"


class Level(IntEnum):
    """The three levels of 人社厅发〔2021〕71号; the value is the level code in the credential."""

    JUNIOR = 1
    INTERMEDIATE = 2
    SENIOR = 3

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS: Final = {Level.JUNIOR: "初级", Level.INTERMEDIATE: "中级", Level.SENIOR: "高级"}


@dataclass(frozen=True, slots=True)
class CertificateClaims:
    """What the registry knows about one published certificate (no ID number, no scores)."""

    certificate_number: str
    holder_name: str
    occupation_code: str
    occupation_name: str
    level: Level
    field_code: str
    issuer_uscc: str
    issuer_name: str
    valid_from: str | dt.datetime
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """Where the certificate's revocation bit lives: list credential URL and bit index."""

    status_list_credential: str
    status_list_index: int

    def to_json(self) -> dict[str, str]:
        index = str(self.status_list_index)
        return {
            "id": f"{self.status_list_credential}#{index}",
            "type": STATUS_ENTRY_TYPE,
            "statusPurpose": "revocation",
            "statusListIndex": index,
            "statusListCredential": self.status_list_credential,
        }


def build_certificate(
    claims: CertificateClaims,
    *,
    binding: Mapping[str, Any],
    status: StatusEntry | Mapping[str, Any],
) -> dict[str, Any]:
    """The unsigned credential. Not validated here: `issue_certificate` validates before signing."""
    try:
        level = Level(claims.level)
    except ValueError:
        raise SchemaError(
            "CERTIFICATE_CLAIMS", "level must be 1 (初级), 2 (中级) or 3 (高级)"
        ) from None
    certificate: dict[str, Any] = {
        "number": claims.certificate_number,
        "occupation": {"code": claims.occupation_code, "name": claims.occupation_name},
    }
    if claims.direction is not None:
        certificate["direction"] = claims.direction
    certificate["level"] = {"code": int(level), "name": level.label}
    certificate["field"] = claims.field_code
    status_json = status.to_json() if isinstance(status, StatusEntry) else dict(status)
    try:
        binding_json = plain_json(binding)
        status_json = plain_json(status_json)
    except CanonicalizationError as exc:
        raise SchemaError(
            "CERTIFICATE_CLAIMS", f"binding or status is not JSON: {exc.message}"
        ) from None
    return {
        "@context": [VC_CONTEXT, CONTEXT_URL],
        "id": ID_PREFIX + claims.certificate_number,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": ISSUER_PREFIX + claims.issuer_uscc, "name": claims.issuer_name},
        "validFrom": _timestamp(claims.valid_from),
        "credentialSubject": {
            "type": SUBJECT_TYPE,
            "name": claims.holder_name,
            "holderBinding": binding_json,
            "certificate": certificate,
        },
        "credentialStatus": status_json,
        "credentialSchema": {"id": SCHEMA_URL, "type": "JsonSchema"},
    }


def issue_certificate(
    claims: CertificateClaims,
    key: SigningKey,
    *,
    binding: Mapping[str, Any],
    status: StatusEntry | Mapping[str, Any],
    created: str | dt.datetime | None = None,
) -> dict[str, Any]:
    """Build, validate against the schema, and sign. Raises `SchemaError` listing the problems."""
    document = build_certificate(claims, binding=binding, status=status)
    problems = validate_certificate(document)
    if problems:
        first = problems[0]
        raise SchemaError(
            "CERTIFICATE_SCHEMA",
            f"certificate does not match its schema ({len(problems)} problems; first at "
            f"{first.path or '/'}: {first.message})",
            problems,
        )
    return _proof.sign(document, key, created=created)


def validate_certificate(
    document: object, *, plain: bool = False, accepted: bool = False
) -> list[SchemaProblem]:
    """Every schema problem of a (signed or unsigned) certificate; empty when valid. Never raises.

    Paths are JSON Pointers ("" is the whole document). The schema's acceptance is decided
    without jsonschema when it can be (`_acceptance.accepts`), and by jsonschema otherwise, so
    problems are always reported by jsonschema. A caller that has already found the document
    plain JSON (`_jcs.plain_size(document) >= 0`) says `plain=True`, and one whose
    `_acceptance.accepts(document, plain=True)` said True says `accepted=True`: the same answer,
    without walking the document again.
    """
    if accepted:
        return list(_semantic_problems(document))  # type: ignore[arg-type]
    if plain or is_plain_json(document):
        whole: Any = document  # already what plain_json would copy it to; nothing mutates it
    else:
        try:
            whole = plain_json(document)
        except CanonicalizationError as exc:
            return [SchemaProblem("", f"not a JSON document: {exc.message}")]
    if _acceptance.accepts(whole):
        problems: list[SchemaProblem] = []
    else:
        problems = _schema.problems(_validator(), whole)
    if not problems:
        problems.extend(_semantic_problems(whole))
    return problems


def load_schema() -> dict[str, Any]:
    """The certificate JSON Schema as shipped (the registry serves it at SCHEMA_URL)."""
    return _schema.load(_SCHEMA_FILE)


def load_context() -> dict[str, Any]:
    """The project JSON-LD context as shipped (the registry serves it at CONTEXT_URL)."""
    loaded: dict[str, Any] = json.loads(_schema.read("contexts", _CONTEXT_FILE))
    return loaded


@cache
def _validator() -> Any:
    return _schema.validator(
        _SCHEMA_FILE, {"date-time": _schema.is_date_time, "uri": _schema.is_uri}
    )


# ---------------------------------------------------------------------------------------------


def _semantic_problems(doc: Mapping[str, Any]) -> Iterator[SchemaProblem]:
    """Rules between fields; only run on a schema-valid document, so shapes are known."""
    subject = doc["credentialSubject"]
    cert = subject["certificate"]
    number: str = cert["number"]
    if doc["id"] != ID_PREFIX + number:
        yield SchemaProblem("/id", "id must be urn:dte:certificate: followed by the number")
    if mod11_2_check(number[1:18]) != number[18]:
        yield SchemaProblem(
            "/credentialSubject/certificate/number", "certificate number check character wrong"
        )
    if number[9] != str(cert["level"]["code"]):
        yield SchemaProblem(
            "/credentialSubject/certificate/level",
            "level does not match position 10 of the certificate number",
        )
    if number[10:12] != cert["field"]:
        yield SchemaProblem(
            "/credentialSubject/certificate/field",
            "field does not match positions 11-12 of the certificate number",
        )
    uscc = doc["issuer"]["id"][len(ISSUER_PREFIX) :]
    if uscc_check_character(uscc[:17]) != uscc[17]:
        yield SchemaProblem("/issuer/id", "unified social credit code check character wrong")
    status = doc["credentialStatus"]
    if status["id"] != f"{status['statusListCredential']}#{status['statusListIndex']}":
        yield SchemaProblem(
            "/credentialStatus/id", "id must be statusListCredential#statusListIndex"
        )


def _timestamp(value: str | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise SchemaError("CERTIFICATE_CLAIMS", "validFrom must be timezone-aware")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value  # a string is checked by the schema
