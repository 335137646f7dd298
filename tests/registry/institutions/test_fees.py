"""Fee changes during a listing (notice 四(六)4): recorded with the day they take effect and the
schedule they replace, the schedule in effect shown as current, audited, safe to retry, refused
with their codes outside a listing and to anyone but the institution."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.errors import Forbidden
from registry.institutions import fees
from registry.institutions.application import FeeInput
from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.factories import audited_institution, listed_institution, make_uscc

LISTED, AUDITED = make_uscc(721), make_uscc(722)
TODAY = clock.today()
FILED = (TODAY - dt.timedelta(days=300)).isoformat()


def me(uscc: str) -> Principal:
    return Principal(Role.EVALUATION_INSTITUTION, "i", "t-i", institution=uscc)


def schedule(amount: float) -> list[FeeInput]:
    return [FeeInput("考核费", amount, "人次", None)]


@pytest.fixture(scope="module", autouse=True)
async def listed(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, LISTED, filed=FILED)


async def _audit(db: Database) -> list[str]:
    cursor = db[Collection.AUDIT_LOG].find({"entity": f"institution:{LISTED}"}).sort("seq", 1)
    return [e["action"] async for e in cursor if e["action"].endswith("changeFees")]


async def test_changes_are_kept_with_their_day_and_the_schedule_in_effect_is_current(
    db: Database,
) -> None:
    start = (await listing_start(db)) + dt.timedelta(days=10)
    first = await fees.change_fees(db, me(LISTED), LISTED, schedule(900), TODAY, "调价")
    assert [f.amount_yuan for f in first.fees] == [900]
    # A change recorded late, effective earlier, is history: the later one stays in effect.
    late = await fees.change_fees(db, me(LISTED), LISTED, schedule(850), start)
    assert [f.amount_yuan for f in late.fees] == [900]
    assert [(c.effective_from, c.fees[0].amount_yuan) for c in late.fee_changes] == [
        (TODAY, 900),
        (start, 850),
    ]
    assert (
        late.fee_changes[0].note == "调价"
        and late.fee_changes[1].previous_fees[0].amount_yuan == 900
    )
    again = await fees.change_fees(db, me(LISTED), LISTED, schedule(850), start)
    assert again.revision == late.revision  # a retry changes nothing
    assert await _audit(db) == ["institution.changeFees", "institution.changeFees"]


async def listing_start(db: Database) -> dt.date:
    doc = await db[Collection.INSTITUTIONS].find_one({"_id": LISTED})
    assert doc is not None
    return dt.date.fromisoformat(doc["listings"][-1]["start"])


async def test_a_change_outside_the_listing_or_in_the_future_is_refused_with_its_code(
    db: Database,
) -> None:
    start = await listing_start(db)
    cases = {
        start - dt.timedelta(days=1): "OUTSIDE_LISTING",
        TODAY + dt.timedelta(days=1): "IN_THE_FUTURE",
    }
    for day, code in cases.items():
        with pytest.raises(Rejected) as refused:
            await fees.change_fees(db, me(LISTED), LISTED, schedule(1), day)
        assert (refused.value.code, refused.value.problems[0].field) == (code, "effectiveFrom")
    with pytest.raises(Rejected) as bad:
        await fees.change_fees(db, me(LISTED), LISTED, [FeeInput(" ", -1, "人次", None)], TODAY)
    assert {p.code for p in bad.value.problems} == {"REQUIRED", "INVALID_AMOUNT"}
    await audited_institution(db, AUDITED, TODAY - dt.timedelta(days=1))
    with pytest.raises(Rejected) as unlisted:
        await fees.change_fees(db, me(AUDITED), AUDITED, schedule(1), TODAY)
    assert unlisted.value.code == "NOT_LISTED"


@pytest.mark.parametrize(
    "who",
    [
        Principal(None, "public"),
        Principal(Role.OFFICE_ADMIN, "o", "t-o"),
        Principal(Role.PROVINCIAL_REVIEWER, "p", "t-p", province="35"),
        Principal(Role.TRAINING_INSTITUTION, "t", "t-t", institution=LISTED),
        me(AUDITED),
    ],
)
async def test_only_the_institution_itself_changes_its_fees(db: Database, who: Principal) -> None:
    before = await db[Collection.INSTITUTIONS].find_one({"_id": LISTED})
    with pytest.raises(Forbidden) as refused:
        await fees.change_fees(db, who, LISTED, schedule(1), TODAY)
    assert refused.value.code == "FORBIDDEN"
    assert await db[Collection.INSTITUTIONS].find_one({"_id": LISTED}) == before
