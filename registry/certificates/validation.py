"""Checking an assessment batch before anything is stored: every problem, per row and field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.certificates import numbers
from registry.exams import roster as exam_roster
from registry.institutions.model import Institution, Kind, ListingPeriod
from registry.intake import rows
from registry.intake.rows import RowProblems, check_person
from registry.problems import Problem
from registry.storage.db import Database

PASS_MARK = 60  # notice 三(六): theory and skill each out of 100, 60 passes
MAX_ROWS = 5000
# A part of a batch submitted in parts: 1,000 rows are about 200 KB of JSON, well within the
# API's body limit, and are checked in a fraction of a second.
MAX_PART_ROWS = 1000
REPORTING_MONTHS = 1  # notice 四(六)3: report within one month of the exam
PROGRAMME_START = dt.date(2021, 10, 8)
LISTING = rows.Listing(
    Kind.EVALUATION,
    ("NOT_AN_EVALUATION_INSTITUTION", "only a listed evaluation institution reports results"),
    "examDate",
    "NOT_LISTED_ON_EXAM_DATE",
)


@dataclass
class ResultInput:
    name: str
    id_number: str
    occupation: str
    level: int
    theory_score: float
    skill_score: float
    direction: str | None = None
    training_certificate: str | None = None
    training_exemption: str | None = None  # why the candidate sat without a training certificate


@dataclass
class BatchInput:
    idempotency_key: str = field(metadata=rows.OPAQUE)
    exam_date: dt.date
    results: list[ResultInput]
    late_reason: str | None = None
    # The exam session the results are for (registry.exams): its rows must be its confirmed
    # candidates. None for batches that name no session (those before sessions, the CLI import).
    session: str | None = field(default=None, metadata=rows.OPAQUE)


@dataclass(frozen=True)
class CleanResult:
    row: int  # 1-based, as people count rows
    name: str
    id_number: str  # normalised; held in memory only, stored encrypted
    occupation: str  # primary code
    field: str
    direction: str | None
    level: int
    theory: float
    skill: float
    training_certificate: str | None
    training_exemption: str | None = None

    @property
    def passed(self) -> bool:
        return self.theory >= PASS_MARK and self.skill >= PASS_MARK


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_late(exam_date: dt.date, submitted: dt.date) -> bool:
    return submitted > add_months(exam_date, REPORTING_MONTHS)


def check_exam_date(checks: rows.Problems, batch: BatchInput, today: dt.date) -> None:
    if batch.exam_date > today:
        checks.add("examDate", "DATE_IN_FUTURE", "the exam date is in the future")
    if batch.exam_date < PROGRAMME_START:
        checks.add(
            "examDate",
            "BEFORE_PROGRAMME",
            "the exam date is before the programme began (2021-10-08)",
        )
    if is_late(batch.exam_date, today) and not (batch.late_reason or "").strip():
        checks.add(
            "lateReason",
            "LATE_REASON_REQUIRED",
            f"results must be reported within one month of the exam (by "
            f"{add_months(batch.exam_date, REPORTING_MONTHS).isoformat()}); a late batch needs a reason",
        )


def check_training_number(checks: RowProblems, raw: str | None) -> str | None:
    """The cited training certificate's number, normalised (problems added for a bad one)."""
    training = (raw or "").strip().upper() or None
    if training is None:
        return None
    try:
        if numbers.parse(training).kind != "P":
            checks.add(
                "trainingCertificate",
                "NOT_A_TRAINING_CERTIFICATE",
                "a training certificate number starts with P",
            )
    except numbers.CertificateNumberError as error:
        checks.add("trainingCertificate", error.code, error.message)
    return training


def check_scores(checks: RowProblems, result: ResultInput) -> None:
    for name, score in (("theoryScore", result.theory_score), ("skillScore", result.skill_score)):
        value = rows.number(score)
        if value is None or not 0 <= value <= 100:
            checks.add(name, "INVALID_SCORE", "a score is between 0 and 100")


