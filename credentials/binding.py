"""Holder binding: an Argon2id commitment to the holder's ID (social security card) number.

The credential carries a random per-credential salt and
`Argon2id(password = normalised 18-character ID number in ASCII, salt)`, with every cost
parameter written next to it, so an offline verifier holding the card recomputes it with nothing
else. The ID number itself is never in the credential.

Argon2id rather than a salted SHA-256 because the ID space is small (see
docs/holder-binding.md): each guess must cost real time and memory. Be clear about the limit:
someone who knows the holder's birth date and region has only ~1000 candidates left, so the
binding proves that a card matches; it does not keep the number secret from such a person.

JSON shape (RFC 9106 terms: t = opslimit, m = memlimit / 1024 KiB, p = 1, version 0x13):

    {"type": "Argon2idCommitment", "algorithm": "argon2id", "version": 19,
     "opslimit": 2, "memlimit": 25165824, "parallelism": 1, "outputLength": 32,
     "salt": "<16 bytes, base64url, no padding>", "digest": "<32 bytes, base64url, no padding>"}
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

import nacl.exceptions
import nacl.pwhash.argon2id as argon2id
import nacl.utils

from credentials.errors import BindingError
from credentials.idnumber import IdNumberError, normalise_id_number

__all__ = [
    "DEFAULT_PARAMS",
    "BindingCheck",
    "BindingParams",
    "check",
    "commit",
]

BINDING_TYPE: Final = "Argon2idCommitment"
ALGORITHM: Final = "argon2id"
ARGON2_VERSION: Final = 19  # 0x13, the only version libsodium implements
PARALLELISM: Final = 1  # libsodium is single-lane; a WebAssembly verifier must use p = 1 too
SALT_BYTES: Final = 16  # crypto_pwhash_SALTBYTES
DIGEST_BYTES: Final = 32

_KIB: Final = 1024
_MIB: Final = 1024 * 1024
# libsodium's own minimums for Argon2id.
MIN_OPSLIMIT: Final = 1
MIN_MEMLIMIT: Final = 8 * _KIB
# A received binding is hostile input: these caps bound what one check can cost the verifier
# (measured here: at most about 0.7 s and 256 MiB).
MAX_OPSLIMIT: Final = 10
MAX_MEMLIMIT: Final = 256 * _MIB
MAX_WORK: Final = 1024 * _MIB  # opslimit * memlimit: about 21 times the default
_MIN_OUTPUT: Final = 16
_MAX_OUTPUT: Final = 64

BINDING_OK: Final = "BINDING_OK"
BINDING_MISMATCH: Final = "BINDING_MISMATCH"
BINDING_MALFORMED: Final = "BINDING_MALFORMED"
BINDING_UNSUPPORTED: Final = "BINDING_UNSUPPORTED"
BINDING_COST_REFUSED: Final = "BINDING_COST_REFUSED"
BINDING_CARD_INVALID: Final = "BINDING_CARD_INVALID"

# The fields of a holder binding, exactly; the fast acceptance (`_acceptance`) reads them here.
FIELDS: Final = frozenset(
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
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]*")


def _cost_problem(opslimit: object, memlimit: object) -> str | None:
    if not (_is_int(opslimit) and _is_int(memlimit)):
        return "opslimit and memlimit must be integers"
    if not MIN_OPSLIMIT <= opslimit <= MAX_OPSLIMIT:
        return f"opslimit must be {MIN_OPSLIMIT}–{MAX_OPSLIMIT}"
    if not MIN_MEMLIMIT <= memlimit <= MAX_MEMLIMIT:
        return f"memlimit must be {MIN_MEMLIMIT} bytes – {MAX_MEMLIMIT // _MIB} MiB"
    if memlimit % _KIB:
        # Argon2 counts memory in KiB; libsodium would silently round a remainder away.
        return "memlimit must be a whole number of KiB"
    if opslimit * memlimit > MAX_WORK:
        return f"opslimit × memlimit must not exceed {MAX_WORK // _MIB} MiB-passes"
    return None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class BindingParams:
    """Argon2id cost: `opslimit` passes over `memlimit` bytes (a whole number of KiB)."""

    opslimit: int
    memlimit: int

    def __post_init__(self) -> None:
        problem = _cost_problem(self.opslimit, self.memlimit)
        if problem is not None:
            raise BindingError("BINDING_PARAMS", problem)


# Measured on the project machine (2 shared cores, 2026-11-26): 28–33 ms median a check (90th
# percentile at most 36 ms), inside the 20–50 ms budget even when busy; 32 MiB measured 38–44 ms
# median with a 90th percentile above 50 ms. See docs/holder-binding.md.
DEFAULT_PARAMS: Final = BindingParams(opslimit=2, memlimit=24 * _MIB)


@dataclass(frozen=True, slots=True)
class BindingCheck:
    """The outcome of `check`: `ok` only with code `BINDING_OK`. Never mentions the number."""

    ok: bool
    code: str
    message: str


def commit(
    id_number: str, *, salt: bytes | None = None, params: BindingParams = DEFAULT_PARAMS
) -> dict[str, Any]:
    """The binding object for a credential (a fresh random salt unless one is given).

    Raises `BindingError` with the ID-number error's code (e.g. `ID_NUMBER_CHECK`) when the
    number is not a valid 18-character ID number.
    """
    if not isinstance(params, BindingParams):
        raise TypeError("params must be a BindingParams")
    try:
        normalised = normalise_id_number(id_number)
    except IdNumberError as exc:
        raise BindingError(exc.code, exc.message) from None
    if salt is None:
        salt = nacl.utils.random(SALT_BYTES)
    elif not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
        raise BindingError("BINDING_SALT", f"salt must be {SALT_BYTES} bytes")
    digest = _derive(normalised, salt, params.opslimit, params.memlimit, DIGEST_BYTES)
    return {
        "type": BINDING_TYPE,
        "algorithm": ALGORITHM,
        "version": ARGON2_VERSION,
        "opslimit": params.opslimit,
        "memlimit": params.memlimit,
        "parallelism": PARALLELISM,
        "outputLength": DIGEST_BYTES,
        "salt": _b64url_encode(salt),
        "digest": _b64url_encode(digest),
    }


def check(binding: Mapping[str, Any], id_number: str) -> BindingCheck:
    """Whether `id_number` is the number committed to in `binding`. Never raises.

    Codes: BINDING_OK; BINDING_MISMATCH (a valid number, not this holder's); BINDING_CARD_INVALID
    (not a valid ID number; the message says why); BINDING_MALFORMED, BINDING_UNSUPPORTED,
    BINDING_COST_REFUSED (the binding itself cannot be checked).
    """
    parsed = _parse(binding)
    if isinstance(parsed, BindingCheck):
        return parsed
    salt, digest, opslimit, memlimit = parsed
    try:
        normalised = normalise_id_number(id_number)
    except IdNumberError as exc:
        return BindingCheck(False, BINDING_CARD_INVALID, f"card number not valid: {exc.message}")
    try:
        computed = _derive(normalised, salt, opslimit, memlimit, len(digest))
    except (nacl.exceptions.CryptoError, ValueError, MemoryError):
        return BindingCheck(False, BINDING_UNSUPPORTED, "Argon2id could not be computed")
    if hmac.compare_digest(computed, digest):
        return BindingCheck(True, BINDING_OK, "the card number matches the credential's holder")
    return BindingCheck(
        False, BINDING_MISMATCH, "the card number does not match the credential's holder"
    )


def _parse(binding: object) -> tuple[bytes, bytes, int, int] | BindingCheck:
    def malformed(message: str) -> BindingCheck:
        return BindingCheck(False, BINDING_MALFORMED, message)

    def unsupported(message: str) -> BindingCheck:
        return BindingCheck(False, BINDING_UNSUPPORTED, message)

    if not isinstance(binding, Mapping):
        return malformed("holder binding is not a JSON object")
    if binding.get("type") != BINDING_TYPE:
        return unsupported(f"holder binding type must be {BINDING_TYPE}")
    if set(binding.keys()) != FIELDS:
        return malformed("holder binding must have exactly the fields " + ", ".join(sorted(FIELDS)))
    if binding["algorithm"] != ALGORITHM:
        return unsupported(f"holder binding algorithm must be {ALGORITHM}")
    version, parallelism = binding["version"], binding["parallelism"]
    if not (_is_int(version) and version == ARGON2_VERSION) or not (
        _is_int(parallelism) and parallelism == PARALLELISM
    ):
        return unsupported(f"only Argon2 version {ARGON2_VERSION} with parallelism 1 is supported")
    opslimit, memlimit, length = binding["opslimit"], binding["memlimit"], binding["outputLength"]
    if not (_is_int(opslimit) and _is_int(memlimit) and _is_int(length)):
        return malformed("opslimit, memlimit and outputLength must be integers")
    if not _MIN_OUTPUT <= length <= _MAX_OUTPUT:
        return unsupported(f"outputLength must be {_MIN_OUTPUT}–{_MAX_OUTPUT} bytes")
    problem = _cost_problem(opslimit, memlimit)
    if problem is not None:
        return BindingCheck(False, BINDING_COST_REFUSED, problem)
    salt = _b64url_decode(binding["salt"])
    if salt is None or len(salt) != SALT_BYTES:
        return malformed(f"salt must be {SALT_BYTES} bytes in unpadded base64url")
    digest = _b64url_decode(binding["digest"])
    if digest is None or len(digest) != length:
        return malformed("digest must be outputLength bytes in unpadded base64url")
    return salt, digest, opslimit, memlimit


def _derive(normalised: str, salt: bytes, opslimit: int, memlimit: int, size: int) -> bytes:
    return bytes(
        argon2id.kdf(size, normalised.encode("ascii"), salt, opslimit=opslimit, memlimit=memlimit)
    )


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: object) -> bytes | None:
    """Strict unpadded base64url: one spelling per byte string, else None."""
    if not isinstance(value, str) or len(value) > 200 or not _BASE64URL.fullmatch(value):
        return None
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        return None
    return data if _b64url_encode(data) == value else None
