"""Training certificate and continuing-education look-ups find a holder's name however it is
written (issue 16 item 6), and a name with other letters finds nothing."""

from __future__ import annotations

import random

import pytest
import pytest_asyncio

from registry.access.auth import ANONYMOUS
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from registry.training import certificates, hours, submission
from tests.factories import listed_institution, make_id_number
from tests.name_variants import DOT_VARIANTS, LATIN_VARIANTS
from tests.registry.training.test_cohorts import PERSONAL, TRAINER, cohort, me

RNG = random.Random("training-names")
PEOPLE = [("阿卜杜拉·买买提", make_id_number(RNG)), ("John Smith", make_id_number(RNG))]
VARIANTS = [(0, v) for v in DOT_VARIANTS] + [(1, v) for v in LATIN_VARIANTS]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def numbers(db: Database) -> list[str]:
    """The training certificate numbers of the two people, in their order."""
    await catalogue.seed_reference(db)
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06")
    await submission.submit(db, me(), cohort("cohort-names-01", PEOPLE), PERSONAL)
    found = []
    for name, _ in PEOPLE:
        doc = await db.training_certificates.find_one({"name": name})
        assert doc is not None
        found.append(doc["_id"])
    return found


@pytest.mark.parametrize(("who", "written"), VARIANTS)
async def test_a_training_certificate_is_found_however_the_name_is_written(
    db: Database, numbers: list[str], who: int, written: str
) -> None:
    found = await certificates.by_number(db, numbers[who], written)
    assert found is not None and found.number == numbers[who]


@pytest.mark.parametrize(("who", "written"), VARIANTS)
async def test_continuing_education_is_found_however_the_name_is_written(
    db: Database, numbers: list[str], who: int, written: str
) -> None:
    record = await hours.record(db, PERSONAL, ANONYMOUS, PEOPLE[who][1], written)
    assert record.holder_name == PEOPLE[who][0]
    assert record.years


@pytest.mark.parametrize("wrong", ["阿卜杜拉·买买堤", "John Smyth"])
async def test_other_letters_find_nothing(db: Database, numbers: list[str], wrong: str) -> None:
    for number, (_, id_number) in zip(numbers, PEOPLE, strict=True):
        assert await certificates.by_number(db, number, wrong) is None
        assert (await hours.record(db, PERSONAL, ANONYMOUS, id_number, wrong)).years == ()
