"""A first run that shows everything (issue 16, item 7), on a small demo: the institutions the
demo's tokens act for are listed today, so a batch with today's exam date goes through; the demo
holder's card number is valid yet no real person's, and their certificate verifies with `--card`;
the first seeding computes the bindings on every core."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from registry.access import tokens as access_tokens
from registry.calendar import clock
from registry.certificates import submission
from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.demo import holder
from registry.intake.identifiers import normalise_id_number
from registry.settings import Settings
from registry.storage.db import Database
from service.verify_cli import verify_command
from tests.demo_site import small_demo


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, settings: Settings) -> AsyncIterator[str]:
    async with small_demo(db, settings) as url:
        yield url


def token(settings: Settings, role: str) -> str:
    saved = json.loads((settings.data_dir / "demo" / "tokens.json").read_text())
    return str(saved[role]["token"])


async def ask(url: str, query: str, bearer: str | None = None, **variables: Any) -> Any:
    headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


SUBMIT = """mutation ($input: AssessmentBatchInput!) { submitAssessmentBatch(input: $input) {
  batch { status late results { passed certificateNumber } } userErrors { field code } } }"""


async def test_the_evaluation_token_submits_a_batch_with_todays_exam_date(
    site: str, settings: Settings
) -> None:
    occupation, direction, level = demo.SCOPES[0][1]  # the token institution's scope
    today = clock.today().isoformat()
    row = {
        "name": "王演示",
        "idNumber": holder.fictitious_id_number("11", dt.date(1990, 1, 2), 17),
        "occupation": occupation,
        "direction": direction,
        "level": ["JUNIOR", "INTERMEDIATE", "SENIOR"][level - 1],
        "theoryScore": 80,
        "skillScore": 70,
    }
    batch = {"idempotencyKey": f"first-run-{today}", "examDate": today, "results": [row]}
    bearer = token(settings, "EVALUATION_INSTITUTION")
    payload = (await ask(site, SUBMIT, bearer, input=batch))["submitAssessmentBatch"]
    assert payload["userErrors"] == []
    assert payload["batch"]["status"] == "SUBMITTED" and not payload["batch"]["late"]
    assert payload["batch"]["results"][0]["certificateNumber"]


@pytest.mark.parametrize("role", ["EVALUATION_INSTITUTION", "TRAINING_INSTITUTION"])
async def test_the_token_institutions_are_listed_today_for_years(
    site: str, settings: Settings, db: Database, role: str
) -> None:
    principal = await access_tokens.authenticate(db, settings.master_key(), token(settings, role))
    today = clock.today()
    query = """query ($u: String!, $d: Date!) { institution(uscc: $u) {
      status validUntil listedOn(date: $d) } }"""
    found = (await ask(site, query, u=principal.institution, d=today.isoformat()))["institution"]
    assert found["status"] == "LISTED" and found["listedOn"] is True
    assert dt.date.fromisoformat(found["validUntil"]) > today + dt.timedelta(days=365)


async def test_the_directory_keeps_its_variety_around_today(site: str, db: Database) -> None:
    today = clock.today().isoformat()
    statuses = {d["status"] async for d in db.institutions.find({}, {"status": 1})}
    assert statuses >= {"LISTED", "EXPIRED", "SUSPENDED", "REMOVED", "PUBLICIZED", "AUDITED"}
    in_publicity = await db.institutions.count_documents(
        {"status": "PUBLICIZED", "publicity.end": {"$gte": today}}
    )
    lapsed = await db.institutions.count_documents(
        {"status": "LISTED", "valid_until": {"$lte": today}}
    )
    assert in_publicity >= 1 and lapsed >= 1


@given(
    province=st.sampled_from(sorted(access_tokens.province_codes())),
    born=st.dates(dt.date(1930, 1, 1), dt.date(2005, 12, 31)),
    sequence=st.integers(1, 999),
)
def test_fictitious_id_numbers_are_valid_and_in_no_assigned_region(
    province: str, born: dt.date, sequence: int
) -> None:
    number = holder.fictitious_id_number(province, born, sequence)
    assert normalise_id_number(number) == number  # accepted like any other
    assert number[:2] == province and number[2:4] == "99"  # a prefecture GB/T 2260 never assigns


def test_the_demo_holder_card_number_is_fictitious() -> None:
    assert normalise_id_number(holder.CARD_NUMBER) == holder.CARD_NUMBER
    assert holder.CARD_NUMBER[2:4] == "99"


async def test_the_holder_certificate_verifies_with_the_printed_card(
    site: str, settings: Settings, db: Database
) -> None:
    folder: Path = settings.data_dir / "demo"
    printed = json.loads((folder / "holder.json").read_text(encoding="utf-8"))
    number = await demo_certificates.holder_certificate(db)
    assert printed == {"name": holder.NAME, "cardNumber": holder.CARD_NUMBER, "number": number}
    assert holder.CARD_NUMBER in holder.describe(number, folder)
    assert holder.CARD_NUMBER not in (folder / "holder-certificate.json").read_text()
    root = (folder / "root-key.txt").read_text().strip()
    args = [str(folder / "holder-certificate.json"), "--bundle", str(folder / "bundle.json")]
    args += ["--root-key", root]
    good = CliRunner().invoke(verify_command, [*args, "--card", holder.CARD_NUMBER])
    assert good.exit_code == 0, good.output
    assert "Verdict: VALID" in good.output and "holder_binding" in good.output
    other = holder.fictitious_id_number("11", dt.date(1988, 8, 8), 8)
    wrong = CliRunner().invoke(verify_command, [*args, "--card", other])
    assert wrong.exit_code == 1, wrong.output
    query = (
        "query ($n: String!, $h: String!) { certificate(number: $n, holderName: $h) { status } }"
    )
    found = await ask(site, query, n=number, h=holder.NAME)
    assert found["certificate"]["status"] == "VALID"


def _seeding_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("binding-seed"))


async def test_seeding_computes_bindings_on_every_core_then_lets_them_go() -> None:
    cores = os.cpu_count() or 1
    numbers = [holder.fictitious_id_number("31", dt.date(1980, 1, 1), n) for n in range(1, 9)]
    with submission.seeding_pool(cores):
        made = await submission.commitments(numbers)
        assert _seeding_threads() == min(cores, len(numbers))
    assert len(made) == len(numbers) and _seeding_threads() == 0
    # Outside seeding, submissions are back on the bounded pool (half the cores).
    await submission.commitments(numbers[:4])
    assert _seeding_threads() == 0


def test_the_demo_makes_id_numbers_in_one_place() -> None:
    # Every demo ID number comes from `fictitious_id_number`: no other demo module computes a
    # check character (which is what making an ID number of its own would take).
    demo_dir = Path(holder.__file__).parent
    makers = {p.name for p in demo_dir.glob("*.py") if "mod11_2_check" in p.read_text()}
    assert makers == {"holder.py"}
