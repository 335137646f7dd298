"""Checking a training cohort before anything is stored: every problem, per trainee and field.

A cohort is one course: one occupation, direction and level, its dates, the hours the national
standard requires, and one row per trainee (hours attended, attendance rate from the attendance
register, completion assessment passed). A trainee who attended the required hours and passed the
completion assessment has completed it (notice 三(四)) and gets a training certificate.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates.validation import PROGRAMME_START
from registry.institutions.model import Institution, Kind, ListingPeriod
from registry.intake import rows
from registry.intake.rows import check_person
from registry.problems import Problem
from registry.storage.db import Database

MAX_TRAINEES = 5000
MAX_NAME = 50
MAX_REQUIRED_HOURS = 2000.0
# A course longer than this is two courses: it keeps the CE year of a completion meaningful.
MAX_COURSE_DAYS = 731


@dataclass
class TraineeInput:
    name: str
    id_number: str
    hours_attended: float
    attendance_rate: float  # a fraction 0-1 from the attendance register
    assessment_passed: bool


@dataclass
class CohortInput:
    idempotency_key: str = field(metadata=rows.OPAQUE)
    start_date: dt.date
    end_date: dt.date
    occupation: str
    level: int
    required_hours: float
    trainees: list[TraineeInput]
    direction: str | None = None


@dataclass(frozen=True)
class CleanTrainee:
    row: int  # 1-based
    name: str
    id_number: str  # normalised; in memory only, stored encrypted
    hours: float
    attendance: float
    assessment_passed: bool
    completed: bool


@dataclass(frozen=True)
class CleanCohort:
    idempotency_key: str
    start_date: dt.date
    end_date: dt.date
    occupation: str  # primary code
    field: str
    direction: str | None
    level: int
    required_hours: float
    trainees: tuple[CleanTrainee, ...]


def completed(hours: float, required: float, passed: bool) -> bool:
    return passed and hours >= required


LISTING = rows.Listing(
    Kind.TRAINING,
    ("NOT_A_TRAINING_INSTITUTION", "only a listed training institution reports cohorts"),
    "endDate",
    "NOT_LISTED_ON_END_DATE",
)


def check_dates(checks: rows.Problems, cohort: CohortInput, today: dt.date) -> None:
    if cohort.end_date > today:
        checks.add("endDate", "DATE_IN_FUTURE", "a cohort is reported after it ends")
    if cohort.start_date > cohort.end_date:
        checks.add("startDate", "START_AFTER_END", "the course starts after it ends")
    elif (cohort.end_date - cohort.start_date).days >= MAX_COURSE_DAYS:
        checks.add("endDate", "COURSE_TOO_LONG", f"a course lasts at most {MAX_COURSE_DAYS} days")
    if cohort.start_date < PROGRAMME_START:
        checks.add(
            "startDate", "BEFORE_PROGRAMME", "the course starts before the programme (2021-10-08)"
        )


def check_required(checks: rows.Problems, raw: float) -> float | None:
    required = rows.number(raw)
    if required is None or not 0 < required <= MAX_REQUIRED_HOURS:
        checks.add(
            "requiredHours",
            "INVALID_HOURS",
            f"required hours come from the standard: more than 0, at most {MAX_REQUIRED_HOURS:g}",
        )
        return None
    return required


@dataclass
class Course:
    """What every trainee row of one cohort is checked against."""

    days: int
    max_hours: float
    required: float | None
    duplicates: rows.Duplicates

    @classmethod
    def of(cls, cohort: CohortInput, required: float | None) -> Course:
        # Hours cannot exceed the time the course lasted (a physical bound, not a rule of the
        # notice).
        days = max(1, (cohort.end_date - cohort.start_date).days + 1)
        max_hours = min(MAX_REQUIRED_HOURS * 2, days * 24.0)
        duplicates = rows.Duplicates("DUPLICATE_TRAINEE", "the same trainee")
        return cls(days, max_hours, required, duplicates)


def check_trainee(
    course: Course, index: int, trainee: TraineeInput
) -> tuple[CleanTrainee | None, list[Problem]]:
    """One row: the clean trainee, or None and its problems."""
    checks = rows.start_row("trainees", index, trainee)
    name, id_number = check_person(checks, trainee.name, trainee.id_number)
    hours = rows.number(trainee.hours_attended)
    if hours is None or not 0 <= hours <= course.max_hours:
        checks.add(
            "hoursAttended",
            "INVALID_HOURS",
            f"hours attended are between 0 and {course.max_hours:g} for a course of "
            f"{course.days} day(s)",
        )
    attendance = rows.number(trainee.attendance_rate)
    if attendance is None or not 0 <= attendance <= 1:
        checks.add(
            "attendanceRate",
            "INVALID_RATE",
            "the attendance rate is a fraction between 0 and 1 (0.95 for 95 %)",
        )
    if not isinstance(trainee.assessment_passed, bool):
        checks.add("assessmentPassed", "INVALID_FLAG", "assessmentPassed is true or false")
    if id_number:
        course.duplicates.check(checks, id_number)
    if checks.problems:
        return None, checks.problems
    assert hours is not None and attendance is not None
    done = completed(hours, course.required or math.inf, trainee.assessment_passed)
    return CleanTrainee(
        index + 1, name, id_number, hours, attendance, trainee.assessment_passed, done
    ), []


async def check_course(
    db: Database, checks: rows.Problems, cohort: CohortInput, period: ListingPeriod | None
) -> catalogue.Occupation | None:
    """The cohort's occupation, direction, level and scope (problems added)."""
    occupation = await rows.Occupations(db).get(cohort.occupation)
    direction = (cohort.direction or "").strip() or None
    rows.check_occupation(checks, occupation, cohort.occupation, direction)
    if rows.check_level(checks, cohort.level):
        rows.check_scope(checks, period, occupation, direction, cohort.level)
    return occupation


async def check_cohort(
    db: Database,
    institution: Institution | None,
    cohort: CohortInput,
    today: dt.date | None = None,
) -> tuple[CleanCohort | None, list[Problem], ListingPeriod | None]:
    """The clean cohort (None when anything is wrong), every problem (cohort first, then by
    row), and the listing period."""
    checks = rows.Problems()
    rows.check_text_cells(checks, cohort)
    key = rows.check_key(checks, cohort.idempotency_key)
    check_dates(checks, cohort, today or clock.today())
    required = check_required(checks, cohort.required_hours)
    period = rows.check_listing(checks, institution, LISTING, cohort.end_date)
    occupation = await check_course(db, checks, cohort, period)
    count = len(cohort.trainees)
    if not rows.check_count(checks, "trainees", count, MAX_TRAINEES, ("cohort", "trainee")):
        return None, checks.problems, period
    course = Course.of(cohort, required)
    clean: list[CleanTrainee] = []
    for index, trainee in enumerate(cohort.trainees):
        row, problems = check_trainee(course, index, trainee)
        checks.problems.extend(problems)
        if row is not None:
            clean.append(row)
    if checks.problems:
        return None, checks.problems, period
    assert occupation is not None and required is not None
    direction = (cohort.direction or "").strip() or None
    return (
        CleanCohort(
            key,
            cohort.start_date,
            cohort.end_date,
            occupation.code,
            occupation.field,
            direction,
            cohort.level,
            required,
            tuple(clean),
        ),
        [],
        period,
    )
