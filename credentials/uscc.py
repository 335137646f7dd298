"""The unified social credit code (统一社会信用代码, GB 32100-2015) of an institution.

The project's one implementation: the certificate schema's semantic check (the issuer's code)
and the registry's validation of institutions both use it. 18 characters of the alphabet below
(digits and A-Y without I, O, S, V, Z); characters 3-8 are an administrative division code; the
last is a check character over the first 17 (weights 3^i mod 31).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

__all__ = [
    "USCC_ALPHABET",
    "UsccError",
    "is_valid_uscc",
    "normalise_uscc",
    "uscc_check_character",
]

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES: Final = {c: i for i, c in enumerate(USCC_ALPHABET)}
_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class UsccError(ValueError):
    """A code that cannot be right; `code` is stable, the message says what is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@lru_cache(maxsize=1024)
def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character over 17 characters of `USCC_ALPHABET`; `ValueError` for
    anything else. Remembered per code: a batch of certificates repeats a few issuers."""
    if len(first17) != 17 or any(c not in _VALUES for c in first17):
        raise ValueError("USCC check needs 17 characters of the GB 32100 alphabet")
    total = sum(_VALUES[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(raw: str) -> str:
    """Upper-cased, spaces stripped, check character verified; `UsccError` says what is wrong
    (codes `USCC_INVALID`, `USCC_LENGTH`, `USCC_CHARACTERS`, `USCC_REGION`, `USCC_CHECK`)."""
    if not isinstance(raw, str):
        raise UsccError("USCC_INVALID", "unified social credit code must be a string")
    value = "".join(raw.split()).upper()
    if len(value) != 18:
        raise UsccError(
            "USCC_LENGTH",
            f"unified social credit code must have 18 characters, got {len(value)}",
        )
    for position, char in enumerate(value, start=1):
        if char not in _VALUES:
            raise UsccError(
                "USCC_CHARACTERS",
                f"character {position} ({char!r}) is not allowed in a unified social credit code "
                "(digits and A-Y without I, O, S, V, Z)",
            )
    if not value[2:8].isdigit():
        raise UsccError(
            "USCC_REGION",
            "characters 3-8 must be the digits of an administrative division code",
        )
    if uscc_check_character(value[:17]) != value[17]:
        raise UsccError("USCC_CHECK", "check character wrong (mistyped character?)")
    return value


def is_valid_uscc(raw: str) -> bool:
    """True when `normalise_uscc(raw)` would succeed."""
    try:
        normalise_uscc(raw)
    except UsccError:
        return False
    return True
