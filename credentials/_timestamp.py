"""The one form of a date-time the verifiers read: RFC 3339 with an offset, in years 1 to 9999.

`datetime.fromisoformat` alone is lenient in ways the page's parser (web/verifier/src/time.js,
`parseTimestamp`, the same rule) need not follow: it took `…17.Z`, week dates, the basic format,
a comma for the fraction and offsets with seconds. So the shape is checked first, strictly
(`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, upper-case T and Z); `fromisoformat` then checks the
values. An instant is also refused when its date in UTC or in China time (where listing days are
read) falls outside the years 1 to 9999, which Python's dates cannot hold: the verifier would
otherwise fail a check with an OverflowError (CHECK_ERROR) where the page answers.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

_SHAPE: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
MAX_LENGTH: Final = 64
EARLIEST: Final = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(9999, 12, 31, 15, 59, 59, 999_999, tzinfo=dt.UTC)
"""The last instant whose date in China time (UTC+8) is still in the year 9999."""


def parse_rfc3339(value: str) -> dt.datetime:
    """The aware datetime `value` names; `ValueError` when it is not of the one form or lies
    outside EARLIEST..LATEST."""
    if len(value) > MAX_LENGTH or _SHAPE.fullmatch(value) is None:
        raise ValueError("not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM))")
    parsed = dt.datetime.fromisoformat(value)
    try:
        instant = parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the date-time lies outside the years 1 to 9999") from None
    if instant > LATEST:
        raise ValueError("the date-time lies outside the years 1 to 9999 (in China time)")
    return parsed
