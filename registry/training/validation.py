"""Checking a training cohort before anything is stored: every problem, per trainee and field.

A cohort is one course: one occupation, direction and level, its dates, the hours the national
standard requires, and one row per trainee (hours attended, attendance rate from the attendance
register, completion assessment passed). A trainee who attended the required hours and passed the
completion assessment has completed it (notice 三(四)) and gets a training certificate.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from registry import catalogue, clock
from registry.certificates.validation import PROGRAMME_START, in_scope
from registry.db import Database
from registry.institutions.model import Institution, Kind, ListingPeriod
from registry.problems import Problem
from registry.rows import RowProblems, check_person

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
    idempotency_key: str
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


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def completed(hours: float, required: float, passed: bool) -> bool:
    return passed and hours >= required


async def check_cohort(
    db: Database,
    institution: Institution | None,
    cohort: CohortInput,
    today: dt.date | None = None,
) -> tuple[CleanCohort | None, list[Problem], ListingPeriod | None]:
    today = today or clock.today()
    problems: list[Problem] = []

    def bad(field: str | None, code: str, message: str) -> None:
        problems.append(Problem(field, code, message))

    key = (cohort.idempotency_key or "").strip()
    if not (8 <= len(key) <= 100):
        bad(
            "idempotencyKey", "INVALID_IDEMPOTENCY_KEY", "idempotencyKey must have 8-100 characters"
        )
    if cohort.end_date > today:
        bad("endDate", "DATE_IN_FUTURE", "a cohort is reported after it ends")
    if cohort.start_date > cohort.end_date:
        bad("startDate", "START_AFTER_END", "the course starts after it ends")
    elif (cohort.end_date - cohort.start_date).days >= MAX_COURSE_DAYS:
        bad("endDate", "COURSE_TOO_LONG", f"a course lasts at most {MAX_COURSE_DAYS} days")
    if cohort.start_date < PROGRAMME_START:
        bad("startDate", "BEFORE_PROGRAMME", "the course starts before the programme (2021-10-08)")
    required = _number(cohort.required_hours)
    if required is None or not 0 < required <= MAX_REQUIRED_HOURS:
        bad(
            "requiredHours",
            "INVALID_HOURS",
            f"required hours come from the standard: more than 0, at most {MAX_REQUIRED_HOURS:g}",
        )
        required = None
    period = None
    if institution is None or institution.kind is not Kind.TRAINING:
        bad(
            None, "NOT_A_TRAINING_INSTITUTION", "only a listed training institution reports cohorts"
        )
    else:
        period = institution.listed_on(cohort.end_date)
        if period is None:
            bad(
                "endDate",
                "NOT_LISTED_ON_END_DATE",
                f"the institution was not on the directory on {cohort.end_date.isoformat()}",
            )
    code = (cohort.occupation or "").strip()
    occ = await catalogue.occupation(db, code) if catalogue.OCCUPATION_CODE.match(code) else None
    direction = (cohort.direction or "").strip() or None
    if occ is None:
        bad(
            "occupation",
            "UNKNOWN_OCCUPATION",
            f"{code[:32]!r} is not an occupation of the programme",
        )
    elif direction is not None and direction not in {d.name for d in occ.directions}:
        bad(
            "direction", "UNKNOWN_DIRECTION", f"{direction[:40]!r} is not a direction of {occ.name}"
        )
    if cohort.level not in (1, 2, 3):
        bad("level", "INVALID_LEVEL", "level must be 1 初级, 2 中级 or 3 高级")
    elif (
        occ is not None
        and period is not None
        and not in_scope(period, occ.code, direction, cohort.level)
    ):
        bad(
            "occupation",
            "OUT_OF_SCOPE",
            f"{occ.name} level {cohort.level}"
            + (f" ({direction})" if direction else "")
            + " is not in the institution's listed scope",
        )
    if not cohort.trainees:
        bad("trainees", "REQUIRED", "a cohort needs at least one trainee")
    if len(cohort.trainees) > MAX_TRAINEES:
        bad("trainees", "TOO_MANY", f"a cohort is limited to {MAX_TRAINEES} trainees; split it")
        return None, problems, period
    # Hours cannot exceed the time the course lasted (a physical bound, not a rule of the notice).
    days = max(1, (cohort.end_date - cohort.start_date).days + 1)
    max_hours = min(MAX_REQUIRED_HOURS * 2, days * 24.0)

    clean: list[CleanTrainee] = []
    seen: dict[str, int] = {}
    for index, trainee in enumerate(cohort.trainees):
        row = index + 1
        checked = RowProblems("trainees", index)
        row_problems = checked.problems
        row_bad = checked.add
        name, id_number = check_person(checked, trainee.name, trainee.id_number)
        hours = _number(trainee.hours_attended)
        if hours is None or not 0 <= hours <= max_hours:
            row_bad(
                "hoursAttended",
                "INVALID_HOURS",
                f"hours attended are between 0 and {max_hours:g} for a course of {days} day(s)",
            )
        attendance = _number(trainee.attendance_rate)
        if attendance is None or not 0 <= attendance <= 1:
            row_bad(
                "attendanceRate",
                "INVALID_RATE",
                "the attendance rate is a fraction between 0 and 1 (0.95 for 95 %)",
            )
        if not isinstance(trainee.assessment_passed, bool):
            row_bad("assessmentPassed", "INVALID_FLAG", "assessmentPassed is true or false")
        if id_number:
            if id_number in seen:
                row_bad(
                    "idNumber",
                    "DUPLICATE_TRAINEE",
                    f"the same trainee is already in row {seen[id_number]}",
                )
            else:
                seen[id_number] = row
        if row_problems:
            problems.extend(row_problems)
            continue
        assert hours is not None and attendance is not None
        clean.append(
            CleanTrainee(
                row,
                name,
                id_number,
                hours,
                attendance,
                trainee.assessment_passed,
                completed(hours, required or math.inf, trainee.assessment_passed),
            )
        )
    if problems:
        return None, problems, period
    assert occ is not None and required is not None
    return (
        CleanCohort(
            key,
            cohort.start_date,
            cohort.end_date,
            occ.code,
            occ.field,
            direction,
            cohort.level,
            required,
            tuple(clean),
        ),
        [],
        period,
    )
