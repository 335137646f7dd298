"""Submitting assessment batches: validation per row and field, nothing stored from a rejected
batch, idempotency under concurrent retries, numbering, late batches, return and resubmission."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import numbers, review, submission
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput, ResultInput
from registry.problems import Rejected
from registry.storage.db import Database
from tests.factories import listed_institution, make_id_number, make_uscc

INSTITUTIONS = [make_uscc(300 + i) for i in range(8)]
PERSONAL = PersonalData(b"p" * 32)
TODAY = clock.today()
EXAM = TODAY - dt.timedelta(days=10)


def me(uscc: str) -> Principal:
    return Principal(Role.EVALUATION_INSTITUTION, "t", f"tok-{uscc[-4:]}", institution=uscc)


def results(rng: random.Random, n: int, *, fail_every: int = 4) -> list[ResultInput]:
    return [
        ResultInput(
            name=f"考生{i:03d}",
            id_number=make_id_number(rng),
            occupation="2-02-38-01",
            level=1 + i % 2,
            theory_score=55 if i % fail_every == 0 else 80,
            skill_score=75,
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module", autouse=True)
async def institutions(db: Database) -> None:
    await catalogue.seed_reference(db)
    for uscc in INSTITUTIONS:
        await listed_institution(db, uscc, filed="2025-01-06")


async def counts(db: Database) -> tuple[int, ...]:
    return tuple(
        [
            await db[c].count_documents({})
            for c in ("batches", "results", "certificates", "audit_log")
        ]
    )


async def test_every_problem_is_reported_per_row_and_nothing_is_stored(db: Database) -> None:
    rng = random.Random(1)
    rows = results(rng, 20)
    rows[16].id_number = rows[16].id_number[:-1] + ("0" if rows[16].id_number[-1] != "0" else "1")
    rows[3].theory_score = 101
    rows[5].occupation = "2-02-38-03"  # big data: not in scope at level 2
    rows[7].id_number = "110105491231002"  # 15-digit legacy
    rows[9].id_number = rows[8].id_number  # same candidate twice
    rows[9].level = rows[8].level
    before = await counts(db)
    with pytest.raises(Rejected) as caught:
        await submit(db, me(INSTITUTIONS[0]), BatchInput("bad-batch-0001", EXAM, rows), PERSONAL)
    found = {(p.field, p.code) for p in caught.value.problems}
    assert ("results[16].idNumber", "ID_NUMBER_CHECK") in found
    assert ("results[3].theoryScore", "INVALID_SCORE") in found
    assert ("results[5].occupation", "OUT_OF_SCOPE") in found
    assert ("results[7].idNumber", "ID_NUMBER_LEGACY") in found
    assert ("results[9].idNumber", "DUPLICATE_RESULT") in found
    row17 = next(p for p in caught.value.problems if p.field == "results[16].idNumber")
    assert row17.message.startswith("row 17:") and "check character" in row17.message
    for problem in caught.value.problems:
        assert all(r.id_number not in problem.message for r in rows)
    assert await counts(db) == before


async def test_batch_rules(db: Database) -> None:
    rng = random.Random(2)
    uscc = INSTITUTIONS[0]
    cases = [
        (
            BatchInput("rules-future-01", TODAY + dt.timedelta(days=1), results(rng, 2)),
            "DATE_IN_FUTURE",
        ),
        (
            BatchInput("rules-unlisted-1", dt.date(2024, 1, 5), results(rng, 2)),
            "NOT_LISTED_ON_EXAM_DATE",
        ),
        (
            BatchInput("rules-late-0001", TODAY - dt.timedelta(days=45), results(rng, 2)),
            "LATE_REASON_REQUIRED",
        ),
        (BatchInput("short", EXAM, results(rng, 2)), "INVALID_IDEMPOTENCY_KEY"),
        (BatchInput("rules-empty-001", EXAM, []), "REQUIRED"),
    ]
    for batch, code in cases:
        with pytest.raises(Rejected) as caught:
            await submit(db, me(uscc), batch, PERSONAL)
        assert code in {p.code for p in caught.value.problems}, (code, caught.value.problems)
    late = await submit(
        db,
        me(uscc),
        BatchInput(
            "rules-late-0002",
            TODAY - dt.timedelta(days=45),
            results(rng, 2),
            late_reason="考点停电，补报",
        ),
        PERSONAL,
    )
    assert late.batch["late"] is True and late.batch["late_reason"] == "考点停电，补报"


def numbered(query: dict[str, object]) -> dict[str, object]:
    """Result rows that carry a certificate number (passing results)."""
    return {**query, "certificate": {"$ne": None}}


async def test_forbidden_for_other_roles(db: Database) -> None:
    from registry.errors import Forbidden

    for who in [
        Principal(None, "public"),
        Principal(Role.TRAINING_INSTITUTION, "t", "x", institution=INSTITUTIONS[0]),
        Principal(Role.OFFICE_ADMIN, "o", "o"),
    ]:
        with pytest.raises(Forbidden):
            await submit(
                db, who, BatchInput("forbidden-0001", EXAM, results(random.Random(3), 1)), PERSONAL
            )


async def test_concurrent_retries_give_one_certificate_per_pass_with_unique_numbers(
    db: Database,
) -> None:
    async def submitter(i: int) -> list[str]:
        rng = random.Random(100 + i)
        batches = [BatchInput(f"conc-{i}-{b}-key", EXAM, results(rng, 15)) for b in range(3)]
        ids = []
        for _attempt in range(3):  # every batch sent three times, interleaved with the others
            for batch in batches:
                outcome = await submit(db, me(INSTITUTIONS[i]), batch, PERSONAL)
                ids.append(outcome.batch["_id"])
        return ids

    ids = await asyncio.gather(*(submitter(i) for i in range(8)))
    distinct = {b for per in ids for b in per}
    assert len(distinct) == 8 * 3
    passing = 0
    async for batch in db.batches.find({"_id": {"$in": list(distinct)}}):
        passing += batch["counts"]["passed"]
        assert batch["counts"]["results"] == 15
    # Until publication, a passing result keeps its number on its result row.
    certs = [c async for c in db.results.find(numbered({"batch": {"$in": list(distinct)}}))]
    assert len(certs) == passing == 8 * 3 * 11  # rows 0, 4, 8, 12 fail in each batch
    assert await db.certificates.count_documents({"batch": {"$in": list(distinct)}}) == 0
    numbers_seen = [c["certificate"] for c in certs]
    assert len(set(numbers_seen)) == len(numbers_seen)
    for number in numbers_seen:
        parsed = numbers.parse(number)
        assert parsed.kind == "Z" and parsed.province == "35" and parsed.field == "01"
    # Per institution, serials are 1..N without gaps: nothing was allocated twice or lost.
    for uscc in INSTITUTIONS:
        every = [c["certificate"] async for c in db.results.find(numbered({"institution": uscc}))]
        serials = sorted(numbers.parse(n).serial for n in every)
        assert serials == list(range(1, len(serials) + 1))


async def test_same_key_different_content_is_refused(db: Database) -> None:
    rng = random.Random(5)
    first = BatchInput("reuse-key-0001", EXAM, results(rng, 3))
    await submit(db, me(INSTITUTIONS[1]), first, PERSONAL)
    with pytest.raises(Rejected) as caught:
        await submit(
            db, me(INSTITUTIONS[1]), BatchInput("reuse-key-0001", EXAM, results(rng, 3)), PERSONAL
        )
    assert caught.value.problems[0].code == "IDEMPOTENCY_KEY_REUSED"


async def test_id_numbers_are_stored_encrypted_and_hashed_only(db: Database) -> None:
    rng = random.Random(6)
    rows = results(rng, 4)
    outcome = await submit(
        db, me(INSTITUTIONS[2]), BatchInput("privacy-0001", EXAM, rows), PERSONAL
    )
    stored = [d async for d in db.results.find({"batch": outcome.batch["_id"]})]
    stored += [d async for d in db.certificates.find({"batch": outcome.batch["_id"]})]
    stored += [await db.batches.find_one({"_id": outcome.batch["_id"]})]
    text = repr(stored)
    assert all(r.id_number not in text for r in rows)
    decrypted = sorted(PERSONAL.decrypt(d["id_enc"]) for d in stored if "id_enc" in d)
    assert decrypted == sorted(r.id_number for r in rows)


async def test_return_and_resubmit_keeps_numbers_of_unchanged_results(db: Database) -> None:
    rng = random.Random(7)
    rows = results(rng, 6, fail_every=100)
    uscc = INSTITUTIONS[3]
    first = await submit(db, me(uscc), BatchInput("resubmit-0001", EXAM, rows), PERSONAL)
    bid = first.batch["_id"]
    before = {
        c["name"]: (c["certificate"], c["binding"])
        async for c in db.results.find(numbered({"batch": bid}))
    }
    prov = Principal(Role.PROVINCIAL_REVIEWER, "p", "p35", province="35")
    other_prov = Principal(Role.PROVINCIAL_REVIEWER, "p", "p11", province="11")
    from registry.errors import Forbidden

    with pytest.raises(Forbidden):
        await review.return_batch(db, other_prov, bid, "不在本省")
    returned = await review.return_batch(db, prov, bid, "第3行成绩需复核")
    assert returned["status"] == "RETURNED"
    corrected = rows[:2] + rows[3:]  # row 3 removed
    again = await submission.resubmit(
        db, me(uscc), bid, BatchInput("resubmit-0002", EXAM, corrected), PERSONAL
    )
    assert again.batch["status"] == "SUBMITTED" and again.batch["counts"]["results"] == 5
    assert not again.replayed
    # Every row ever numbered, the current one of a name over the superseded one.
    cursor = db.results.find(numbered({"batch": bid})).sort("current", 1)
    after = {c["name"]: (c["certificate"], c["current"], c["binding"]) async for c in cursor}
    for name, (number, binding) in before.items():
        if name == rows[2].name:
            # Withdrawn: its number stays on the superseded row only, never handed out again.
            assert after[name] == (number, False, binding)
        else:
            # Unchanged: the current row keeps the number and the holder binding.
            assert after[name] == (number, True, binding)
    retry = await submission.resubmit(
        db, me(uscc), bid, BatchInput("resubmit-0002", EXAM, corrected), PERSONAL
    )
    assert retry.replayed


@given(
    st.integers(1, 99),
    st.sampled_from(["11", "35", "65"]),
    st.integers(0, 9999),
    st.integers(1, 3),
    st.integers(1, 10),
    st.integers(1, 999_999),
    st.integers(0, 18),
    st.sampled_from("0123456789XZP"),
)
def test_every_single_character_change_of_a_number_is_caught(
    year: int, province: str, inst: int, level: int, field: int, serial: int, pos: int, char: str
) -> None:
    number = str(
        numbers.CertificateNumber("Z", province, f"{inst:04d}", year, level, f"{field:02d}", serial)
    )
    assert numbers.parse(number).serial == serial
    if number[pos] == char or (pos == 0 and char in "ZP"):
        return  # not a change, or the other valid type letter (outside the checked digits)
    changed = number[:pos] + char + number[pos + 1 :]
    with pytest.raises(numbers.CertificateNumberError):
        numbers.parse(changed)