async def check_result(
    context: RowContext, index: int, result: ResultInput
) -> tuple[CleanResult | None, list[Problem]]:
    """One row (`index` counts from 0 over the whole batch, so a part's rows are named by their
    place in the batch): the clean result, or None and its problems."""
    checks = rows.start_row("results", index, result)
    name, id_number = check_person(checks, result.name, result.id_number)
    occ = await context.occupations.get(result.occupation)
    direction = (result.direction or "").strip() or None
    rows.check_occupation(checks, occ, result.occupation, direction)
    rows.check_level(checks, result.level)
    check_scores(checks, result)
    training = check_training_number(checks, result.training_certificate)
    rows.check_scope(checks, context.period, occ, direction, result.level)
    if id_number and occ is not None:
        context.duplicates.check(checks, (id_number, occ.code, result.level))
        if context.roster is not None:
            context.roster.check(checks, id_number, occ.code, direction, result.level)
    if checks.problems:
        return None, checks.problems
    assert occ is not None
    clean = CleanResult(
        index + 1,
        name,
        id_number,
        occ.code,
        occ.field,
        direction,
        result.level,
        float(result.theory_score),
        float(result.skill_score),
        training,
        (result.training_exemption or "").strip()[:500] or None,
    )
    return clean, []


@dataclass
class RowContext:
    """What every row of one batch is checked against."""

    occupations: rows.Occupations
    period: ListingPeriod | None
    duplicates: rows.Duplicates
    roster: exam_roster.Roster | None = None


@dataclass(frozen=True)
class Part:
    """Where the rows being checked sit: all of a batch (the default), or one part of a batch
    submitted in parts, whose first row is the batch's row `first_row + 1`."""

    first_row: int = 0
    limit: int = MAX_ROWS
    what: tuple[str, str] = ("batch", "result")


WHOLE = Part()


def result_duplicates() -> rows.Duplicates:
    """What a batch may hold once: a candidate's result in an occupation at a level."""
    return rows.Duplicates("DUPLICATE_RESULT", "the same candidate, occupation and level")


def check_header(
    checks: rows.Problems, institution: Institution | None, batch: BatchInput, today: dt.date
) -> ListingPeriod | None:
    """The batch's own fields (text cells, key, exam date, late reason) and the institution's
    listing on the exam date; the listing period, or None."""
    rows.check_text_cells(checks, batch)
    rows.check_key(checks, batch.idempotency_key)
    check_exam_date(checks, batch, today)
    return rows.check_listing(checks, institution, LISTING, batch.exam_date)


async def session_roster(
    db: Database,
    checks: rows.Problems,
    institution: Institution | None,
    batch: BatchInput,
    personal: PersonalData | None,
) -> exam_roster.Roster | None:
    """The confirmed list of the exam session `batch` names, or None (no session named, or its
    problem added: unknown or another institution's, list not confirmed, another exam date).
    The one session rule of a batch, asked by `check_batch` and by the opening of a batch in
    parts (`parts.open_batch`), whose parts' rows `check_batch` then finds on the list."""
    if batch.session is None:
        return None
    assert personal is not None, "a batch naming a session is checked with the keys"
    uscc = institution.uscc if institution is not None else None
    return await exam_roster.load(db, checks, uscc, batch.session, batch.exam_date, personal)


async def check_batch(
    db: Database,
    institution: Institution | None,
    batch: BatchInput,
    today: dt.date | None = None,
    part: Part = WHOLE,
    personal: PersonalData | None = None,
) -> tuple[list[CleanResult], list[Problem], ListingPeriod | None]:
    """The clean results, every problem (batch first, then by row), and the listing period.
    The one rule for a batch's rows, whether they come in one request, in parts or from a file.
    A batch naming an exam session needs `personal` (its rows are found on the confirmed list
    by keyed hash)."""
    checks = rows.Problems()
    period = check_header(checks, institution, batch, today or clock.today())
    count = len(batch.results)
    if not rows.check_count(checks, "results", count, part.limit, part.what):
        return [], checks.problems, period
    roster = await session_roster(db, checks, institution, batch, personal)
    context = RowContext(rows.Occupations(db), period, result_duplicates(), roster)
    clean: list[CleanResult] = []
    for index, result in enumerate(batch.results, start=part.first_row):
        row, problems = await check_result(context, index, result)
        checks.problems.extend(problems)
        if row is not None:
            clean.append(row)
    return clean, checks.problems, period
