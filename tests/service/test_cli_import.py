"""`registry import results`: a real CSV file, two batches, problems by line, resumable."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from service.cli import main
from tests.factories import (
    MASTER_KEY,
    MASTER_KEY_B64,
    listed_institution,
    make_id_number,
    make_uscc,
)

USCC = make_uscc(400)


@pytest.fixture(scope="module")
async def token(db: Database) -> str:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    text, _ = await tokens.create_token(
        db,
        MASTER_KEY,
        role=Role.EVALUATION_INSTITUTION,
        name="importer",
        institution=USCC,
        province=None,
        created_by=SYSTEM,
    )
    return text


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_csv(path: Path, n: int, rng: random.Random) -> list[dict[str, str]]:
    rows = [
        {
            "name": f"考生{i:05d}",
            "idNumber": make_id_number(rng),
            "occupation": "2-02-38-01",
            "direction": "",
            "level": "初级" if i % 2 else "2",
            "theoryScore": "80" if i % 12 == 0 else "40",
            "skillScore": "70",
            "trainingCertificate": "",
        }
        for i in range(n)
    ]
    write_rows(path, rows)
    return rows


def invoke(db: Database, mongodb_uri: str, settings_dir: Path, *args: str) -> Result:
    env = {
        "REGISTRY_MONGODB_URI": mongodb_uri,
        "REGISTRY_DATABASE": db.name,
        "REGISTRY_DATA_DIR": str(settings_dir),
        "REGISTRY_MASTER_KEY": MASTER_KEY_B64,
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


async def import_results(
    db: Database, mongodb_uri: str, tmp_path: Path, path: Path, token: str, exam: str
) -> Result:
    """`registry import results PATH --token TOKEN --exam-date EXAM`, off the event loop."""
    args = ("import", "results", str(path), "--token", token, "--exam-date", exam)
    return await asyncio.to_thread(invoke, db, mongodb_uri, tmp_path, *args)


async def test_import_checks_everything_first_then_submits_resumably(
    db: Database, mongodb_uri: str, token: str, tmp_path: Path
) -> None:
    exam = (clock.today() - dt.timedelta(days=3)).isoformat()
    path = tmp_path / "results.csv"
    rows = write_csv(path, 1203, random.Random(9))
    # A bad row first: nothing may be stored.
    bad = tmp_path / "bad.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    fields = text[1101].split(",")
    fields[1] = fields[1][:-1] + ("1" if fields[1][-1] != "1" else "2")
    text[1101] = ",".join(fields)
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = await import_results(db, mongodb_uri, tmp_path, bad, token, exam)
    assert result.exit_code == 1
    assert "line 1102, idNumber: check character wrong" in result.output
    assert "nothing was stored" in result.output
    assert await db.batches.count_documents({"institution": USCC}) == 0

    result = await import_results(db, mongodb_uri, tmp_path, path, token, exam)
    assert result.exit_code == 0, result.output
    passing = sum(1 for r in rows if r["theoryScore"] == "80")
    assert (
        f"1203 results in 2 batch(es) (0 already submitted earlier); {passing} passed"
        in result.output
    )
    assert await db.results.count_documents({"institution": USCC}) == 1203
    # Until publication a passing result keeps its certificate number on its row.
    numbered = {"institution": USCC, "current": True, "certificate": {"$ne": None}}
    assert await db.results.count_documents(numbered) == passing
    again = await import_results(db, mongodb_uri, tmp_path, path, token, exam)
    assert "(2 already submitted earlier)" in again.output
    assert await db.results.count_documents(numbered) == passing
    assert all(r["idNumber"] not in again.output + result.output for r in rows)


async def test_import_refuses_cells_a_spreadsheet_would_run_naming_line_and_column(
    db: Database, mongodb_uri: str, token: str, tmp_path: Path
) -> None:
    """Issue 14, item 14: `=HYPERLINK(...)` was stored and signed into a credential."""
    exam = (clock.today() - dt.timedelta(days=3)).isoformat()
    path = tmp_path / "formulas.csv"
    rows = write_csv(path, 4, random.Random(14))
    rows[0]["name"] = '=HYPERLINK("http://evil.example/","张三")'
    rows[1]["direction"] = "@SUM(1+1)"
    rows[2]["trainingCertificate"] = "\t+P1"
    rows[3]["theoryScore"] = "-5"  # a negative number is a bad score, not a formula
    write_rows(path, rows)
    stored_before = await db.batches.count_documents({"institution": USCC})
    result = await import_results(db, mongodb_uri, tmp_path, path, token, exam)
    output = result.output
    assert result.exit_code == 1
    assert "line 2, name: name begins with a character a spreadsheet reads" in output
    assert "line 3, direction: direction begins with" in output
    assert "line 4, trainingCertificate: trainingCertificate begins with" in output
    assert output.count("[FORMULA_TEXT]") == 3
    assert "line 5, theoryScore: a score is between 0 and 100 [INVALID_SCORE]" in output
    assert "HYPERLINK" not in output and "nothing was stored" in output
    assert await db.batches.count_documents({"institution": USCC}) == stored_before
