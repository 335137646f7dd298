"""RFC 8785 JSON Canonicalization Scheme, as used by the `eddsa-jcs-2022` cryptosuite.

A thin wrapper around the `rfc8785` package. It first checks that the value really is JSON as
parsed by `json.loads` would give it (dict with str keys, list, str, int, float, bool, None), so a
value with no canonical form fails with one error type, `CanonicalizationError`, instead of
whatever the serializer happens to raise. No faster canonicaliser is used: documents here are a
few kilobytes and canonicalisation is not the cost that matters (the Argon2id check is).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import rfc8785

from credentials.errors import CanonicalizationError

__all__ = ["MAX_DEPTH", "canonicalize", "plain_json"]

# Deep enough for any credential, shallow enough that no input reaches Python's recursion limit.
MAX_DEPTH: Final = 64
_INT_LIMIT: Final = 2**53 - 1  # I-JSON: every integer up to this is exactly a double


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises `CanonicalizationError` (code `JCS_NOT_JSON` or `JCS_TOO_DEEP`) for anything that is
    not JSON: NaN or infinite floats, integers beyond ±(2**53 - 1) unless they are the canonical
    spelling of a double (as `json.loads` returns for 1e20), non-string keys, strings with lone
    surrogates, other Python types, nesting deeper than `MAX_DEPTH`.
    """
    plain = plain_json(value)
    try:
        return rfc8785.dumps(plain)
    except (rfc8785.CanonicalizationError, ValueError) as exc:
        # Only reachable for inputs `_to_plain_json` lets through; kept so no other type escapes.
        raise CanonicalizationError("JCS_NOT_JSON", f"value has no JCS form: {exc}") from None


def plain_json(value: Any) -> Any:
    """A deep copy of `value` made only of dict/list/str/int/float/bool/None, keeping key order.

    Raises `CanonicalizationError` exactly when `canonicalize` would.
    """
    return _to_plain_json(value, 0)


def _to_plain_json(value: Any, depth: int) -> Any:
    """A copy using only dict/list/str/int/float/bool/None, or CanonicalizationError."""
    if depth > MAX_DEPTH:
        raise CanonicalizationError("JCS_TOO_DEEP", f"JSON nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        _check_string(value)
        # str.__str__ gives the plain value even for (str, Enum) members, whose str() is "E.A".
        return str.__str__(value)
    if isinstance(value, int):
        if -_INT_LIMIT <= value <= _INT_LIMIT:
            return int(value)
        return _large_integer(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalizationError("JCS_NOT_JSON", "NaN and infinite numbers are not JSON")
        return float(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalizationError(
                    "JCS_NOT_JSON", f"object keys must be strings, not {type(key).__name__}"
                )
            _check_string(key)
            out[str.__str__(key)] = _to_plain_json(item, depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_to_plain_json(item, depth + 1) for item in value]
    raise CanonicalizationError("JCS_NOT_JSON", f"{type(value).__name__} is not a JSON type")


def _large_integer(value: int) -> float:
    """A big integer literal is fine when it is exactly how JCS writes some double.

    `json.loads` turns the canonical form of, say, 1e20 into the int 100000000000000000000; JSON
    numbers are doubles, so such a literal stands for that double and must canonicalise back to
    itself. A literal no double is written as (2**53 + 1) would be silently changed: refused.
    """
    try:
        as_float = float(value)
    except OverflowError:
        as_float = math.inf
    if math.isfinite(as_float) and rfc8785.dumps(as_float) == str(value).encode("ascii"):
        return as_float
    raise CanonicalizationError(
        "JCS_NOT_JSON", "integer beyond ±(2**53 - 1) that is not exactly a JSON (double) number"
    )


def _check_string(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalizationError(
            "JCS_NOT_JSON", "string contains a lone surrogate (not valid Unicode)"
        ) from None
