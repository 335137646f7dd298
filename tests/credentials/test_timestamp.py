"""The one form of a date-time the verifiers read (credentials/_timestamp.py, and the page's
time.js parseTimestamp): RFC 3339 with an offset, its date in years 1 to 9999 in UTC and in China
time. tests/web/test_differential.py runs the same values through both verifiers."""

from __future__ import annotations

import datetime as dt

import pytest

from credentials import parse_timestamp
from credentials._timestamp import LATEST
from credentials.bundle import china_date, format_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-01T02:00:00Z", dt.datetime(2025, 6, 1, 2, tzinfo=dt.UTC)),
        ("2025-06-01T10:00:00+08:00", dt.datetime(2025, 6, 1, 2, tzinfo=dt.UTC)),
        ("2025-06-01T02:00:00.5Z", dt.datetime(2025, 6, 1, 2, 0, 0, 500_000, tzinfo=dt.UTC)),
        ("2025-06-01T02:00:00-00:00", dt.datetime(2025, 6, 1, 2, tzinfo=dt.UTC)),
        ("0001-01-01T00:00:00Z", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
        ("9999-12-31T15:59:59.999999Z", LATEST),
        ("9999-12-31T23:59:59+08:00", dt.datetime(9999, 12, 31, 15, 59, 59, tzinfo=dt.UTC)),
    ],
)
def test_rfc_3339_date_times_are_read(text: str, expected: dt.datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-06-01T02:00:17.Z",  # a point without a fraction: fromisoformat took it
        "2025-06-01T02:00:17,5Z",
        "2025-W22-7T02:00:00Z",
        "20250601T020000Z",
        "2025-06-01T02:00Z",
        "2025-06-01T02:00:00+0800",
        "2025-06-01T02:00:00+08",
        "2025-06-01T02:00:00+08:00:00.5",
        "2025-06-01t02:00:00Z",
        "2025-06-01T02:00:00z",
        "2025-06-01T02:00:00",
        "2025-06-01T24:00:00Z",
        "2025-02-29T02:00:00Z",
        "2025-06-01T02:00:00Z\n",
    ],
)
def test_other_forms_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+01:00",  # year 0 in UTC
        "0001-01-01T00:59:59+01:00",
        "9999-12-31T23:59:59-01:00",  # year 10000 in UTC
        "9999-12-31T16:00:00Z",  # year 10000 in China time
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
    ],
)
def test_instants_outside_the_years_1_to_9999_are_refused(text: str) -> None:
    """They parsed, and then a check that put them in UTC or China time raised OverflowError
    (CHECK_ERROR in Python, where the page answered)."""
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_every_instant_read_has_a_utc_form_and_a_china_day() -> None:
    for text in (
        "0001-01-01T00:00:00Z",
        "9999-12-31T15:59:59.999999Z",
        "0001-01-01T01:00:00+01:00",
    ):
        instant = parse_timestamp(text)
        assert format_timestamp(instant)
        assert 1 <= china_date(instant).year <= 9999
