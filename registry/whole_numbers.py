"""A whole number written by a client: one rule for every place that turns client text (a
query parameter, a cursor, a path, a header) into an `int`.

Only ASCII digits 0-9, at least one and at most a bound the caller names. `str.isdigit()` and
`int()` alone are not that rule: `'²'.isdigit()` is true and `int('²')` fails (a 500 where a
400 was due); `int()` reads full-width `'１'`, Arabic-Indic `'١٢'`, `'1_000'`, `' 7'` and `'+7'`
as numbers no client meant; and past 4,300 digits `int()` refuses (Python's limit against its
quadratic conversion), so a long enough path was a 500 too.
"""

from __future__ import annotations

from typing import Final

MAX_DIGITS: Final = 64  # a bound no caller needs more than; far below int()'s 4,300


def whole_number(text: str, max_digits: int) -> int | None:
    """The value of `text` when it is 1 to `max_digits` ASCII digits (leading zeros allowed);
    None for anything else, so that each caller answers with its own code. `max_digits` is
    the caller's bound, 1 to `MAX_DIGITS` (a `ValueError` otherwise: a mistake in the code,
    not the client's)."""
    if not 1 <= max_digits <= MAX_DIGITS:
        raise ValueError(f"max_digits must be 1 to {MAX_DIGITS}, got {max_digits}")
    if not 1 <= len(text) <= max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
