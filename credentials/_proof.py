"""The `eddsa-jcs-2022` Data Integrity cryptosuite (W3C vc-di-eddsa Recommendation, 2025-05-15).

Creating a proof (spec §3.3.1 with §3.3.3–3.3.6):

1. proof options: `type` DataIntegrityProof, `cryptosuite`, `created`, `verificationMethod`,
   `proofPurpose`, and — when the document has one — the document's `@context`;
2. canonical proof config = JCS(proof options), canonical document = JCS(document without proof);
3. hash data = SHA-256(canonical proof config) || SHA-256(canonical document);
4. proofValue = multibase base58btc (`z…`) of the Ed25519 signature of the hash data.

Verifying (spec §3.3.2): when the proof has an `@context`, the document's `@context` must start
with the proof's values in the same order, and the document is then hashed with the proof's
`@context` in place of its own. So contexts *appended* to a signed document's `@context` are not
covered by the signature — that is the Recommendation's rule (it lets proofs be chained). A
credential type that needs a fixed `@context` must pin it in its schema; the certificate schema
does.

Each step is a public function so the tests can reproduce every W3C intermediate value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from credentials import _multibase
from credentials._jcs import canonicalize, plain_json
from credentials.errors import CanonicalizationError, ProofError
from credentials.keys import PublicKey, SigningKey

__all__ = [
    "CRYPTOSUITE",
    "PROOF_CONTEXT_MISMATCH",
    "PROOF_KEY_MISMATCH",
    "PROOF_MALFORMED",
    "PROOF_MISSING",
    "PROOF_OK",
    "PROOF_SIGNATURE_INVALID",
    "PROOF_TYPE",
    "PROOF_WRONG_PURPOSE",
    "PROOF_WRONG_SUITE",
    "ProofCheck",
    "canonical_document",
    "canonical_proof_config",
    "decode_proof_value",
    "document_hash",
    "encode_proof_value",
    "format_created",
    "hash_data",
    "is_xsd_datetime",
    "proof_config_hash",
    "proof_of",
    "proof_options",
    "sign",
    "verification_method_of",
    "verify",
]

PROOF_TYPE: Final = "DataIntegrityProof"
CRYPTOSUITE: Final = "eddsa-jcs-2022"

PROOF_OK: Final = "PROOF_OK"
PROOF_MISSING: Final = "PROOF_MISSING"
PROOF_MALFORMED: Final = "PROOF_MALFORMED"
PROOF_WRONG_SUITE: Final = "PROOF_WRONG_SUITE"
PROOF_KEY_MISMATCH: Final = "PROOF_KEY_MISMATCH"
PROOF_WRONG_PURPOSE: Final = "PROOF_WRONG_PURPOSE"
PROOF_CONTEXT_MISMATCH: Final = "PROOF_CONTEXT_MISMATCH"
PROOF_SIGNATURE_INVALID: Final = "PROOF_SIGNATURE_INVALID"

_SIGNATURE_BYTES: Final = 64
_BASE58BTC: Final = re.compile(r"z[1-9A-HJ-NP-Za-km-z]{1,120}")
# XML Schema 1.1 Part 2 dateTime lexical space (§3.3.7); the timezone is optional there.
_XSD_DATETIME: Final = re.compile(
    r"-?(?P<year>[1-9][0-9]{3,}|0[0-9]{3})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
    r"(?P<tz>Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """The outcome of `verify`: `ok` only with code `PROOF_OK`.

    `verification_method` and `created` are copied from the proof when they are strings (even
    when the check fails), so a report can say which key the proof claims.
    """

    ok: bool
    code: str
    message: str
    verification_method: str | None
    created: str | None


# ---------------------------------------------------------------------------------------------
# The algorithm's steps


def is_xsd_datetime(value: object, *, require_timezone: bool = False) -> bool:
    """True for a valid XML Schema dateTime string (a real calendar day, optional timezone)."""
    if not isinstance(value, str):
        return False
    match = _XSD_DATETIME.fullmatch(value)
    if match is None or (require_timezone and match.group("tz") is None):
        return False
    year, month, day = (int(match.group(g)) for g in ("year", "month", "day"))
    if value.startswith("-") or year > 9999:
        return True  # outside Python's calendar; the lexical check is all XSD asks there
    try:
        dt.date(year or 2000, month, day)  # year 0000 is a leap year, like 2000
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)
def _xsd_datetime_str(value: str) -> bool:
    """`is_xsd_datetime` of an exact `str`, remembered: a batch repeats the same few instants."""
    return is_xsd_datetime(value)


def format_created(created: str | dt.datetime | None = None) -> str:
    """`created` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds); now when None.

    A string is taken as given if it is an XSD dateTimeStamp (timezone required, as Data
    Integrity says); a naive datetime is refused, since its instant is unknown.
    """
    if created is None:
        created = dt.datetime.now(dt.UTC)
    if isinstance(created, dt.datetime):
        if created.tzinfo is None or created.utcoffset() is None:
            raise ProofError("PROOF_CREATED", "created must be timezone-aware (e.g. UTC)")
        return created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(created, str) and is_xsd_datetime(created, require_timezone=True):
        return created
    raise ProofError(
        "PROOF_CREATED", "created must be an XML Schema dateTimeStamp such as 2026-11-26T08:00:00Z"
    )


def proof_options(
    document: Mapping[str, Any],
    verification_method: str,
    *,
    created: str | dt.datetime | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """The proof options for `document` (spec §3.3.1 steps 1–2), without `proofValue`.

    When the document has an `@context`, the proof gets a copy of it.
    """
    if not isinstance(verification_method, str) or not verification_method:
        raise ProofError("PROOF_OPTIONS", "verificationMethod must be a non-empty string")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise ProofError("PROOF_OPTIONS", "proofPurpose must be a non-empty string")
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in document:
        options["@context"] = _plain(document["@context"])
    return options


def canonical_proof_config(options: Mapping[str, Any]) -> bytes:
    """Proof Configuration (spec §3.3.5): check type, cryptosuite and created, then JCS."""
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            "PROOF_WRONG_SUITE", f"proof must be type {PROOF_TYPE}, cryptosuite {CRYPTOSUITE}"
        )
    if "created" in options and not is_xsd_datetime(options["created"]):
        raise ProofError("PROOF_CREATED", "proof created is not an XML Schema dateTime")
    return _canonical(options)


def canonical_document(unsecured: Mapping[str, Any]) -> bytes:
    """Transformation (spec §3.3.3): JCS of the unsecured document (one without `proof`)."""
    if "proof" in unsecured:
        raise ProofError("PROOF_PRESENT", "the transformation takes the document without its proof")
    return _canonical(unsecured)


def proof_config_hash(canonical_config: bytes) -> bytes:
    return hashlib.sha256(canonical_config).digest()


def document_hash(canonical_doc: bytes) -> bytes:
    return hashlib.sha256(canonical_doc).digest()


def hash_data(canonical_config: bytes, canonical_doc: bytes) -> bytes:
    """Hashing (spec §3.3.4): SHA-256(proof config) || SHA-256(document), 64 bytes."""
    return proof_config_hash(canonical_config) + document_hash(canonical_doc)


def encode_proof_value(signature: bytes) -> str:
    """Multibase base58btc: `z` + base58btc(signature)."""
    if not isinstance(signature, bytes) or len(signature) != _SIGNATURE_BYTES:
        raise ProofError("PROOF_VALUE", "an Ed25519 signature is 64 bytes")
    return _multibase.encode(signature)


def decode_proof_value(value: object) -> bytes:
    """The 64 signature bytes of a `z…` proofValue, or ProofError(PROOF_VALUE)."""
    if not isinstance(value, str) or not _BASE58BTC.fullmatch(value):
        raise ProofError("PROOF_VALUE", "proofValue must be multibase base58btc ('z…')")
    raw = _multibase.decode(value[1:])
    if len(raw) != _SIGNATURE_BYTES:
        raise ProofError("PROOF_VALUE", f"proofValue must hold 64 bytes, found {len(raw)}")
    return raw


# ---------------------------------------------------------------------------------------------
# Sign and verify


def sign(
    document: Mapping[str, Any],
    key: SigningKey,
    *,
    created: str | dt.datetime | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A new dict: a copy of `document` with an `eddsa-jcs-2022` proof added.

    `created` defaults to now (UTC, whole seconds); verificationMethod is the key's did:key
    verification method. Raises `ProofError` if the document already has a proof and
    `CanonicalizationError` if it is not JSON.
    """
    if not isinstance(document, Mapping):
        raise ProofError("PROOF_INPUT", "only a JSON object can carry a proof")
    if not isinstance(key, SigningKey):
        raise TypeError("key must be a credentials.keys.SigningKey")
    if "proof" in document:
        raise ProofError("PROOF_PRESENT", "document already has a proof; proof sets are not made")
    unsecured: dict[str, Any] = plain_json(document)
    options = proof_options(
        unsecured,
        key.public_key.verification_method,
        created=created,
        proof_purpose=proof_purpose,
    )
    signature = key.sign(hash_data(canonical_proof_config(options), canonical_document(unsecured)))
    return {**unsecured, "proof": {**options, "proofValue": encode_proof_value(signature)}}


