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
import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import cache, lru_cache
from importlib import resources
from itertools import chain
from typing import Any, Final

import jsonschema
import jsonschema.validators

from credentials import proof
from credentials.errors import CanonicalizationError, SchemaError, SchemaProblem
from credentials.idnumber import mod11_2_check
from credentials.jcs import is_plain_json, plain_json
from credentials.keys import SigningKey

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
    "validate_accepted_certificate",
    "validate_certificate",
    "validate_plain_certificate",
]

VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
CONTEXT_URL: Final = "https://dte-registry.cn/contexts/dte-v1.jsonld"
SCHEMA_URL: Final = "https://dte-registry.cn/schemas/certificate.schema.json"
CREDENTIAL_TYPE: Final = "ProfessionalTechnicalLevelCertificate"
SUBJECT_TYPE: Final = "CertificateHolder"
STATUS_ENTRY_TYPE: Final = "BitstringStatusListEntry"
ID_PREFIX: Final = "urn:dte:certificate:"
ISSUER_PREFIX: Final = "urn:uscc:"

_SCHEMA_FILE: Final = "certificate.schema.json"
_CONTEXT_FILE: Final = "dte-v1.jsonld"
_USCC_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_MAX_MESSAGE: Final = 300


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
    return proof.sign(document, key, created=created)


def validate_certificate(document: object) -> list[SchemaProblem]:
    """Every schema problem of a (signed or unsigned) certificate; empty when valid. Never raises.

    Paths are JSON Pointers ("" is the whole document).
    """
    return _validate(document, known_plain=False)


def validate_plain_certificate(document: dict[str, Any]) -> list[SchemaProblem]:
    """`validate_certificate` for a document the caller has already found plain
    (`jcs.plain_size(document) >= 0`): the same problems without walking it again."""
    return _validate(document, known_plain=True)


def _validate(document: object, known_plain: bool) -> list[SchemaProblem]:
    if known_plain or is_plain_json(document):
        plain: Any = document  # already what plain_json would copy it to; nothing mutates it
    else:
        try:
            plain = plain_json(document)
        except CanonicalizationError as exc:
            return [SchemaProblem("", f"not a JSON document: {exc.message}")]
    if accepts_fast(plain):
        problems: list[SchemaProblem] = []
    else:
        problems = [
            SchemaProblem(_pointer(error.absolute_path), _shorten(error.message))
            for error in sorted(
                _validator().iter_errors(plain), key=lambda e: list(map(str, e.path))
            )
        ]
    if not problems:
        problems.extend(_semantic_problems(plain))
    return problems


def load_schema() -> dict[str, Any]:
    """The certificate JSON Schema as shipped (the registry serves it at SCHEMA_URL)."""
    loaded: dict[str, Any] = json.loads(_read("schemas", _SCHEMA_FILE))
    return loaded


def load_context() -> dict[str, Any]:
    """The project JSON-LD context as shipped (the registry serves it at CONTEXT_URL)."""
    loaded: dict[str, Any] = json.loads(_read("contexts", _CONTEXT_FILE))
    return loaded


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
    if _uscc_check(uscc[:17]) != uscc[17]:
        yield SchemaProblem("/issuer/id", "unified social credit code check character wrong")
    status = doc["credentialStatus"]
    if status["id"] != f"{status['statusListCredential']}#{status['statusListIndex']}":
        yield SchemaProblem(
            "/credentialStatus/id", "id must be statusListCredential#statusListIndex"
        )


@lru_cache(maxsize=1024)
def _uscc_check(body17: str) -> str:
    """GB 32100-2015 check character over the first 17 characters."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def _timestamp(value: str | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise SchemaError("CERTIFICATE_CLAIMS", "validFrom must be timezone-aware")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value  # a string is checked by the schema


def _read(folder: str, name: str) -> str:
    return resources.files("credentials").joinpath(folder, name).read_text("utf-8")


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    # JSON Schema patterns are ECMA-262, where `$` is the end of the string; Python's `$` also
    # matches before a final newline, which would let "…X\n" through. `\Z` is the ECMA meaning.
    if isinstance(instance, str) and not _compile(pattern).search(instance):
        yield jsonschema.ValidationError(f"{_shorten(repr(instance))} does not match {pattern!r}")


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time with an offset (shape by the schema's pattern, values here)."""
    if type(value) is str:
        return _is_date_time_str(value)
    if not isinstance(value, str):
        return True
    return _is_date_time_str.__wrapped__(value)


@lru_cache(maxsize=4096)
def _is_date_time_str(value: str) -> bool:
    # Remembered per exact string: a batch of credentials repeats the same few instants.
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _is_uri(value: object) -> bool:
    if type(value) is str:
        return _is_uri_str(value)
    if not isinstance(value, str):
        return True
    return _is_uri_str.__wrapped__(value)


