"""`registry import results FILE.csv --token ...`: tens of thousands of results from a CSV file.

The file is checked completely before anything is stored; problems are reported by CSV line and
column. It is then submitted in batches of 1,000 rows whose idempotency keys derive from the file's
hash, so running the same command again after an interruption resumes without duplicating.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import click
from rich.progress import Progress

from registry.access import tokens
from registry.access.personal import PersonalData
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput, ResultInput, check_batch
from registry.institutions import directory
from registry.problems import Problem, Rejected
from registry.storage.db import Database
from service.runner import run_with_db, settings_or_exit

CHUNK = 1000
COLUMNS = [
    "name",
    "idNumber",
    "occupation",
    "direction",
    "level",
    "theoryScore",
    "skillScore",
    "trainingCertificate",
]
LEVELS = {"1": 1, "2": 2, "3": 3, "初级": 1, "中级": 2, "高级": 3}
_FIELD = re.compile(r"^results\[(\d+)\]\.?(\w*)$")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")  # reported as INVALID_SCORE with its line


def read_rows(data: bytes) -> list[ResultInput]:
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:7] if c not in (reader.fieldnames or [])]
    if missing:
        raise click.ClickException(
            f"the CSV header lacks the column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
        )
    return [
        ResultInput(
            name=row.get("name") or "",
            id_number=row.get("idNumber") or "",
            occupation=row.get("occupation") or "",
            level=LEVELS.get((row.get("level") or "").strip(), 0),
            theory_score=_number(row.get("theoryScore") or ""),
            skill_score=_number(row.get("skillScore") or ""),
            direction=row.get("direction") or None,
            training_certificate=row.get("trainingCertificate") or None,
        )
        for row in reader
    ]


def _located(problem: Problem, offset: int) -> str:
    match = _FIELD.match(problem.field or "")
    message = re.sub(r"^row \d+: ", "", problem.message)
    if match:
        line = offset + int(match.group(1)) + 2  # line 1 is the header
        return f"line {line}, {match.group(2) or 'row'}: {message} [{problem.code}]"
    return f"{problem.field or 'file'}: {message} [{problem.code}]"


@click.group("import")
def import_group() -> None:
    """Bulk imports."""


@import_group.command("results")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--token", required=True, envvar="REGISTRY_TOKEN", help="The evaluation institution's token."
)
@click.option("--exam-date", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option(
    "--late-reason", default=None, help="Needed when reported more than a month after the exam."
)
def import_results(file: Path, token: str, exam_date: dt.datetime, late_reason: str | None) -> None:
    """Submit the results in FILE (CSV, UTF-8, header: name,idNumber,occupation,direction,level,
    theoryScore,skillScore,trainingCertificate) as assessment batches of up to 1,000 rows."""
    data = file.read_bytes()
    rows = read_rows(data)
    if not rows:
        raise click.ClickException(f"{file} has no result rows")
    file_key = hashlib.sha256(data).hexdigest()[:16]
    settings = settings_or_exit()
    master_key = settings.master_key()
    personal = PersonalData(master_key)
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]

    async def work(db: Database) -> tuple[int, int, int]:
        who = await tokens.authenticate(db, master_key, token)
        institution = await directory.get(db, who.institution or "")
        problems: list[str] = []
        for index, chunk in enumerate(chunks):
            batch = BatchInput(f"import:{file_key}:{index}", exam_date.date(), chunk, late_reason)
            _, found, _ = await check_batch(db, institution, batch)
            problems += [_located(p, index * CHUNK) for p in found]
        if problems:
            shown = "\n".join(problems[:50])
            more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
            raise click.ClickException(
                f"{len(problems)} problem(s); nothing was stored:\n{shown}{more}"
            )
        submitted = replayed = passed = 0
        with Progress() as progress:
            task = progress.add_task("submitting", total=len(rows))
            for index, chunk in enumerate(chunks):
                batch = BatchInput(
                    f"import:{file_key}:{index}", exam_date.date(), chunk, late_reason
                )
                try:
                    outcome = await submit(db, who, batch, personal)
                except Rejected as rejected:
                    raise click.ClickException(
                        "\n".join(_located(p, index * CHUNK) for p in rejected.problems)
                    ) from None
                replayed += outcome.replayed
                submitted += 1
                passed += outcome.batch["counts"]["passed"]
                progress.advance(task, len(chunk))
        return submitted, replayed, passed

    submitted, replayed, passed = run_with_db(work)
    click.echo(
        f"{len(rows)} results in {submitted} batch(es) ({replayed} already submitted earlier); "
        f"{passed} passed and await review"
    )