def verify(
    secured: Mapping[str, Any],
    public_key: PublicKey,
    *,
    expected_proof_purpose: str = "assertionMethod",
    plain: bool = False,
) -> ProofCheck:
    """Check the `eddsa-jcs-2022` proof of `secured` under `public_key`.

    Never raises for any `secured`, however malformed; the result's `code` says what is wrong.
    The proof's verificationMethod must be `public_key.verification_method` and its proofPurpose
    `expected_proof_purpose` (credentials are asserted with `assertionMethod`). `plain=True` is
    the caller's word that `_jcs.plain_size(secured) >= 0` (the verifier's input check found it):
    the same result without walking the document again for each canonical form;
    tests/credentials/test_proof.py checks the equality.
    """
    return _verify(secured, public_key, expected_proof_purpose, plain)


def _verify(
    secured: Mapping[str, Any], public_key: PublicKey, expected_proof_purpose: str, plain: bool
) -> ProofCheck:
    if not isinstance(public_key, PublicKey):
        raise TypeError("public_key must be a credentials.keys.PublicKey")
    proof = _single_proof(secured)
    if isinstance(proof, ProofCheck):
        return proof
    vm = proof.get("verificationMethod")
    vm = vm if isinstance(vm, str) else None
    created = proof.get("created")
    created = created if isinstance(created, str) else None
    found = _signature(proof, vm, created, public_key, expected_proof_purpose)
    if isinstance(found, tuple):
        return ProofCheck(False, *found, vm, created)
    try:
        data = _signed_data(secured, proof, plain)
    except (CanonicalizationError, ProofError) as exc:
        return ProofCheck(
            False, PROOF_MALFORMED, f"cannot canonicalise: {exc.message}", vm, created
        )
    if data is None:
        message = "the document's @context does not start with the proof's @context"
        return ProofCheck(False, PROOF_CONTEXT_MISMATCH, message, vm, created)
    if not public_key.verify(data, found):
        message = "the signature does not match the document"
        return ProofCheck(False, PROOF_SIGNATURE_INVALID, message, vm, created)
    return ProofCheck(True, PROOF_OK, "proof verified", vm, created)


