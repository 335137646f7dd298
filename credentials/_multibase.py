"""Multibase base58btc (`z` + base58, Bitcoin alphabet), as keys and proof values are written.

One decoder for the package: keys (Multikey, did:key) and proof values both decode here, after
their callers have checked the text against the alphabet.
"""

from __future__ import annotations

from typing import Final

import base58

__all__ = ["ALPHABET", "decode", "encode"]

ALPHABET: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX: Final = {c: i for i, c in enumerate(ALPHABET)}
_DIGITS: Final = bytes(
    _INDEX[chr(b)] if chr(b) in _INDEX else 0 for b in range(256)
)  # ASCII code -> digit value, for `bytes.translate` (only alphabet characters reach it)


def encode(data: bytes) -> str:
    """`z` + base58btc(data)."""
    return "z" + base58.b58encode(data).decode("ascii")


def decode(text: str) -> bytes:
    """The bytes of base58 `text` (without the `z`), which must consist of `ALPHABET`
    characters only (callers check): `base58.b58decode`'s answer at a quarter of its cost, one
    integer accumulation, then leading "1"s as zero bytes. tests/credentials/test_multibase.py
    checks it against the package."""
    number = 0
    for digit in text.encode("ascii").translate(_DIGITS):
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
