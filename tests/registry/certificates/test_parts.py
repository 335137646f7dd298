"""A batch submitted in parts: rows named by their place in the batch, parts stored once by number
and content, the whole checked at the close, no review before the bindings are done, and an
abandoned open batch expiring."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import binder, numbers, parts, review, submission
from registry.certificates.parts import BatchHeader
from registry.certificates.validation import BatchInput, ResultInput
from registry.problems import Rejected
from registry.storage.db import Database
from tests.factories import listed_institution, make_id_number, make_uscc

USCC = make_uscc(820)
PERSONAL = PersonalData(b"q" * 32)
EXAM = clock.today() - dt.timedelta(days=6)
ME = Principal(Role.EVALUATION_INSTITUTION, "i", "parts-inst", institution=USCC)
PROVINCE = Principal(Role.PROVINCIAL_REVIEWER, "p", "parts-prov", province="35")
OFFICE = Principal(Role.OFFICE_ADMIN, "o", "parts-office")


def rows(seed: int, n: int) -> list[ResultInput]:
    rng = random.Random(seed)
    return [
        ResultInput(f"考生{seed}-{i}", make_id_number(rng), "2-02-38-01", 1, 55 + i % 40, 80)
        for i in range(n)
    ]


@pytest.fixture(scope="module", autouse=True)
async def institution(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")


async def opened(db: Database, key: str, count: int) -> str:
    outcome = await parts.open_batch(db, ME, BatchHeader(key, EXAM, count))
    assert outcome.batch["status"] == "OPEN" and not outcome.replayed
    return str(outcome.batch["_id"])


async def written(db: Database) -> tuple[int, ...]:
    return tuple(
        [
            await db[c].count_documents({})
            for c in ("batches", "batch_parts", "results", "audit_log")
        ]
    )


async def test_a_bad_row_in_part_3_is_named_by_its_place_in_the_batch(db: Database) -> None:
    bid = await opened(db, "parts-bad-row-3", 30)
    given = rows(1, 30)
    given[24].id_number = given[24].id_number[:-1] + (
        "1" if given[24].id_number[-1] == "0" else "0"
    )
    given[27].theory_score = 101
    for number in (1, 2):
        await parts.add_part(db, ME, bid, number, given[(number - 1) * 10 : number * 10], PERSONAL)
    before = await written(db)
    with pytest.raises(Rejected) as caught:
        await parts.add_part(db, ME, bid, 3, given[20:30], PERSONAL)
    found = {(p.field, p.code): p.message for p in caught.value.problems}
    assert set(found) == {
        ("results[24].idNumber", "ID_NUMBER_CHECK"),
        ("results[27].theoryScore", "INVALID_SCORE"),
    }
    assert found["results[24].idNumber", "ID_NUMBER_CHECK"].startswith("row 25:")
    assert all(r.id_number not in repr(caught.value.problems) for r in given)
    assert await written(db) == before  # nothing of the refused part is stored


async def test_a_part_is_stored_once_by_number_and_content(db: Database) -> None:
    bid = await opened(db, "parts-once-0001", 25)
    given = rows(2, 25)
    first = await parts.add_part(db, ME, bid, 1, given[:10], PERSONAL)
    assert (first.replayed, first.part["first_row"], first.part["size"]) == (False, 1, 10)
    before = await written(db)
    again = await parts.add_part(db, ME, bid, 1, given[:10], PERSONAL)
    same = ("_id", "digest", "first_row", "size", "rows")
    assert again.replayed and [again.part[k] for k in same] == [first.part[k] for k in same]
    assert await written(db) == before
    cases = [
        (1, given[10:20], "BATCH_PART_CONFLICT"),  # other content under a stored number
        (3, given[10:20], "BATCH_PART_OUT_OF_ORDER"),  # part 2 is missing
        (2, rows(3, 20), "BATCH_ROWS_EXCEEDED"),  # 10 + 20 > 25 announced
        (0, given[10:20], "INVALID_PART_NUMBER"),
    ]
    for number, content, code in cases:
        with pytest.raises(Rejected) as caught:
            await parts.add_part(db, ME, bid, number, content, PERSONAL)
        assert [p.code for p in caught.value.problems] == [code], code
    assert await written(db) == before
    second = await parts.add_part(db, ME, bid, 2, given[10:25], PERSONAL)
    assert second.part["first_row"] == 11
    assert second.batch["received"] == {"parts": 2, "rows": 25}


async def test_the_close_checks_the_whole_batch_across_parts(db: Database) -> None:
    bid = await opened(db, "parts-whole-001", 21)
    given = rows(4, 21)
    given[15] = ResultInput("重复", given[3].id_number, "2-02-38-01", 1, 90, 90)
    await parts.add_part(db, ME, bid, 1, given[:10], PERSONAL)
    await parts.add_part(db, ME, bid, 2, given[10:20], PERSONAL)
    with pytest.raises(Rejected) as caught:
        await parts.close_batch(db, ME, bid, PERSONAL)
    # Every problem at once: the missing rows and the candidate sent twice across parts.
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("resultCount", "BATCH_INCOMPLETE"),
        ("results[15].idNumber", "DUPLICATE_RESULT"),
    ]
    await parts.add_part(db, ME, bid, 3, given[20:], PERSONAL)
    before = await written(db)
    with pytest.raises(Rejected) as caught:
        await parts.close_batch(db, ME, bid, PERSONAL)
    problems = caught.value.problems
    assert [(p.field, p.code) for p in problems] == [("results[15].idNumber", "DUPLICATE_RESULT")]
    assert (
        problems[0].message
        == "row 16: the same candidate, occupation and level is already in row 4"
    )
    assert await written(db) == before
    assert (await review.load(db, bid))["status"] == "OPEN"


async def test_no_review_before_the_close_nor_while_binding(db: Database) -> None:
    bid = await opened(db, "parts-review-01", 12)
    given = rows(5, 12)
    await parts.add_part(db, ME, bid, 1, given, PERSONAL)
    for status in ("OPEN", "BINDING"):
        for step in (
            review.approve_province(db, PROVINCE, bid),
            review.return_batch(db, OFFICE, bid, "不应在此时退回"),
        ):
            with pytest.raises(Rejected) as caught:
                await step
            assert [p.code for p in caught.value.problems] == ["ILLEGAL_TRANSITION"]
            assert status in caught.value.problems[0].message
        if status == "OPEN":
            closed = await parts.close_batch(db, ME, bid, PERSONAL)
            assert closed.batch["status"] == "BINDING" and not closed.replayed
    batch = await review.load(db, bid)
    passed = batch["counts"]["passed"]
    assert passed == sum(r.theory_score >= 60 for r in given) > 0
    assert await binder.progress(db, batch) == (0, passed)
    # Serials reserved at the close; the rows, their numbers and bindings come with the binder.
    assert batch["serials"]["count"] == passed
    assert await db.results.count_documents({"batch": bid}) == 0
    bound = await binder.bind_batch(db, PERSONAL, bid, run="test")
    assert bound == passed
    batch = await review.load(db, bid)
    assert batch["status"] == "SUBMITTED"
    assert [h["action"] for h in batch["history"]] == ["open", "close", "bind"]
    assert await binder.progress(db, batch) == (passed, passed)
    numbered = [r["certificate"] async for r in db.results.find({"batch": bid}).sort("row", 1)]
    serials = [numbers.parse(n).serial for n in numbered if n]
    first = batch["serials"]["first"]
    assert serials == list(range(first, first + passed))  # in row order, from the reservation
    assert await db.batch_parts.count_documents({"batch": bid, "rows": {"$exists": True}}) == 0
    approved = await review.approve_province(db, PROVINCE, bid)
    assert approved["status"] == "PROVINCE_APPROVED"
    # A retried close, even after the batch moved on, answers the batch and writes nothing.
    before = await written(db)
    retry = await parts.close_batch(db, ME, bid, PERSONAL)
    assert retry.replayed and retry.batch["status"] == "PROVINCE_APPROVED"
    assert await written(db) == before


async def test_an_abandoned_open_batch_expires_with_its_parts(db: Database) -> None:
    bid = await opened(db, "parts-expire-01", 20)
    await parts.add_part(db, ME, bid, 1, rows(6, 10), PERSONAL)
    later = clock.now() + dt.timedelta(hours=24, minutes=1)
    with pytest.raises(Rejected) as caught:
        await parts.add_part(db, ME, bid, 2, rows(7, 10), PERSONAL, now=later)
    assert [p.code for p in caught.value.problems] == ["BATCH_EXPIRED"]
    assert await binder.expire(db, clock.now()) == 0  # not yet due
    # This batch, and the other tests' batches left OPEN.
    still_open = await db.batches.count_documents({"status": "OPEN"})
    assert still_open >= 1 and await binder.expire(db, later) == still_open
    batch = await review.load(db, bid)
    assert batch["status"] == "EXPIRED"
    assert await db.batch_parts.count_documents({"batch": bid}) == 0
    with pytest.raises(Rejected) as caught:
        await parts.close_batch(db, ME, bid, PERSONAL)
    assert [p.code for p in caught.value.problems] == ["ILLEGAL_TRANSITION"]


async def test_a_batch_of_one_request_takes_no_parts_and_no_close(db: Database) -> None:
    one = await submission.submit(db, ME, BatchInput("parts-one-shot1", EXAM, rows(8, 3)), PERSONAL)
    bid = one.batch["_id"]
    before = await written(db)
    for step in (
        parts.add_part(db, ME, bid, 1, rows(9, 3), PERSONAL),
        parts.close_batch(db, ME, bid, PERSONAL),
    ):
        with pytest.raises(Rejected) as caught:
            await step
        assert [p.code for p in caught.value.problems] == ["ILLEGAL_TRANSITION"]
    assert await written(db) == before
