"""Working days (工作日) for the 15-working-day publicity (公示期) of an institution.

A day is a working day by, in order of precedence:
1. the office-entered `YearArrangement` for its year, when there is one: a weekday that is not
   one of its holidays, or one of its adjusted working days (调休上班, which fall on weekends);
2. the `chinese-calendar` package, which carries the State Council's arrangements for the years
   it knows (2004-2026 in version 1.11; asked at run time, it raises NotImplementedError for
   other years);
3. otherwise Monday to Friday, and the result is marked provisional, naming the years without
   data, so that a period is recomputed once the office enters that year's arrangement.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import chinese_calendar

from registry.errors import InvalidInput


class ArrangementError(InvalidInput):
    code = "HOLIDAY_ARRANGEMENT_INVALID"


@dataclass(frozen=True)
class YearArrangement:
    """One year's holiday arrangement as published by the State Council's general office.

    `holidays`: the days off (any day; weekend days in a holiday block are harmless).
    `workdays`: the adjusted working days, which must be Saturdays or Sundays.
    """

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        if not isinstance(self.year, int) or not dt.MINYEAR < self.year < dt.MAXYEAR:
            raise ArrangementError(f"year {self.year} is out of range", field="year")
        for name, days in (("holidays", self.holidays), ("workdays", self.workdays)):
            for day in sorted(days):
                if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                    raise ArrangementError(f"{name}: {day!r} is not a date", field=name)
                if day.year != self.year:
                    raise ArrangementError(
                        f"{name}: {day.isoformat()} is not in {self.year}", field=name
                    )
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ArrangementError(
                f"{both[0].isoformat()} is listed both as a holiday and as a working day",
                field="workdays",
            )
        for day in sorted(self.workdays):
            if day.weekday() < 5:
                raise ArrangementError(
                    f"workdays: {day.isoformat()} is a {day.strftime('%A')}; only Saturdays and "
                    "Sundays can be adjusted working days",
                    field="workdays",
                )

    def is_working_day(self, day: dt.date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


@dataclass(frozen=True)
class WorkdayResult:
    end: dt.date
    provisional: bool
    years_without_data: tuple[int, ...]


@functools.cache
def package_knows(year: int) -> bool:
    """Whether `chinese-calendar` has the holiday arrangement of `year` (checked, not assumed)."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def package_years() -> range:
    """The contiguous range of years the installed `chinese-calendar` covers."""
    known = [year for year in range(1990, dt.date.today().year + 10) if package_knows(year)]
    return range(known[0], known[-1] + 1) if known else range(0)


def has_data(year: int, arrangements: Mapping[int, YearArrangement] | None = None) -> bool:
    return bool(arrangements and year in arrangements) or package_knows(year)


def is_working_day(day: dt.date, arrangements: Mapping[int, YearArrangement] | None = None) -> bool:
    """Whether `day` is a working day (weekdays only for a year without data)."""
    if arrangements and day.year in arrangements:
        return arrangements[day.year].is_working_day(day)
    if package_knows(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def add_working_days(
    start: dt.date,
    n: int,
    *,
    arrangements: Mapping[int, YearArrangement] | None = None,
) -> WorkdayResult:
    """The last day of a period of `n` working days starting on `start`.

    The start day counts when it is a working day (a publicity posted on Thursday 25 September
    2025 for 15 working days has that Thursday as its first day); when it is not (a weekend or a
    holiday), the period begins on the next working day. So `end` is the n-th working day on or
    after `start`, and [start, end] holds exactly `n` working days. `n` must be at least 1.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInput(f"a period needs at least 1 working day, got {n!r}", field="n")
    day, counted = start, 0
    missing: set[int] = set()
    while True:
        if not has_data(day.year, arrangements):
            missing.add(day.year)
        if is_working_day(day, arrangements):
            counted += 1
            if counted == n:
                break
        day += dt.timedelta(days=1)
    return WorkdayResult(
        end=day, provisional=bool(missing), years_without_data=tuple(sorted(missing))
    )


def working_days_between(
    first: dt.date, last: dt.date, arrangements: Mapping[int, YearArrangement] | None = None
) -> int:
    """How many working days [first, last] holds, both ends included."""
    return sum(1 for day in _days(first, last) if is_working_day(day, arrangements))


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)