def _single_proof(secured: object) -> Mapping[str, Any] | ProofCheck:
    """The document's one proof object, or the failed check saying why there is none."""
    if not (type(secured) is dict or isinstance(secured, Mapping)):
        return _fail(PROOF_MALFORMED, "the secured document is not a JSON object")
    if "proof" not in secured:
        return _fail(PROOF_MISSING, "the document has no proof")
    proof = secured["proof"]
    if isinstance(proof, list):
        return _fail(PROOF_MALFORMED, "proof sets (several proofs) are not supported")
    if not (type(proof) is dict or isinstance(proof, Mapping)):
        return _fail(PROOF_MALFORMED, "proof is not a JSON object")
    return proof


def _signature(
    proof: Mapping[str, Any],
    vm: str | None,
    created: str | None,
    public_key: PublicKey,
    expected_proof_purpose: str,
) -> bytes | tuple[str, str]:
    """The proof's signature bytes once its options are in order, else (code, message)."""
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return (
            PROOF_WRONG_SUITE,
            f"expected type {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}, found type "
            f"{_brief(proof.get('type'))} with cryptosuite {_brief(proof.get('cryptosuite'))}",
        )
    try:
        signature = decode_proof_value(proof.get("proofValue"))
    except ProofError as exc:
        return PROOF_MALFORMED, exc.message
    if vm is None:
        return PROOF_MALFORMED, "proof verificationMethod is missing or not a string"
    if "created" in proof and not (
        _xsd_datetime_str(created) if type(created) is str else is_xsd_datetime(proof["created"])
    ):
        return PROOF_MALFORMED, "proof created is not an XML Schema dateTime"
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str):
        return PROOF_MALFORMED, "proof proofPurpose is missing or not a string"
    if vm != public_key.verification_method:
        return (
            PROOF_KEY_MISMATCH,
            f"proof names verification method {_brief(vm)}, not the given key "
            f"{public_key.verification_method}",
        )
    if purpose != expected_proof_purpose:
        message = f"proof purpose is {_brief(purpose)}, expected {expected_proof_purpose!r}"
        return PROOF_WRONG_PURPOSE, message
    return signature


