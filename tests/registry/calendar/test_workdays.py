"""Working days against the real holiday calendar (chinese-calendar) and office arrangements.

Expected end dates are counted by hand from the State Council general office's notices, not
computed with the library under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.access.auth import SYSTEM
from registry.calendar import holidays
from registry.calendar.workdays import (
    ArrangementError,
    YearArrangement,
    add_working_days,
    is_working_day,
    package_knows,
    package_years,
    working_days_between,
)
from registry.errors import InvalidInput
from registry.storage.db import Database
from registry.trust import audit

D = dt.date

# A hypothetical 2027 arrangement (no official one exists yet): New Year 1-3 January off, and
# Saturday 9 January an adjusted working day.
ARRANGEMENT_2027 = YearArrangement(
    year=2027,
    holidays=frozenset({D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)}),
    workdays=frozenset({D(2027, 1, 9)}),
)


def test_national_day_2025() -> None:
    # 2025 notice: 国庆节、中秋节 1-8 October off; Sunday 28 September and Saturday 11 October
    # are working days. Counting from Thursday 25 September (the start day counts):
    #  Sep 25 Thu 1, 26 Fri 2, (27 Sat off), 28 Sun 3, 29 Mon 4, 30 Tue 5, (Oct 1-8 off),
    #  Oct 9 Thu 6, 10 Fri 7, 11 Sat 8, (12 Sun off), 13 Mon 9, 14 10, 15 11, 16 12, 17 Fri 13,
    #  (18-19 off), 20 Mon 14, 21 Tue 15  ->  ends Tuesday 21 October 2025.
    result = add_working_days(D(2025, 9, 25), 15)
    assert result.end == D(2025, 10, 21)
    assert not result.provisional
    assert result.years_without_data == ()


def test_spring_festival_2026() -> None:
    # 2026 notice: 春节 15-23 February off (Sun-Mon); Saturdays 14 and 28 February are working
    # days. From Tuesday 10 February: Feb 10 1, 11 2, 12 3, 13 Fri 4, 14 Sat 5, (15-23 off),
    # 24 Tue 6, 25 7, 26 8, 27 Fri 9, 28 Sat 10, (Mar 1 Sun off), Mar 2 Mon 11, 3 12, 4 13,
    # 5 14, 6 Fri 15  ->  ends Friday 6 March 2026.
    result = add_working_days(D(2026, 2, 10), 15)
    assert result.end == D(2026, 3, 6)
    assert not result.provisional


def test_the_start_day_counts_when_it_is_a_working_day() -> None:
    assert add_working_days(D(2025, 9, 25), 1).end == D(2025, 9, 25)
    assert add_working_days(D(2025, 9, 25), 2).end == D(2025, 9, 26)


def test_a_start_on_a_day_off_begins_on_the_next_working_day() -> None:
    # Saturday 27 September 2025 is off; Sunday 28 September is an adjusted working day.
    assert add_working_days(D(2025, 9, 27), 1).end == D(2025, 9, 28)


def test_start_on_a_holiday() -> None:
    # 1 October 2025 is off; the first working day is Thursday 9 October:
    # Oct 9 1, 10 2, 11 Sat 3, 13 4, 14 5, 15 6, 16 7, 17 8, 20 9, 21 10, 22 11, 23 12, 24 13,
    # 27 14, 28 Tue 15  ->  ends Tuesday 28 October 2025.
    assert add_working_days(D(2025, 10, 1), 15).end == D(2025, 10, 28)


@pytest.mark.parametrize("n", [0, -1, -15])
def test_an_empty_or_negative_period_is_refused(n: int) -> None:
    with pytest.raises(InvalidInput, match="at least 1 working day"):
        add_working_days(D(2025, 9, 25), n)


def test_a_publicity_starting_2026_12_20_does_not_crash() -> None:
    result = add_working_days(D(2026, 12, 20), 15)
    if package_knows(2027):  # a later chinese-calendar release: then the period is final
        assert not result.provisional and result.years_without_data == ()
    else:
        # From Sunday 20 December 2026: Dec 21-25 1-5, 28-31 6-9; 2027 counted on weekdays:
        # Fri Jan 1 10, Jan 4-8 11-15  ->  Friday 8 January 2027, provisional.
        assert result.end == D(2027, 1, 8)
        assert result.provisional
        assert result.years_without_data == (2027,)


def test_a_year_without_any_data_counts_weekdays_and_is_provisional() -> None:
    # No calendar will know 2098-2099 for decades. From Saturday 20 December 2098:
    # Dec 22-26 1-5, Dec 29-Jan 2 6-10, Jan 5-9 11-15  ->  Friday 9 January 2099.
    result = add_working_days(D(2098, 12, 20), 15)
    assert result.end == D(2099, 1, 9)
    assert result.provisional
    assert result.years_without_data == (2098, 2099)


def test_an_entered_arrangement_makes_it_final_and_is_honoured() -> None:
    # With 1-3 January 2027 off and Saturday 9 January worked: Dec 21-31 give 9, Jan 4-8 give
    # 10-14, Sat Jan 9 is the 15th.
    arrangements = {2027: ARRANGEMENT_2027}
    result = add_working_days(D(2026, 12, 20), 15, arrangements=arrangements)
    assert result == add_working_days(D(2026, 12, 20), 15, arrangements=arrangements)
    assert result.end == D(2027, 1, 9)
    assert not result.provisional
    assert result.years_without_data == ()
    # Without the adjusted Saturday the period runs to Monday 11 January.
    holidays_only = YearArrangement(2027, ARRANGEMENT_2027.holidays, frozenset())
    assert add_working_days(D(2026, 12, 20), 15, arrangements={2027: holidays_only}).end == D(
        2027, 1, 11
    )


def test_an_arrangement_overrides_the_package_for_its_year() -> None:
    # An (absurd) 2025 arrangement with no holidays: plain weekdays from 25 September:
    # Sep 25, 26, 29, 30, Oct 1, 2, 3, 6, 7, 8, 9, 10, 13, 14, 15  ->  15 October.
    plain = YearArrangement(2025, frozenset(), frozenset())
    assert add_working_days(D(2025, 9, 25), 15, arrangements={2025: plain}).end == D(2025, 10, 15)


def test_package_coverage_is_checked_at_run_time() -> None:
    years = package_years()
    assert 2004 in years and 2025 in years and 2026 in years
    assert not package_knows(years.start - 1)
    assert not package_knows(years.stop)
    assert add_working_days(D(years.start - 1, 3, 2), 3).provisional


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ({D(2026, 12, 31)}, set(), "not in 2027"),
        (set(), {D(2028, 1, 1)}, "not in 2027"),
        ({D(2027, 1, 9)}, {D(2027, 1, 9)}, "both as a holiday and as a working day"),
        (set(), {D(2027, 1, 6)}, "is a Wednesday"),
    ],
)
def test_invalid_arrangements_are_refused(
    holidays: set[dt.date], workdays: set[dt.date], message: str
) -> None:
    with pytest.raises(ArrangementError, match=message):
        YearArrangement(2027, frozenset(holidays), frozenset(workdays))


def _arrangements_2027() -> st.SearchStrategy[dict[int, YearArrangement] | None]:
    days = st.dates(D(2027, 1, 1), D(2027, 12, 31))
    weekends = days.filter(lambda day: day.weekday() >= 5)

    def build(holidays: set[dt.date], workdays: set[dt.date]) -> dict[int, YearArrangement]:
        return {2027: YearArrangement(2027, frozenset(holidays), frozenset(workdays - holidays))}

    return st.none() | st.builds(build, st.sets(days, max_size=40), st.sets(weekends, max_size=10))


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(D(2002, 11, 1), D(2028, 1, 31)),
    n=st.integers(1, 60),
    arrangements=_arrangements_2027(),
)
def test_properties(
    start: dt.date, n: int, arrangements: dict[int, YearArrangement] | None
) -> None:
    result = add_working_days(start, n, arrangements=arrangements)
    assert result.end >= start
    assert is_working_day(result.end, arrangements)
    assert working_days_between(start, result.end, arrangements) == n
    following = add_working_days(start, n + 1, arrangements=arrangements)
    assert following.end > result.end
    spanned = range(start.year, result.end.year + 1)
    missing = tuple(
        year for year in spanned if not package_knows(year) and year not in (arrangements or {})
    )
    assert result.years_without_data == missing
    assert result.provisional == bool(missing)


async def test_arrangements_are_stored_audited_and_idempotent(db: Database) -> None:
    assert await holidays.load_arrangements(db) == {}
    assert await holidays.set_arrangement(db, ARRANGEMENT_2027, SYSTEM)
    assert not await holidays.set_arrangement(db, ARRANGEMENT_2027, SYSTEM)  # same again
    loaded = await holidays.load_arrangements(db)
    assert loaded == {2027: ARRANGEMENT_2027}
    assert add_working_days(D(2026, 12, 20), 15, arrangements=loaded).end == D(2027, 1, 9)

    corrected = YearArrangement(2027, ARRANGEMENT_2027.holidays, frozenset())
    assert await holidays.set_arrangement(db, corrected, SYSTEM)
    assert await holidays.load_arrangements(db) == {2027: corrected}
    history = await audit.entries_for(db, "holidays:2027")
    assert [e.action for e in history] == ["holidays.set", "holidays.set"]
    assert history[0].before_digest == history[1].after_digest
    assert (await audit.verify_chain(db)).ok