@lru_cache(maxsize=1024)
def _is_uri_str(value: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)


@cache
def _validator() -> Any:
    schema = load_schema()
    base = jsonschema.validators.validator_for(schema)
    base.check_schema(schema)
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    cls = jsonschema.validators.extend(base, {"pattern": _ecma_pattern})
    return cls(schema, format_checker=checker)


# --- fast acceptance --------------------------------------------------------------------------
#
# jsonschema costs about 0.9 ms a credential here, half of an offline verification and most of
# what publication spends per credential beyond signing (docs/benchmarks.md). `accepts_fast` is a
# hand-written check of the same schema that only ever says "valid" for documents the schema
# accepts: it demands the exact Python types (`int`, never `bool` or `1.0`; `str`, `dict`, `list`,
# never subclasses), the same patterns compiled the same way (`_compile`, searched as
# `_ecma_pattern` does), the same format functions and bounds. Anything else returns False, and
# `validate_certificate` then asks jsonschema, so problems are reported exactly as before.
# The patterns and constants are read from the shipped schema, and the check is switched off
# when the schema file is not the one it was written for (`_FAST_SCHEMA_SHA256`): a schema edit
# can make it slower, never wrong. tests/credentials/test_certificate_fast.py checks both.

_FAST_SCHEMA_SHA256: Final = "e923ad840d49821868743d6f3101f4d834d4dddaeaa705c879908b7b93b22ed1"


@dataclass(frozen=True)
class _FastPlan:
    id: re.Pattern[str]
    uscc: re.Pattern[str]
    text: re.Pattern[str]
    date_time: re.Pattern[str]
    number: re.Pattern[str]
    occupation_code: re.Pattern[str]
    field: re.Pattern[str]
    salt: re.Pattern[str]
    digest: re.Pattern[str]
    status_id: re.Pattern[str]
    status_index: re.Pattern[str]
    status_url: re.Pattern[str]
    verification_method: re.Pattern[str]
    proof_value: re.Pattern[str]
    context: tuple[str, ...]
    types: tuple[str, ...]
    schema_ref: tuple[tuple[str, str], ...]
    schema_ref_keys: frozenset[str]
    levels: tuple[tuple[int, str], ...]
    text_max: int
    url_max: int


@cache
def _fast_plan() -> _FastPlan | None:
    raw = _read("schemas", _SCHEMA_FILE)
    if hashlib.sha256(raw.encode("utf-8")).hexdigest() != _FAST_SCHEMA_SHA256:
        return None
    schema = json.loads(raw)
    top, defs = schema["properties"], schema["$defs"]
    cert = defs["certificate"]["properties"]
    binding = defs["holderBinding"]["properties"]
    status = defs["statusEntry"]["properties"]
    prf = defs["proof"]["properties"]
    return _FastPlan(
        id=_compile(top["id"]["pattern"]),
        uscc=_compile(top["issuer"]["properties"]["id"]["pattern"]),
        text=_compile(defs["text"]["pattern"]),
        date_time=_compile(defs["dateTime"]["pattern"]),
        number=_compile(cert["number"]["pattern"]),
        occupation_code=_compile(cert["occupation"]["properties"]["code"]["pattern"]),
        field=_compile(cert["field"]["pattern"]),
        salt=_compile(binding["salt"]["pattern"]),
        digest=_compile(binding["digest"]["pattern"]),
        status_id=_compile(status["id"]["pattern"]),
        status_index=_compile(status["statusListIndex"]["pattern"]),
        status_url=_compile(status["statusListCredential"]["pattern"]),
        verification_method=_compile(prf["verificationMethod"]["pattern"]),
        proof_value=_compile(prf["proofValue"]["pattern"]),
        context=tuple(top["@context"]["const"]),
        types=tuple(top["type"]["const"]),
        schema_ref=tuple(sorted(top["credentialSchema"]["const"].items())),
        schema_ref_keys=frozenset(top["credentialSchema"]["const"]),
        levels=tuple((lv["code"], lv["name"]) for lv in cert["level"]["enum"]),
        text_max=defs["text"]["maxLength"],
        url_max=status["statusListCredential"]["maxLength"],
    )


