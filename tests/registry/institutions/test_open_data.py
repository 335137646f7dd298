"""The directory's change feed and snapshots (issue 16, item 3), on the real database through
the real lifecycle: every move of the transition table appears in the feed exactly once, in the
audit chain's order, each change continuing the one before it, and a snapshot agrees with the
feed it names."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from registry.access.auth import ANONYMOUS, Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.institutions import lifecycle, open_data
from registry.institutions.application import ApplicationInput, FeeInput, ScopeInput
from registry.institutions.model import Kind, Status, Violation
from registry.institutions.public_view import ChangeKind, change_kinds, public_record
from registry.institutions.rules import TABLE, Action
from registry.problems import Rejected
from registry.storage import changes
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.factories import OFFICE, audited_institution, listed_institution, make_uscc

PROV = Principal(Role.PROVINCIAL_REVIEWER, "t", "t-prov", province="35")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)


def renewal(uscc: str) -> ApplicationInput:
    return ApplicationInput(
        uscc=uscc,
        name=f"测试机构{uscc[-6:]}",
        kind=Kind.EVALUATION,
        province="35",
        contact_person="王老师",
        contact_phone="0591-12345678",
        experience_years=9,
        yearly_count=5000,
        registered_in_china=True,
        scope=[ScopeInput("2-02-10-09", 1, None)],
        fees=[FeeInput("考核费", 900.0)],
    )


@pytest.fixture(scope="module", autouse=True)
async def walked(db: Database) -> dict[str, str]:
    """Institutions taken through every move of the table (and an objection, which the public
    view does not show)."""
    await catalogue.seed_reference(db)
    a, b = make_uscc(9101), make_uscc(9102)
    await listed_institution(db, a, filed="2025-01-06")
    today = dt.date.today()
    await lifecycle.suspend(db, PROV, a, "整改", now=at(today))
    await lifecycle.reinstate(db, OFFICE, a, "整改完成", now=at(today))
    await lifecycle.remove(db, OFFICE, a, Violation.FRAUD, "弄虚作假", now=at(today))
    # B's listing ran out years ago: the registry records its expiry itself, then it renews.
    await listed_institution(db, b, filed="2021-01-11")
    assert await open_data.expire_due(db) == 1
    assert await open_data.expire_due(db) == 0  # recorded once
    me = Principal(Role.EVALUATION_INSTITUTION, "t", "t-inst", institution=b)
    await lifecycle.renew(db, me, renewal(b), now=at(today))
    await lifecycle.simple(db, PROV, b, "returnApplication", reason="材料不全", now=at(today))
    await lifecycle.resubmit(db, me, renewal(b), now=at(today))
    return {"a": a, "b": b}


async def all_changes(db: Database) -> list[changes.Change]:
    found, more = await changes.after(db, "institution", 0, 10_000)
    assert not more
    return found


async def test_every_move_of_the_table_is_in_the_feed(db: Database) -> None:
    # Derived from the table: a move added later and not walked above fails here.
    seen = {c.action for c in await all_changes(db)}
    assert {move.action.value for move in TABLE} | {Action.APPLY.value} <= seen


async def test_each_change_once_in_order_and_each_continues_the_last(db: Database) -> None:
    found = await all_changes(db)
    seqs = [c.seq for c in found]
    assert seqs == sorted(set(seqs))  # strictly increasing: none twice, none out of order
    last: dict[str, dict[str, object] | None] = defaultdict(lambda: None)
    for change in found:
        # Nothing between two changes of one record is missing from the feed.
        assert change.before == last[change.key], (change.seq, change.action)
        assert change.before != change.after
        last[change.key] = change.after
    async for doc in db[Collection.INSTITUTIONS].find():
        assert last[doc["_id"]] == public_record(doc)  # the feed ends at the record as stored


async def test_each_change_is_the_audit_entry_of_its_step(db: Database) -> None:
    for change in await all_changes(db):
        entry = await db[Collection.AUDIT_LOG].find_one({"seq": change.seq})
        assert entry is not None
        assert entry["entity"] == f"institution:{change.key}"
        assert entry["action"] == f"institution.{change.action}"


async def test_the_kinds_of_change_are_derived_from_the_records(
    db: Database, walked: dict[str, str]
) -> None:
    by_action = {(c.key, c.action): c for c in await all_changes(db)}
    a, b = walked["a"], walked["b"]
    kinds = {k: change_kinds(c.before, c.after) for k, c in by_action.items()}
    assert kinds[(a, "apply")] == [ChangeKind.ADDED]
    assert kinds[(a, "startPublicity")] == [ChangeKind.STATUS, ChangeKind.PUBLICITY]
    assert kinds[(a, "list")] == [ChangeKind.STATUS, ChangeKind.VALIDITY, ChangeKind.DETAILS]
    assert kinds[(a, "suspend")] == [ChangeKind.STATUS, ChangeKind.VALIDITY]
    assert (
        kinds[(a, "remove")][0] is ChangeKind.STATUS and ChangeKind.DETAILS in kinds[(a, "remove")]
    )
    assert by_action[(b, "expire")].after["status"] == Status.EXPIRED.value


async def test_a_step_the_public_cannot_see_is_no_change(db: Database) -> None:
    uscc = make_uscc(9103)
    today = clock.today()
    await audited_institution(db, uscc, today)
    await lifecycle.start_publicity(db, OFFICE, uscc, today)
    before = await changes.last_seq(db, "institution")
    # An objection is audited, but its text and existence are not in the public record.
    await lifecycle.lodge_objection(db, ANONYMOUS, uscc, "该机构宣传材料承诺包过")
    assert await changes.last_seq(db, "institution") == before
    entry = await db[Collection.AUDIT_HEAD].find_one({"_id": "head"})
    assert entry is not None and entry["seq"] > before


async def test_a_refused_step_leaves_no_change(db: Database, walked: dict[str, str]) -> None:
    before = await changes.last_seq(db, "institution")
    with pytest.raises(Rejected):
        await lifecycle.suspend(db, PROV, walked["a"], "again")  # REMOVED: ILLEGAL_TRANSITION
    assert await changes.last_seq(db, "institution") == before


async def test_a_snapshot_names_the_last_change_it_holds(db: Database) -> None:
    shot = await open_data.snapshot(db, Kind.EVALUATION)
    assert shot.seq == await changes.last_seq(db, "institution")
    records = {r["uscc"]: r for r in shot.records}
    for change in await all_changes(db):
        if change.after["kind"] == "EVALUATION":
            assert change.key in records
    async for doc in db[Collection.INSTITUTIONS].find({"kind": "EVALUATION"}):
        assert records[doc["_id"]] == public_record(doc)
        assert doc["status"] != Status.LISTED.value or doc["valid_until"] > str(dt.date.today())


async def test_concurrent_changes_each_appear_once_in_commit_order(db: Database) -> None:
    import asyncio

    usccs = [make_uscc(9200 + n) for n in range(6)]
    for uscc in usccs:
        await listed_institution(db, uscc, filed="2025-03-03")
    before = await changes.last_seq(db, "institution")
    today = clock.now()
    # Six suspensions at once, and each asked twice (a retried request): one change each.
    await asyncio.gather(
        *(lifecycle.suspend(db, PROV, u, "整改", now=today) for u in usccs for _ in range(2))
    )
    found, _ = await changes.after(db, "institution", before, 100)
    assert sorted(c.key for c in found) == sorted(usccs)
    assert [c.seq for c in found] == sorted({c.seq for c in found})
    await test_each_change_once_in_order_and_each_continues_the_last(db)


async def test_an_expiry_the_office_recorded_first_is_not_recorded_again(db: Database) -> None:
    uscc = make_uscc(9301)
    await listed_institution(db, uscc, filed="2021-02-01")
    # The office expires it between the sweep finding it and the sweep's own step: the sweep
    # meets an EXPIRED record and leaves it.
    await lifecycle.expire(db, OFFICE, uscc)
    await lifecycle.expire(db, OFFICE, uscc)  # a retry is a replay
    with pytest.raises(Rejected) as refused:
        await lifecycle.expire(db, open_data.SYSTEM, uscc)
    assert refused.value.code == "ILLEGAL_TRANSITION"
    assert await open_data.expire_due(db) == 0
    found, _ = await changes.after(db, "institution", 0, 10_000)
    assert [c.action for c in found if c.key == uscc].count("expire") == 1
