"""Dates as the programme counts them: calendar days in China Standard Time (UTC+8), whatever
the server's time zone."""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return now().astimezone(CHINA).date()


def china_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)
