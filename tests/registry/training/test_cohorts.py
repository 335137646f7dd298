"""Training cohorts in the registry: validation per row and field, nothing stored from a rejected
cohort, P numbers, idempotency under concurrent retries, revocation, continuing-education hours
and the link check for assessment results citing a training certificate."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import mod11_2_check
from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import numbers
from registry.certificates.validation import CleanResult
from registry.errors import Forbidden
from registry.problems import Rejected
from registry.storage.db import Database
from registry.training import certificates, hours, links, submission
from registry.training.validation import CohortInput, TraineeInput
from tests.factories import listed_institution, make_id_number, make_uscc

TRAINER = make_uscc(801)
OTHER_TRAINER = make_uscc(802, region="110108")
EVALUATOR = make_uscc(803)
PERSONAL = PersonalData(b"t" * 32)
TODAY = clock.today()
END = TODAY - dt.timedelta(days=3)
START = END - dt.timedelta(days=30)
RNG = random.Random(801)
PEOPLE = [(f"学员{i:02d}", make_id_number(RNG)) for i in range(12)]


def me(uscc: str = TRAINER) -> Principal:
    return Principal(Role.TRAINING_INSTITUTION, "t", f"tok-{uscc[-4:]}", institution=uscc)


OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")


def cohort(key: str, people: list[tuple[str, str]] = PEOPLE, **changes: object) -> CohortInput:
    base = CohortInput(
        idempotency_key=key,
        start_date=START,
        end_date=END,
        occupation="2-02-10-09",
        level=1,
        required_hours=64,
        trainees=[
            TraineeInput(
                name=name,
                id_number=idn,
                hours_attended=60 if i % 5 == 4 else 64 + i,
                attendance_rate=0.9 + i / 200,
                assessment_passed=i % 4 != 3,
            )
            for i, (name, idn) in enumerate(people)
        ],
    )
    for key_, value in changes.items():
        setattr(base, key_, value)
    return base


@pytest.fixture(scope="module", autouse=True)
async def institutions(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06")
    await listed_institution(db, OTHER_TRAINER, kind="TRAINING", province="11", filed="2025-01-06")
    await listed_institution(db, EVALUATOR, filed="2025-01-06")


async def counts(db: Database) -> tuple[int, ...]:
    return tuple(
        [
            await db[c].count_documents({})
            for c in (
                "training_cohorts",
                "trainees",
                "training_certificates",
                "ce_credits",
                "audit_log",
            )
        ]
    )


async def test_every_problem_is_reported_and_nothing_is_stored(db: Database) -> None:
    bad = cohort("bad-cohort-01")
    bad.trainees[1].id_number = bad.trainees[1].id_number[:-1] + (
        "0" if bad.trainees[1].id_number[-1] != "0" else "1"
    )
    bad.trainees[2].hours_attended = -1
    bad.trainees[3].attendance_rate = 95  # a percentage where a fraction belongs
    bad.trainees[4].id_number = bad.trainees[0].id_number
    bad.trainees[5].name = " "
    bad.required_hours = 0
    before = await counts(db)
    with pytest.raises(Rejected) as caught:
        await submission.submit(db, me(), bad, PERSONAL)
    found = {(p.field, p.code) for p in caught.value.problems}
    assert ("trainees[1].idNumber", "ID_NUMBER_CHECK") in found
    assert ("trainees[2].hoursAttended", "INVALID_HOURS") in found
    assert ("trainees[3].attendanceRate", "INVALID_RATE") in found
    assert ("trainees[4].idNumber", "DUPLICATE_TRAINEE") in found
    assert ("trainees[5].name", "REQUIRED") in found
    assert ("requiredHours", "INVALID_HOURS") in found
    for problem in caught.value.problems:
        assert not any(idn in problem.message for _, idn in PEOPLE)
    assert await counts(db) == before


async def test_scope_listing_and_dates_are_checked(db: Database) -> None:
    cases = {
        "OUT_OF_SCOPE": cohort("scope-0001", occupation="2-02-10-12"),
        "NOT_LISTED_ON_END_DATE": cohort(
            "scope-0002", start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 2, 1)
        ),
        "DATE_IN_FUTURE": cohort("scope-0003", end_date=TODAY + dt.timedelta(days=1)),
        "START_AFTER_END": cohort("scope-0004", start_date=END + dt.timedelta(days=1)),
        "UNKNOWN_DIRECTION": cohort("scope-0005", direction="不存在的方向"),
        "INVALID_IDEMPOTENCY_KEY": cohort("short"),
    }
    for code, spec in cases.items():
        with pytest.raises(Rejected) as caught:
            await submission.submit(db, me(), spec, PERSONAL)
        assert code in {p.code for p in caught.value.problems}, code


async def test_only_a_training_institution_submits(db: Database) -> None:
    evaluator = Principal(Role.EVALUATION_INSTITUTION, "t", "tok-e", institution=EVALUATOR)
    for who in (evaluator, OFFICE, Principal(None, "public")):
        with pytest.raises(Forbidden):
            await submission.submit(db, who, cohort("forbidden-01"), PERSONAL)
    # A training token of an institution that is an evaluator is refused by the rule on kind.
    pretender = Principal(Role.TRAINING_INSTITUTION, "t", "tok-p", institution=EVALUATOR)
    with pytest.raises(Rejected) as caught:
        await submission.submit(db, pretender, cohort("forbidden-02"), PERSONAL)
    assert caught.value.problems[0].code == "NOT_A_TRAINING_INSTITUTION"


async def test_completers_get_p_numbers_and_hours(db: Database) -> None:
    before = await counts(db)
    outcome = await submission.submit(db, me(), cohort("cohort-main-0001"), PERSONAL)
    assert not outcome.replayed
    doc = outcome.cohort
    completed = [
        i
        for i in range(len(PEOPLE))
        if (60 if i % 5 == 4 else 64 + i) >= 64 and i % 4 != 3  # hours and assessment
    ]
    assert doc["counts"] == {
        "trainees": len(PEOPLE),
        "completed": len(completed),
        "not_completed": len(PEOPLE) - len(completed),
    }
    after = await counts(db)
    assert after[0] - before[0] == 1
    assert after[1] - before[1] == len(PEOPLE)
    assert after[2] - before[2] == len(completed) == after[3] - before[3]
    assert after[4] - before[4] == 1  # one audit entry, in the same transaction
    institution = await db.institutions.find_one({"_id": TRAINER})
    assert institution is not None
    rows = await submission.cohort_trainees(db, doc["_id"])
    issued = [r["certificate"] for r in rows if r["certificate"]]
    assert [r["row"] - 1 for r in rows if r["certificate"]] == completed
    for number in issued:
        parsed = numbers.parse(number)
        assert parsed.kind == "P"
        assert parsed.province == "35" and parsed.institution_number == institution["number"]
        assert parsed.year == TODAY.year % 100 and parsed.level == 1 and parsed.field == "01"
    serials = sorted(numbers.parse(n).serial for n in issued)
    assert serials == list(range(serials[0], serials[0] + len(serials)))
    # Nothing stores the ID number in the clear; no row read back carries its hash.
    for name in ("training_cohorts", "trainees", "training_certificates", "ce_credits"):
        async for stored in db[name].find({}):
            text = repr(stored)
            assert not any(idn in text for _, idn in PEOPLE), name
    assert all("id_hash" not in r and "id_enc" not in r for r in rows)
    # Hours count for the year the course ended.
    name, idn = PEOPLE[0]
    record = await hours.record(db, PERSONAL, Principal(None, "public"), idn, name)
    assert [(y.year, y.hours) for y in record.years] == [(END.year, 64.0)]


async def test_the_same_key_replays_and_concurrent_retries_store_once(db: Database) -> None:
    spec = cohort("cohort-race-0001", PEOPLE[:4])
    before = await counts(db)
    outcomes = await asyncio.gather(
        *(submission.submit(db, me(), spec, PERSONAL) for _ in range(5))
    )
    assert len({o.cohort["_id"] for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) <= 1
    after = await counts(db)
    assert after[0] - before[0] == 1 and after[4] - before[4] == 1
    again = await submission.submit(db, me(), spec, PERSONAL)
    assert again.replayed and again.cohort["_id"] == outcomes[0].cohort["_id"]
    changed = cohort("cohort-race-0001", PEOPLE[:3])
    with pytest.raises(Rejected) as caught:
        await submission.submit(db, me(), changed, PERSONAL)
    assert caught.value.problems[0].code == "IDEMPOTENCY_KEY_REUSED"
    assert await counts(db) == after


async def _a_certificate(db: Database, row: int = 0) -> tuple[str, str, str]:
    doc = await db.trainees.find_one(
        {"institution": TRAINER, "row": row + 1, "certificate": {"$ne": None}}
    )
    assert doc is not None
    return doc["certificate"], doc["name"], PEOPLE[row][1]


async def test_public_lookup_needs_number_and_name(db: Database) -> None:
    number, name, _ = await _a_certificate(db)
    found = await certificates.by_number(db, number, name)
    assert found is not None and found.number == number and not found.revoked
    assert await certificates.by_number(db, number, "别人") is None
    with pytest.raises(numbers.CertificateNumberError):
        await certificates.by_number(db, "Z" + number[1:], name)


async def test_revocation_takes_hours_off_and_is_safe_to_retry(db: Database) -> None:
    await submission.submit(db, me(), cohort("cohort-revoke-01", PEOPLE[6:9]), PERSONAL)
    doc = await db.training_certificates.find_one({"cohort": {"$exists": True}, "name": "学员06"})
    assert doc is not None
    number = doc["_id"]
    with pytest.raises(Forbidden):
        await certificates.revoke(db, me(OTHER_TRAINER), number, "not mine")
    with pytest.raises(Rejected):
        await certificates.revoke(db, me(), number, " ")
    audit_before = await db.audit_log.count_documents({})
    revoked = await certificates.revoke(db, me(), number, "结业考核记录有误")
    assert revoked.revoked and revoked.revocation_reason == "结业考核记录有误"
    again = await certificates.revoke(db, OFFICE, number, "again")
    assert again.revocation_reason == "结业考核记录有误"
    assert await db.audit_log.count_documents({}) == audit_before + 1
    credit = await db.ce_credits.find_one({"certificate": number})
    assert credit is not None and credit["status"] == "REVOKED"
    record = await hours.record(db, PERSONAL, OFFICE, PEOPLE[6][1], None)
    assert all(e.certificate != number for y in record.years for e in y.entries)


async def test_who_reads_continuing_education(db: Database) -> None:
    name, idn = PEOPLE[0]
    public = Principal(None, "public")
    with pytest.raises(Rejected) as caught:
        await hours.record(db, PERSONAL, public, idn, None)
    assert caught.value.problems[0].code == "REQUIRED"
    assert (await hours.record(db, PERSONAL, public, idn, "别人")).years == ()
    assert (await hours.record(db, PERSONAL, OFFICE, idn, None)).holder_name == name
    fujian = Principal(Role.PROVINCIAL_REVIEWER, "t", "tok-35", province="35")
    beijing = Principal(Role.PROVINCIAL_REVIEWER, "t", "tok-11", province="11")
    assert (await hours.record(db, PERSONAL, fujian, idn, None)).years
    assert (await hours.record(db, PERSONAL, beijing, idn, None)).years == ()
    # Another institution's cohort adds to the same year.
    await submission.submit(db, me(OTHER_TRAINER), cohort("cohort-other-01", PEOPLE[:1]), PERSONAL)
    record = await hours.record(db, PERSONAL, public, idn, name, year=END.year)
    # Three completions: the main cohort, the retry test's cohort and the other institution's.
    assert record.years[0].hours == 192.0 and len(record.years[0].entries) == 3
    assert {e.institution for e in record.years[0].entries} == {TRAINER, OTHER_TRAINER}


def result_row(
    row: int, id_number: str, number: str | None, occupation: str = "2-02-10-09", level: int = 1
) -> CleanResult:
    return CleanResult(row, "考生", id_number, occupation, "01", None, level, 80.0, 80.0, number)


async def test_assessment_results_citing_training_certificates(db: Database) -> None:
    number, _, idn = await _a_certificate(db)
    revoked = await db.training_certificates.find_one({"status": "REVOKED"})
    assert revoked is not None
    revoked_owner = next(i for n, i in PEOPLE if n == revoked["name"])
    body = "35" + number[3:7] + number[7:9] + "1" + "01" + "999999"
    unknown = "P" + body + mod11_2_check(body)
    rows = [
        result_row(1, idn, number),  # fine
        result_row(2, PEOPLE[1][1], number),  # someone else's
        result_row(3, idn, number, occupation="2-02-10-11"),  # other occupation
        result_row(4, idn, number, level=2),  # other level
        result_row(5, revoked_owner, revoked["_id"]),  # revoked
        result_row(6, idn, unknown),  # no such certificate
        result_row(7, idn, None),  # none cited: flagged, not refused
    ]
    problems = await links.check_training_links(db, PERSONAL, rows)
    by_row = {p.field: p.code for p in problems}
    assert by_row == {
        "results[1].trainingCertificate": "TRAINING_CERTIFICATE_OTHER_PERSON",
        "results[2].trainingCertificate": "TRAINING_CERTIFICATE_MISMATCH",
        "results[3].trainingCertificate": "TRAINING_CERTIFICATE_MISMATCH",
        "results[4].trainingCertificate": "TRAINING_CERTIFICATE_REVOKED",
        "results[5].trainingCertificate": "TRAINING_CERTIFICATE_NOT_FOUND",
    }
    for problem in problems:
        assert not any(i in problem.message for _, i in PEOPLE)
    flags = links.missing_training(rows)
    assert [(f.field, f.code) for f in flags] == [
        ("results[6].trainingCertificate", "TRAINING_CERTIFICATE_MISSING")
    ]
    assert await links.check_training_links(db, PERSONAL, rows[-1:]) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_training_number_parser_refuses_garbage_with_its_own_error(text: str) -> None:
    try:
        value = certificates.parse_training_number(text)
    except numbers.CertificateNumberError as error:
        assert error.code in {
            "INVALID_CERTIFICATE_NUMBER",
            "CERTIFICATE_NUMBER_CHECK",
            "NOT_A_TRAINING_CERTIFICATE",
        }
    else:
        assert value.startswith("P") and len(value) == 19


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["11", "35", "44"]),
    st.integers(1, 9999),
    st.integers(0, 99),
    st.integers(1, 3),
    st.integers(1, 10),
    st.integers(1, 999_999),
)
def test_training_numbers_round_trip(
    province: str, inst: int, year: int, level: int, field: int, serial: int
) -> None:
    number = numbers.CertificateNumber(
        "P", province, f"{inst:04d}", year, level, f"{field:02d}", serial
    )
    text = str(number)
    assert certificates.parse_training_number(text.lower()) == text
    assert numbers.parse(text) == number


async def test_a_training_institutions_pass_rate_counts_results_citing_its_certificates(
    db: Database,
) -> None:
    from registry.certificates import publication, review
    from registry.certificates.submission import submit as submit_batch
    from registry.certificates.validation import BatchInput, ResultInput
    from registry.reports import metrics

    # Valid certificates of distinct people, so the batch passes the link check too.
    cited: list[dict[str, object]] = []
    async for d in db.training_certificates.find(
        {"institution": TRAINER, "status": "ISSUED", "occupation": "2-02-10-09", "level": 1}
    ).sort("_id", 1):
        if d["name"] not in {c["name"] for c in cited} and len(cited) < 3:
            cited.append({"name": d["name"], "certificate": d["_id"]})
    by_name = dict(PEOPLE)
    rows = [
        ResultInput(
            name=str(d["name"]),
            id_number=by_name[str(d["name"])],
            occupation="2-02-10-09",
            level=1,
            theory_score=50 if i == 0 else 80,
            skill_score=80,
            training_certificate=str(d["certificate"]),
        )
        for i, d in enumerate(cited)
    ]
    evaluator = Principal(Role.EVALUATION_INSTITUTION, "t", "tok-e", institution=EVALUATOR)
    exam = TODAY - dt.timedelta(days=2)
    outcome = await submit_batch(
        db, evaluator, BatchInput("cites-training-01", exam, rows), PERSONAL
    )
    bid = outcome.batch["_id"]
    # Not published yet: not counted.
    assert (await metrics.institution_metrics(db, TRAINER, exam.year)).candidates == 0
    await review.approve_province(
        db, Principal(Role.PROVINCIAL_REVIEWER, "t", "p", province="35"), bid
    )
    await review.check_cettic(db, Principal(Role.CETTIC_REVIEWER, "t", "c"), bid)
    await publication.publish(
        db, OFFICE, bid, master_key=b"k" * 32, base_url="http://127.0.0.1:8000"
    )
    trainer = await metrics.institution_metrics(db, TRAINER, exam.year)
    assert (trainer.candidates, trainer.passes) == (3, 2)
    assert trainer.pass_rate == pytest.approx(2 / 3)
    assert trainer.trainees == await db.trainees.count_documents(
        {"institution": TRAINER, "year": exam.year}
    )
    own = await metrics.institution_metrics(db, EVALUATOR, exam.year)
    assert (own.candidates, own.passes, own.kind.value) == (3, 2, "EVALUATION")
    assert (await metrics.institution_metrics(db, OTHER_TRAINER, exam.year)).candidates == 0