_TOP_REQUIRED: Final = frozenset(
    {
        "@context",
        "id",
        "type",
        "issuer",
        "validFrom",
        "credentialSubject",
        "credentialStatus",
        "credentialSchema",
    }
)
_TOP_ALLOWED: Final = _TOP_REQUIRED | {"proof"}
_SUBJECT_KEYS: Final = frozenset({"type", "name", "holderBinding", "certificate"})
_ISSUER_KEYS: Final = frozenset({"id", "name"})
_OCCUPATION_KEYS: Final = frozenset({"code", "name"})
_LEVEL_KEYS: Final = frozenset({"code", "name"})
_CERT_REQUIRED: Final = frozenset({"number", "occupation", "level", "field"})
_CERT_ALLOWED: Final = _CERT_REQUIRED | {"direction"}
_BINDING_KEYS: Final = frozenset(
    {
        "type",
        "algorithm",
        "version",
        "opslimit",
        "memlimit",
        "parallelism",
        "outputLength",
        "salt",
        "digest",
    }
)
_STATUS_KEYS: Final = frozenset(
    {"id", "type", "statusPurpose", "statusListIndex", "statusListCredential"}
)
_PROOF_KEYS: Final = frozenset(
    {
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "@context",
        "proofValue",
    }
)


def accepts_fast(document: object) -> bool:
    """True only if the certificate schema accepts `document` (see above); False means "ask
    jsonschema", not "invalid". Never raises."""
    plan = _fast_plan()
    if plan is None:
        return False
    try:
        return _accepts(plan, document)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def accepts_plain(document: object) -> bool:
    """`accepts_fast(document) and jcs.plain_size(document) >= 0`, in one pass over the document
    instead of two: an accepted certificate has a fixed shape, so what is left of the plainness
    walk is its keys' exact type and its strings' encodability. Never raises;
    tests/credentials/test_verifier_batch.py checks the equality."""
    plan = _fast_plan()
    if plan is None:
        return False
    try:
        return _accepts(plan, document) and _accepted_is_plain(document)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def _accepted_is_plain(doc: Any) -> bool:
    # After `_accepts`, every object has exactly the schema's keys and every value its exact type:
    # str, int within the schema's small bounds, list of str equal to a constant, or one of the
    # objects below. What plainness adds: keys of exactly `str` (a subclass compares equal to a
    # schema key) and strings that encode as UTF-8 (no lone surrogate) among those not compared
    # with a constant, listed here.
    subject = doc["credentialSubject"]
    cert = subject["certificate"]
    issuer = doc["issuer"]
    binding = subject["holderBinding"]
    occupation = cert["occupation"]
    status = doc["credentialStatus"]
    objects = [
        doc,
        issuer,
        doc["credentialSchema"],
        subject,
        binding,
        cert,
        occupation,
        cert["level"],
        status,
    ]
    texts = [
        doc["id"],
        doc["validFrom"],
        issuer["id"],
        issuer["name"],
        subject["name"],
        binding["salt"],
        binding["digest"],
        cert["number"],
        occupation["code"],
        occupation["name"],
        cert["field"],
        status["id"],
        status["statusListIndex"],
        status["statusListCredential"],
    ]
    if "direction" in cert:
        texts.append(cert["direction"])
    if "proof" in doc:
        p = doc["proof"]
        objects.append(p)
        texts += (p["created"], p["verificationMethod"], p["proofValue"])
    if set(map(type, chain.from_iterable(objects))) != _ONLY_STR:
        return False
    # Python strings never pair surrogates, so the joined text encodes exactly when each does.
    joined = "".join(texts)
    if joined.isascii():
        return True
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_accepted_certificate(document: dict[str, Any]) -> list[SchemaProblem]:
    """`validate_certificate` for a document `accepts_plain` accepted: its semantic problems."""
    return list(_semantic_problems(document))


