"""Checking an assessment batch before anything is stored: every problem, per row and field."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from registry import catalogue, clock
from registry.certificates import numbers
from registry.db import Database
from registry.institutions.model import Institution, Kind, ListingPeriod
from registry.problems import Problem
from registry.rows import RowProblems, check_person

PASS_MARK = 60  # notice 三(六): theory and skill each out of 100, 60 passes
MAX_ROWS = 5000
REPORTING_MONTHS = 1  # notice 四(六)3: report within one month of the exam
PROGRAMME_START = dt.date(2021, 10, 8)


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
    idempotency_key: str
    exam_date: dt.date
    results: list[ResultInput]
    late_reason: str | None = None


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


def in_scope(period: ListingPeriod, occupation: str, direction: str | None, level: int) -> bool:
    # A scope entry without a direction covers every direction of the occupation at that level.
    return any(
        s.occupation == occupation and s.level == level and s.direction in (None, direction)
        for s in period.scope
    )


async def check_batch(
    db: Database, institution: Institution | None, batch: BatchInput, today: dt.date | None = None
) -> tuple[list[CleanResult], list[Problem], ListingPeriod | None]:
    today = today or clock.today()
    problems: list[Problem] = []
    key = (batch.idempotency_key or "").strip()
    if not (8 <= len(key) <= 100):
        problems.append(
            Problem(
                "idempotencyKey",
                "INVALID_IDEMPOTENCY_KEY",
                "idempotencyKey must have 8-100 characters",
            )
        )
    if batch.exam_date > today:
        problems.append(Problem("examDate", "DATE_IN_FUTURE", "the exam date is in the future"))
    if batch.exam_date < PROGRAMME_START:
        problems.append(
            Problem(
                "examDate",
                "BEFORE_PROGRAMME",
                "the exam date is before the programme began (2021-10-08)",
            )
        )
    if is_late(batch.exam_date, today) and not (batch.late_reason or "").strip():
        problems.append(
            Problem(
                "lateReason",
                "LATE_REASON_REQUIRED",
                f"results must be reported within one month of the exam (by "
                f"{add_months(batch.exam_date, REPORTING_MONTHS).isoformat()}); a late batch needs a reason",
            )
        )
    period = None
    if institution is None or institution.kind is not Kind.EVALUATION:
        problems.append(
            Problem(
                None,
                "NOT_AN_EVALUATION_INSTITUTION",
                "only a listed evaluation institution reports results",
            )
        )
    else:
        period = institution.listed_on(batch.exam_date)
        if period is None:
            problems.append(
                Problem(
                    "examDate",
                    "NOT_LISTED_ON_EXAM_DATE",
                    f"the institution was not on the directory on {batch.exam_date.isoformat()}",
                )
            )
    if not batch.results:
        problems.append(Problem("results", "REQUIRED", "a batch needs at least one result"))
    if len(batch.results) > MAX_ROWS:
        problems.append(
            Problem(
                "results",
                "TOO_MANY",
                f"a batch is limited to {MAX_ROWS} results; split it (the import command does)",
            )
        )
        return [], problems, period

    occupations: dict[str, catalogue.Occupation | None] = {}
    clean: list[CleanResult] = []
    seen: dict[tuple[str, str, int], int] = {}
    for index, result in enumerate(batch.results):
        row = index + 1
        checked = RowProblems("results", index)
        row_problems = checked.problems
        bad = checked.add
        name, id_number = check_person(checked, result.name, result.id_number)
        code = (result.occupation or "").strip()
        if code not in occupations:
            occupations[code] = (
                await catalogue.occupation(db, code)
                if catalogue.OCCUPATION_CODE.match(code)
                else None
            )
        occ = occupations[code]
        direction = (result.direction or "").strip() or None
        if occ is None:
            bad(
                "occupation",
                "UNKNOWN_OCCUPATION",
                f"{code[:32]!r} is not an occupation of the programme",
            )
        elif direction is not None and direction not in {d.name for d in occ.directions}:
            bad(
                "direction",
                "UNKNOWN_DIRECTION",
                f"{direction[:40]!r} is not a direction of {occ.name}",
            )
        if result.level not in (1, 2, 3):
            bad("level", "INVALID_LEVEL", "level must be 1 初级, 2 中级 or 3 高级")
        for field, score in (
            ("theoryScore", result.theory_score),
            ("skillScore", result.skill_score),
        ):
            if not isinstance(score, int | float) or math.isnan(score) or not 0 <= score <= 100:
                bad(field, "INVALID_SCORE", "a score is between 0 and 100")
        training = (result.training_certificate or "").strip().upper() or None
        if training is not None:
            try:
                parsed = numbers.parse(training)
                if parsed.kind != "P":
                    bad(
                        "trainingCertificate",
                        "NOT_A_TRAINING_CERTIFICATE",
                        "a training certificate number starts with P",
                    )
            except numbers.CertificateNumberError as error:
                bad("trainingCertificate", error.code, error.message)
        if occ is not None and result.level in (1, 2, 3) and period is not None:
            if not in_scope(period, occ.code, direction, result.level):
                bad(
                    "occupation",
                    "OUT_OF_SCOPE",
                    f"{occ.name} level {result.level}"
                    + (f" ({direction})" if direction else "")
                    + " is not in the institution's listed scope",
                )
        if id_number and occ is not None:
            key_ = (id_number, occ.code, result.level)
            if key_ in seen:
                bad(
                    "idNumber",
                    "DUPLICATE_RESULT",
                    f"the same candidate, occupation and level is already in row {seen[key_]}",
                )
            else:
                seen[key_] = row
        if row_problems:
            problems.extend(row_problems)
            continue
        assert occ is not None
        clean.append(
            CleanResult(
                row,
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
        )
    return clean, problems, period
