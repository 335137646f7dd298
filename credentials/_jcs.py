"""RFC 8785 JSON Canonicalization Scheme, as used by the `eddsa-jcs-2022` cryptosuite.

A wrapper around the `rfc8785` package. It first checks that the value really is JSON as
parsed by `json.loads` would give it (dict with str keys, list, str, int, float, bool, None), so a
value with no canonical form fails with one error type, `CanonicalizationError`, instead of
whatever the serializer happens to raise.

Fast path: credentials hold no floats and only ASCII keys, and for such values `orjson` with
`OPT_SORT_KEYS` (like the standard library's C JSON encoder with `sort_keys`, no whitespace and
`ensure_ascii=False`, which it replaced as six times faster) writes exactly the RFC 8785 bytes: integers within ±(2**53 - 1) print the same, strings escape the same set (`"`,
`\\`, the controls below U+0020, with the same short forms and lowercase `\\u00xx`), and keys
without characters beyond U+FFFF sort the same by code point as by UTF-16 code unit. One walk
(`is_plain_json`) decides; any other value (a float, a big integer, a non-BMP key, a lone
surrogate, a subclass, a tuple, too deep) takes the `rfc8785` path as before. Measured on a
certificate credential: about four times faster (docs/benchmarks.md); byte-identity with `rfc8785`
is a property test (tests/credentials/test_jcs_fast.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import orjson
import rfc8785

from credentials.errors import CanonicalizationError

__all__ = [
    "MAX_DEPTH",
    "canonicalize",
    "is_plain_json",
    "plain_json",
    "plain_size",
]

# Deep enough for any credential, shallow enough that no input reaches Python's recursion limit.
MAX_DEPTH: Final = 64
_INT_LIMIT: Final = 2**53 - 1  # I-JSON: every integer up to this is exactly a double


def canonicalize(value: Any, *, plain: bool = False) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    `plain=True` is the caller's word that `is_plain_json(value)` holds (for instance a part of a
    document that `plain_size` accepted): the fast path is then taken without the walk;
    tests/credentials/test_jcs_fast.py checks the bytes are the same.

    Raises `CanonicalizationError` (code `JCS_NOT_JSON` or `JCS_TOO_DEEP`) for anything that is
    not JSON: NaN or infinite floats, integers beyond ±(2**53 - 1) unless they are the canonical
    spelling of a double (as `json.loads` returns for 1e20), non-string keys, strings with lone
    surrogates, other Python types, nesting deeper than `MAX_DEPTH`.
    """
    if plain or is_plain_json(value):
        return orjson.dumps(value, option=_SORT_KEYS)
    copy = plain_json(value)
    try:
        return rfc8785.dumps(copy)
    except (rfc8785.CanonicalizationError, ValueError) as exc:
        # Only reachable for inputs `_to_plain_json` lets through; kept so no other type escapes.
        raise CanonicalizationError("JCS_NOT_JSON", f"value has no JCS form: {exc}") from None


_SORT_KEYS: Final = orjson.OPT_SORT_KEYS


def plain_size(value: Any, limit: int = 2**62) -> int:
    """The number of values in `value` (every dict, list and leaf, keys not counted) when
    `is_plain_json(value)` and that number is at most `limit`, else -1: one walk that answers
    both, and stops early past `limit` (a value that shares one list many times over counts it
    each time, as a JSON text would). Never raises."""
    return _plain_count(value, 0, limit)


def _plain_count(value: Any, depth: int, budget: int) -> int:
    kind = type(value)
    if kind is dict:
        for key in value:
            if type(key) is not str or not (key.isascii() or _bmp_key(key)):
                return -1
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return 1 if budget >= 1 and _plain_item(value, depth) else -1
    if depth >= MAX_DEPTH:
        return -1
    count = 1
    # The leaves are checked inline, not by `_plain_item`: this loop runs for every value of
    # every credential verified or issued.
    for item in items:
        kind = type(item)
        if kind is str:
            if not (item.isascii() or _utf8_ok(item)):
                return -1
            count += 1
        elif kind is dict or kind is list:
            inner = _plain_count(item, depth + 1, budget - count)
            if inner < 0:
                return -1
            count += inner
            if count > budget:
                return -1
        elif kind is int:
            if not -_INT_LIMIT <= item <= _INT_LIMIT:
                return -1
            count += 1
        elif item is None or kind is bool:
            count += 1
        else:
            return -1
    return count if count <= budget else -1


def is_plain_json(value: Any) -> bool:
    """True when `value` is made only of exactly dict, list, str, int within ±(2**53 - 1), bool
    and None, nested at most `MAX_DEPTH` deep, with keys free of characters beyond U+FFFF and
    strings free of lone surrogates: values that `plain_json` returns unchanged and whose RFC 8785
    form the standard JSON encoder writes byte for byte. Never raises."""
    return _plain_walk(value, 0)


def _plain_walk(value: Any, depth: int) -> bool:
    kind = type(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            return False
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or _bmp_key(key)):
                return False
            if not _plain_item(item, depth + 1):
                return False
        return True
    if kind is list:
        if depth >= MAX_DEPTH:
            return False
        for item in value:
            if not _plain_item(item, depth + 1):
                return False
        return True
    return _plain_item(value, depth)


def _plain_item(value: Any, depth: int) -> bool:
    # Leaves are checked here, without a call per leaf: most of a credential is strings.
    kind = type(value)
    if kind is str:
        return value.isascii() or _utf8_ok(value)
    if kind is dict or kind is list:
        return _plain_walk(value, depth)
    if kind is int:
        return bool(-_INT_LIMIT <= value <= _INT_LIMIT)
    return value is None or kind is bool


def _utf8_ok(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bmp_key(key: str) -> bool:
    return _utf8_ok(key) and all(ord(c) <= 0xFFFF for c in key)


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