def _int(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _strings(value: object, expected: tuple[str, ...]) -> bool:
    # Exactly `str` items (so `==` below is str equality), then one C-level tuple comparison.
    return (
        type(value) is list
        and len(value) == len(expected)
        and (not value or set(map(type, value)) == _ONLY_STR)
        and tuple(value) == expected
    )


_ONLY_STR: Final = {str}


def _const(value: object, expected: str) -> bool:
    return type(value) is str and value == expected


def _accepts(plan: _FastPlan, doc: Any) -> bool:
    # Written flat (no helper per field, exact key sets compared as sets) because it runs once
    # per credential verified or issued; the helpers above say the same in fewer words.
    text_search, text_max = plan.text.search, plan.text_max
    date_time, dt_search = _is_date_time, plan.date_time.search
    if type(doc) is not dict:
        return False
    keys = doc.keys()
    if not (_TOP_REQUIRED <= keys and keys <= _TOP_ALLOWED):
        return False
    context, types = doc["@context"], doc["type"]
    if not (
        type(context) is list
        and type(types) is list
        and _strings(context, plan.context)
        and _strings(types, plan.types)
    ):
        return False
    ident, valid_from = doc["id"], doc["validFrom"]
    if not (
        type(ident) is str
        and plan.id.search(ident) is not None
        and type(valid_from) is str
        and dt_search(valid_from) is not None
        and date_time(valid_from)
    ):
        return False
    issuer = doc["issuer"]
    if not (type(issuer) is dict and issuer.keys() == _ISSUER_KEYS):
        return False
    uscc, name = issuer["id"], issuer["name"]
    if not (
        type(uscc) is str
        and plan.uscc.search(uscc) is not None
        and type(name) is str
        and 1 <= len(name) <= text_max
        and text_search(name) is not None
    ):
        return False
    schema_ref = doc["credentialSchema"]
    if not (type(schema_ref) is dict and schema_ref.keys() == plan.schema_ref_keys):
        return False
    for k, v in plan.schema_ref:
        value = schema_ref[k]
        if not (type(value) is str and value == v):
            return False
    subject = doc["credentialSubject"]
    if not (type(subject) is dict and subject.keys() == _SUBJECT_KEYS):
        return False
    kind, name = subject["type"], subject["name"]
    if not (
        type(kind) is str
        and kind == SUBJECT_TYPE
        and type(name) is str
        and 1 <= len(name) <= text_max
        and text_search(name) is not None
    ):
        return False
    b = subject["holderBinding"]
    if not (type(b) is dict and b.keys() == _BINDING_KEYS):
        return False
    memlimit, salt, digest = b["memlimit"], b["salt"], b["digest"]
    if not (
        _const(b["type"], "Argon2idCommitment")
        and _const(b["algorithm"], "argon2id")
        and _int(b["version"], 19, 19)
        and _int(b["opslimit"], 1, 10)
        and type(memlimit) is int
        and 8192 <= memlimit <= 268_435_456
        and memlimit % 1024 == 0
        and _int(b["parallelism"], 1, 1)
        and _int(b["outputLength"], 32, 32)
        and type(salt) is str
        and plan.salt.search(salt) is not None
        and type(digest) is str
        and plan.digest.search(digest) is not None
    ):
        return False
    cert = subject["certificate"]
    if type(cert) is not dict:
        return False
    keys = cert.keys()
    if not (_CERT_REQUIRED <= keys and keys <= _CERT_ALLOWED):
        return False
    number = cert["number"]
    if not (type(number) is str and plan.number.search(number) is not None):
        return False
    occupation = cert["occupation"]
    if not (type(occupation) is dict and occupation.keys() == _OCCUPATION_KEYS):
        return False
    code, name = occupation["code"], occupation["name"]
    if not (
        type(code) is str
        and plan.occupation_code.search(code) is not None
        and type(name) is str
        and 1 <= len(name) <= text_max
        and text_search(name) is not None
    ):
        return False
    if "direction" in cert:
        direction = cert["direction"]
        if not (
            type(direction) is str
            and 1 <= len(direction) <= text_max
            and text_search(direction) is not None
        ):
            return False
    level = cert["level"]
    if not (type(level) is dict and level.keys() == _LEVEL_KEYS):
        return False
    code, name = level["code"], level["name"]
    if not (type(code) is int and type(name) is str and (code, name) in plan.levels):
        return False
    field = cert["field"]
    if not (type(field) is str and plan.field.search(field) is not None):
        return False
    status = doc["credentialStatus"]
    if not (type(status) is dict and status.keys() == _STATUS_KEYS):
        return False
    url, status_id, index = (
        status["statusListCredential"],
        status["id"],
        status["statusListIndex"],
    )
    if not (
        type(status_id) is str
        and plan.status_id.search(status_id) is not None
        and _const(status["type"], STATUS_ENTRY_TYPE)
        and _const(status["statusPurpose"], "revocation")
        and type(index) is str
        and plan.status_index.search(index) is not None
        and type(url) is str
        and plan.status_url.search(url) is not None
        and len(url) <= plan.url_max
        and _is_uri(url)
    ):
        return False
    if "proof" in doc:
        p = doc["proof"]
        if not (type(p) is dict and p.keys() == _PROOF_KEYS):
            return False
        created, method, value, context = (
            p["created"],
            p["verificationMethod"],
            p["proofValue"],
            p["@context"],
        )
        if not (
            _const(p["type"], "DataIntegrityProof")
            and _const(p["cryptosuite"], "eddsa-jcs-2022")
            and type(created) is str
            and dt_search(created) is not None
            and date_time(created)
            and type(method) is str
            and plan.verification_method.search(method) is not None
            and _const(p["proofPurpose"], "assertionMethod")
            and type(context) is list
            and _strings(context, plan.context)
            and type(value) is str
            and plan.proof_value.search(value) is not None
        ):
            return False
    return True


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."
