"""The citizen ID number (GB 11643-1999), which is also the social security number.

It lives in `credentials` because the offline verifier normalises the card number an employer types
before checking the holder binding; `registry` re-exports it for its own validation.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from typing import Final

from credentials.uscc import is_valid_uscc

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"
_WEIGHT_OFFSET: Final = ord("0") * sum(_WEIGHTS)


class IdNumberError(ValueError):
    """An ID number that cannot be right; `code` is stable, the message says what is wrong.

    The message never repeats the number itself: it is personal data.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def mod11_2_check(digits17: str) -> str:
    """ISO 7064 MOD 11-2 check character over 17 digits (GB 11643; also our certificate numbers)."""
    if len(digits17) != 17 or not digits17.isascii() or not digits17.isdigit():
        raise ValueError("MOD 11-2 needs exactly 17 ASCII digits")
    # Σ (c - 48)·w over the ASCII codes, as Σ c·w - 48·Σ w: one C-level pass.
    total = sum(map(operator.mul, digits17.encode("ascii"), _WEIGHTS)) - _WEIGHT_OFFSET
    return _CHECK[total % 11]


def normalise_id_number(raw: str, *, today: dt.date | None = None) -> str:
    """Return the canonical 18-character form, or raise `IdNumberError` saying what is wrong.

    Spaces are stripped and a trailing `x` is upper-cased; anything else must already be right.
    """
    if not isinstance(raw, str):
        raise IdNumberError("ID_NUMBER_TYPE", "ID number must be a string")
    value = "".join(raw.split()).upper()
    if len(value) == 15 and value.isascii() and value.isdigit():
        raise IdNumberError(
            "ID_NUMBER_LEGACY",
            "15-digit (first-generation) ID numbers are not accepted; use the 18-character number",
        )
    if len(value) != 18:
        raise IdNumberError(
            "ID_NUMBER_LENGTH", f"ID number must have 18 characters, got {len(value)}"
        )
    body, check = value[:17], value[17]
    if not (body.isascii() and body.isdigit()):
        raise IdNumberError("ID_NUMBER_CHARACTERS", "the first 17 characters must be digits")
    if check not in "0123456789X":
        raise IdNumberError("ID_NUMBER_CHARACTERS", "the last character must be a digit or X")
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise IdNumberError(
            "ID_NUMBER_BIRTH_DATE", "the birth date (characters 7-14) is not a date"
        ) from None
    today = today or dt.date.today()
    if birth.year < 1900 or birth > today:
        raise IdNumberError(
            "ID_NUMBER_BIRTH_DATE", "the birth date (characters 7-14) is out of range"
        )
    if body[:2] not in _PROVINCE_PREFIXES:
        raise IdNumberError(
            "ID_NUMBER_REGION", "the region code (characters 1-2) is not a province code"
        )
    if mod11_2_check(body) != check:
        raise IdNumberError("ID_NUMBER_CHECK", "check character wrong (mistyped digit?)")
    return value


# A run of characters that may be an ID number wherever it is written, valid or not (a mistyped
# or cut-short number is still someone's): 15 digits or more, single spaces allowed between them
# (the registry reads "110101 19900307 1234" as a number), an X allowed at the end; not after a
# letter, a digit or "_", so a certificate number (a letter, then digits), a hash and the
# registry's own ids ("exs_" and hex) are not one. Read after NFKC, which makes full-width and
# superscript digits the digits a name would be stored and printed with.
_SHAPED: Final = re.compile(r"(?<![A-Za-z\d_])\d(?: ?\d){14,}(?: ?[Xx])?(?!\d)")
WITHHELD: Final = "[withheld]"


def _may_be_one(run: str) -> bool:
    """A shaped run, unless it is an institution's code (an all-digit USCC, valid as one and not
    as an ID number): institutions are named by them in reasons and messages."""
    compact = run.replace(" ", "").upper()
    return not (len(compact) == 18 and is_valid_uscc(compact) and not is_valid_id_number(compact))


def holds_id_number(text: str) -> bool:
    """Whether `text` holds a run of characters that may be an ID number."""
    normal = unicodedata.normalize("NFKC", text)
    return any(_may_be_one(m.group()) for m in _SHAPED.finditer(normal))


def withhold_id_numbers(text: str) -> str:
    """`text` (NFKC) with every run of characters that may be an ID number replaced by
    `[withheld]`."""
    return _SHAPED.sub(
        lambda m: WITHHELD if _may_be_one(m.group()) else m.group(),
        unicodedata.normalize("NFKC", text),
    )


def is_valid_id_number(raw: str) -> bool:
    try:
        normalise_id_number(raw)
    except IdNumberError:
        return False
    return True


# GB/T 2260 first two digits (provinces, autonomous regions, municipalities; 71/81/82 for
# Taiwan, Hong Kong and Macao as issued on residence permits).
_PROVINCE_PREFIXES: Final = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82".split()
)
