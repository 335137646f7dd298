"""The statistics' counters against a full recomputation from the collections (the oracle in
`oracle.py`, plain Python over every record), for every filter and grouping the API offers: after
the test data, and after randomised sequences of cohorts, batches (published, left in review,
returned and resubmitted), revocations of both kinds of certificate. And the rebuild: it finds
what a write around the registry did, repairs it, and runs at start-up when needed."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.certificates import publication, review, revocation
from registry.certificates.submission import resubmit, submit
from registry.certificates.validation import BatchInput, ResultInput
from registry.reports import counters, rebuild, statistics
from registry.reports.tally import Tally
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.training import certificates as training_certificates
from registry.training import submission as training
from registry.training.validation import TraineeInput
from tests.factories import make_id_number, make_uscc
from tests.registry.reports.data import (
    CETTIC,
    OFFICE,
    SCOPE,
    TODAY,
    at,
    build,
    cohort_spec,
)
from tests.registry.reports.oracle import agrees

BASE = 820


@pytest.fixture(scope="module", autouse=True)
async def data(db: Database, settings: Settings) -> None:
    await build(db, settings, BASE)


async def test_after_the_test_data_the_counters_equal_a_recount(db: Database) -> None:
    assert await db[Collection.STATISTICS].count_documents({}) > 0
    await agrees(db)


class Sequence:
    """Random changes through the registry's own functions, over a small pool of people (so that
    one person is named by many records, in several years)."""

    def __init__(self, db: Database, settings: Settings, seed: int) -> None:
        self.db, self.settings, self.seed = db, settings, seed
        self.rng = random.Random(seed)
        self.personal = PersonalData(settings.master_key())
        self.pool = [(f"序列{seed}人{i}", make_id_number(self.rng)) for i in range(12)]
        self.step = 0
        self.done: Counter[str] = Counter()  # what the sequence did, by kind

    def _province(self) -> tuple[int, str]:
        n = self.rng.randrange(2)
        return n, ("35", "11")[n]

    async def cohort(self) -> None:
        n, _ = self._province()
        trainer = make_uscc(BASE + 10 * n, region=("350100", "110108")[n])
        me = Principal(Role.TRAINING_INSTITUTION, "t", f"seq-t{n}", institution=trainer)
        end = TODAY - dt.timedelta(days=self.rng.choice((2, 30, 200, 400)))
        people = self.rng.sample(self.pool, self.rng.randint(1, 4))
        spec = cohort_spec(
            f"seq-cohort-{self.seed}-{self.step:03d}",
            end,
            self.rng.choice(SCOPE),
            [
                TraineeInput(nm, idn, self.rng.choice((40, 48)), 0.9, self.rng.random() < 0.7)
                for nm, idn in people
            ],
        )
        await training.submit(self.db, me, spec, self.personal, now=at(end, 1))
        self.done["cohort"] += 1

    def _rows(self) -> list[ResultInput]:
        occupation, direction, level = self.rng.choice(SCOPE)
        return [
            ResultInput(nm, idn, occupation, level, self.rng.choice((50, 75, 90)), 80, direction)
            for nm, idn in self.rng.sample(self.pool, self.rng.randint(1, 3))
        ]

    async def batch(self) -> None:
        n, province = self._province()
        evaluator = make_uscc(BASE + 10 * n + 1, region=("350100", "110108")[n])
        me = Principal(Role.EVALUATION_INSTITUTION, "t", f"seq-e{n}", institution=evaluator)
        exam = TODAY - dt.timedelta(days=self.rng.randint(3, 20))
        key = f"seq-batch-{self.seed}-{self.step}"
        made = await submit(self.db, me, BatchInput(key, exam, self._rows()), self.personal)
        bid = made.batch["_id"]
        fate = self.rng.choice(("publish", "publish", "stay", "resubmit"))
        self.done[fate] += 1
        if fate == "stay":
            return
        prov = Principal(Role.PROVINCIAL_REVIEWER, "t", f"seq-p{n}", province=province)
        await review.approve_province(self.db, prov, bid)
        if fate == "resubmit":
            await review.return_batch(self.db, CETTIC, bid, "序列测试退回")
            await resubmit(self.db, me, bid, BatchInput(key, exam, self._rows()), self.personal)
            await review.approve_province(self.db, prov, bid)
        await review.check_cettic(self.db, CETTIC, bid)
        await publication.publish(
            self.db, OFFICE, bid, master_key=self.settings.master_key(), base_url="https://t"
        )

    async def revoke(self) -> None:
        found = self.db[Collection.CERTIFICATES].find({"status": "PUBLISHED"}, {"_id": 1})
        numbers = [d["_id"] async for d in found]
        if numbers:
            await revocation.revoke(self.db, OFFICE, self.rng.choice(numbers), "序列测试")
            self.done["revoke"] += 1

    async def revoke_training(self) -> None:
        found = self.db[Collection.TRAINING_CERTIFICATES].find({"status": "ISSUED"}, {"_id": 1})
        numbers = [d["_id"] async for d in found]
        if numbers:
            number = self.rng.choice(numbers)
            await training_certificates.revoke(self.db, OFFICE, number, "序列测试")
            self.done["revoke_training"] += 1

    async def run(self, steps: int) -> None:
        moves = (self.cohort, self.batch, self.batch, self.revoke, self.revoke_training)
        for self.step in range(steps):
            await self.rng.choice(moves)()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_after_a_random_sequence_the_counters_equal_a_recount(
    db: Database, settings: Settings, seed: int
) -> None:
    sequence = Sequence(db, settings, seed)
    await sequence.run(20)
    kinds = {"cohort", "publish", "stay", "resubmit", "revoke", "revoke_training"}
    assert set(sequence.done) == kinds, sequence.done  # each kind of change happened
    await agrees(db)


async def test_a_write_around_the_registry_is_found_and_repaired(db: Database) -> None:
    template = await db[Collection.CERTIFICATES].find_one({"status": "PUBLISHED"})
    assert template is not None
    before = (await statistics.aggregate(db, []))[0].counts["certificates_issued"]
    await db[Collection.CERTIFICATES].insert_one({**template, "_id": template["_id"] + "-around"})
    differences = await rebuild.check(db)
    assert differences and all(d.stored + 1 == d.recounted for d in differences)
    assert any(d.counter.endswith(".certificates_issued") for d in differences)
    # Not counted by the counters until the rebuild, which is audited (the figures move at once).
    assert (await statistics.aggregate(db, []))[0].counts["certificates_issued"] == before
    await rebuild.rebuild(db)
    assert await rebuild.check(db) == []
    assert (await statistics.aggregate(db, []))[0].counts["certificates_issued"] == before + 1
    await db[Collection.CERTIFICATES].delete_one({"_id": template["_id"] + "-around"})
    await rebuild.rebuild(db)
    await agrees(db)


async def test_start_up_rebuilds_absent_or_older_counters_only(db: Database) -> None:
    assert not await rebuild.ensure(db)  # current layout: left alone
    await db[Collection.STATISTICS].update_one(
        {"_id": counters.LAYOUT_ID}, {"$set": {"version": counters.LAYOUT_VERSION - 1}}
    )
    await db[Collection.STATISTICS].update_many(
        {"counts": {"$exists": True}}, {"$set": {"counts": {}}}
    )
    assert await rebuild.ensure(db)
    assert await rebuild.check(db) == []
    await db[Collection.STATISTICS].delete_many({})
    await db[Collection.STATISTICS_PERSONS].delete_many({})
    assert await rebuild.ensure(db)
    layout = await db[Collection.STATISTICS].find_one({"_id": counters.LAYOUT_ID})
    assert layout is not None and layout["version"] == counters.LAYOUT_VERSION
    await agrees(db)


async def test_two_first_writers_of_one_person_both_count(fresh_db: Database) -> None:
    # Every transaction sees the person as new and inserts its count: the later inserts
    # collide (a write conflict here; a duplicate key is turned into a retry too), and their
    # transactions run again and move the count the first one wrote.
    person = (2031, "person-first-writers")
    delta = Tally(persons=Counter({person: 1}))

    async def count(session: AsyncClientSession) -> None:
        await counters.apply(fresh_db, delta, session)

    await asyncio.gather(*(in_transaction(fresh_db, count) for _ in range(4)))
    doc = await fresh_db[Collection.STATISTICS_PERSONS].find_one(
        {"_id": counters.person_id(person)}
    )
    assert doc is not None and doc["n"] == 4
    people = await fresh_db[Collection.STATISTICS].find_one({"_id": counters.people_id(2031)})
    assert people is not None and people["people"] == 1
