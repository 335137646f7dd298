"""Test data for the statistics: training cohorts and assessment batches walked through the real
submission, review and publication (one batch left unpublished, some certificates revoked)."""

from __future__ import annotations

import datetime as dt
import random

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import publication, review, revocation
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput, ResultInput
from registry.settings import Settings
from registry.storage.db import Database
from registry.training import submission
from registry.training.validation import CohortInput, TraineeInput
from tests.factories import listed_institution, make_id_number, make_uscc

OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")
CETTIC = Principal(Role.CETTIC_REVIEWER, "t", "tok-cettic")
TODAY = clock.today()
EXAM = TODAY - dt.timedelta(days=12)
SCOPE: list[tuple[str, str | None, int]] = [
    ("2-02-10-09", None, 1),
    ("2-02-10-09", None, 2),
    ("2-02-10-11", "大数据分析", 3),
]


def at(day: dt.date, later: int = 0) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=later), dt.time(3), tzinfo=dt.UTC)


def cohort_spec(
    key: str, end: dt.date, scope: tuple[str, str | None, int], trainees: list[TraineeInput]
) -> CohortInput:
    """A cohort of 20 days ending on `end`, 48 hours required."""
    occupation, direction, level = scope
    return CohortInput(
        idempotency_key=key,
        start_date=end - dt.timedelta(days=20),
        end_date=end,
        occupation=occupation,
        direction=direction,
        level=level,
        required_hours=48,
        trainees=trainees,
    )


async def build(db: Database, settings: Settings, base: int) -> None:
    """Two provinces, each with a training and an evaluation institution."""
    await catalogue.seed_reference(db)
    personal = PersonalData(settings.master_key())
    rng = random.Random(base)
    people = [(f"人员{i:03d}", make_id_number(rng)) for i in range(40)]
    for n, (province, region) in enumerate((("35", "350100"), ("11", "110108"))):
        trainer = make_uscc(base + 10 * n, region=region)
        evaluator = make_uscc(base + 10 * n + 1, region=region)
        await listed_institution(db, trainer, kind="TRAINING", province=province, scope=SCOPE)
        await listed_institution(db, evaluator, province=province, scope=SCOPE)
        me = Principal(Role.TRAINING_INSTITUTION, "t", f"t{n}", institution=trainer)
        for c, (occupation, direction, level) in enumerate(SCOPE):
            end = dt.date(TODAY.year - (c % 2), 3 + c, 10)
            if end > TODAY:
                end = TODAY - dt.timedelta(days=2)
            group = people[c * 10 + n * 3 : c * 10 + n * 3 + 8]
            spec = cohort_spec(
                f"stats-{base}-{n}-{c}",
                end,
                (occupation, direction, level),
                [
                    TraineeInput(nm, idn, 48 if i % 3 else 40, 0.8 + i / 50, i % 4 != 0)
                    for i, (nm, idn) in enumerate(group)
                ],
            )
            await submission.submit(db, me, spec, personal, now=at(end, 2))
        inst = Principal(Role.EVALUATION_INSTITUTION, "t", f"e{n}", institution=evaluator)
        prov = Principal(Role.PROVINCIAL_REVIEWER, "t", f"p{n}", province=province)
        for b in range(2):
            rows = [
                ResultInput(
                    name=nm,
                    id_number=idn,
                    occupation=SCOPE[(i + b) % 3][0],
                    direction=SCOPE[(i + b) % 3][1],
                    level=SCOPE[(i + b) % 3][2],
                    theory_score=50 if i % 4 == 1 else 75,
                    skill_score=80,
                )
                for i, (nm, idn) in enumerate(people[n * 5 + b : n * 5 + b + 7])
            ]
            batch = await submit(
                db, inst, BatchInput(f"stats-batch-{base}-{n}-{b}", EXAM, rows), personal
            )
            if b == 1 and n == 1:
                continue  # left SUBMITTED: counts nowhere in the public statistics
            bid = batch.batch["_id"]
            await review.approve_province(db, prov, bid)
            await review.check_cettic(db, CETTIC, bid)
            await publication.publish(
                db,
                OFFICE,
                bid,
                master_key=settings.master_key(),
                base_url=settings.base_url,
            )
    published = [
        d["_id"] async for d in db.certificates.find({"status": "PUBLISHED"}).sort("_id", 1)
    ]
    for number in published[::5]:
        await revocation.revoke(db, OFFICE, number, "统计测试")
