"""Identifiers the registry validates: the citizen ID number (GB 11643, defined in
`credentials.idnumber` because the offline verifier needs it too) and the unified social credit
code of an institution (GB 32100-2015)."""

from __future__ import annotations

from typing import Final

from credentials.idnumber import IdNumberError, is_valid_id_number, normalise_id_number
from registry.errors import InvalidInput

__all__ = [
    "IdNumberError",
    "UsccError",
    "is_valid_id_number",
    "is_valid_uscc",
    "normalise_id_number",
    "normalise_uscc",
    "uscc_check_character",
]

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES: Final = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class UsccError(InvalidInput):
    code = "USCC_INVALID"


def uscc_check_character(first17: str) -> str:
    if len(first17) != 17 or any(c not in _USCC_VALUES for c in first17):
        raise ValueError("USCC check needs 17 characters of the GB 32100 alphabet")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(raw: str) -> str:
    """Upper-cased, spaces stripped, check character verified; `UsccError` says what is wrong."""
    if not isinstance(raw, str):
        raise UsccError("unified social credit code must be a string")
    value = "".join(raw.split()).upper()
    if len(value) != 18:
        raise UsccError(
            f"unified social credit code must have 18 characters, got {len(value)}",
            code="USCC_LENGTH",
        )
    for position, char in enumerate(value, start=1):
        if char not in _USCC_VALUES:
            raise UsccError(
                f"character {position} ({char!r}) is not allowed in a unified social credit code "
                "(digits and A-Y without I, O, S, V, Z)",
                code="USCC_CHARACTERS",
            )
    if not value[2:8].isdigit():
        raise UsccError(
            "characters 3-8 must be the digits of an administrative division code",
            code="USCC_REGION",
        )
    if uscc_check_character(value[:17]) != value[17]:
        raise UsccError("check character wrong (mistyped character?)", code="USCC_CHECK")
    return value


def is_valid_uscc(raw: str) -> bool:
    try:
        normalise_uscc(raw)
    except UsccError:
        return False
    return True
