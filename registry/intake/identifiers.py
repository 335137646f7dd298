"""Identifiers the registry validates: the citizen ID number (GB 11643) and the unified social
credit code of an institution (GB 32100-2015). Both are defined once, in `credentials`, because
the offline verifier needs them too; here a code's error becomes the registry's `InvalidInput`."""

from __future__ import annotations

import credentials
from credentials import (
    USCC_ALPHABET,
    IdNumberError,
    is_valid_id_number,
    is_valid_uscc,
    normalise_id_number,
    uscc_check_character,
)
from registry.errors import InvalidInput

__all__ = [
    "USCC_ALPHABET",
    "IdNumberError",
    "UsccError",
    "is_valid_id_number",
    "is_valid_uscc",
    "normalise_id_number",
    "normalise_uscc",
    "uscc_check_character",
]


class UsccError(InvalidInput):
    code = "USCC_INVALID"


def normalise_uscc(raw: str) -> str:
    """Upper-cased, spaces stripped, check character verified; `UsccError` (with the code of
    `credentials.normalise_uscc`) says what is wrong."""
    try:
        return credentials.normalise_uscc(raw)
    except credentials.UsccError as exc:
        raise UsccError(exc.message, code=exc.code) from None