def _signed_data(secured: Mapping[str, Any], proof: Mapping[str, Any], plain: bool) -> bytes | None:
    """The hash data the signature covers (spec §3.3.2 steps 4-6), or None when the document's
    @context does not start with the proof's."""
    proof_opts = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    if "@context" in proof_opts:
        if not _context_starts_with(secured.get("@context"), proof_opts["@context"]):
            return None
        unsecured["@context"] = proof_opts["@context"]
    if plain:
        # Parts of a plain document are plain: `canonical_proof_config`'s checks without the
        # walks (type and cryptosuite were compared, `created` checked as XSD by `_signature`).
        return (
            hashlib.sha256(canonicalize(proof_opts, plain=True)).digest()
            + hashlib.sha256(canonicalize(unsecured, plain=True)).digest()
        )
    return hash_data(canonical_proof_config(proof_opts), canonical_document(unsecured))


def proof_of(secured: object) -> Mapping[str, Any] | None:
    """The document's single proof object, or None (no proof, not an object, a proof set)."""
    if not (type(secured) is dict or isinstance(secured, Mapping)):
        return None
    proof = secured.get("proof")
    return proof if type(proof) is dict or isinstance(proof, Mapping) else None


def verification_method_of(secured: object) -> str | None:
    """The proof's verificationMethod when it is a string, else None."""
    proof = proof_of(secured)
    vm = proof.get("verificationMethod") if proof is not None else None
    return vm if isinstance(vm, str) else None


# ---------------------------------------------------------------------------------------------
# Helpers


def _fail(code: str, message: str) -> ProofCheck:
    return ProofCheck(False, code, message, None, None)


def _canonical(value: Mapping[str, Any]) -> bytes:
    if not isinstance(value, Mapping):
        raise ProofError("PROOF_INPUT", "expected a JSON object")
    return canonicalize(value)


def _plain(value: Any) -> Any:
    return plain_json(value)


def _context_starts_with(document_context: Any, proof_context: Any) -> bool:
    """Spec §3.3.2 step 4: the document's @context starts with all the proof's values, in order.

    A single context (string or object) counts as a list of one. Values compare as JSON (so
    `1` and `true` differ), by their canonical forms.
    """
    doc = _as_context_list(document_context)
    prf = _as_context_list(proof_context)
    if doc is None or prf is None or len(prf) > len(doc):
        return False
    head = doc[: len(prf)]
    if all(type(v) is str and v.isascii() for v in (*prf, *head)):
        # Two JSON strings have equal canonical forms exactly when they are equal, and an ASCII
        # string has no lone surrogate, so `canonicalize` could not have raised either.
        return prf == head
    return all(canonicalize(a) == canonicalize(b) for a, b in zip(prf, doc, strict=False))


def _as_context_list(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, str | Mapping):
        return [value]
    return None


def _brief(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
