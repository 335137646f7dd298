"""The look-up cache of published certificates: what another process changes reaches it through
the change stream, reads that raced an eviction are not stored, and without a stream it is off."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from registry.certificates import lookup
from registry.certificates.cache import CertificateCache
from registry.certificates.numbers import CertificateNumber
from registry.storage.db import Database

_serials = itertools.count(1)


def fresh_number() -> str:
    return str(CertificateNumber("Z", "35", "0001", 26, 1, "01", next(_serials)))


def published(number: str, name: str = "张三") -> dict[str, Any]:
    """The fields of a published certificate that the public view reads."""
    return {
        "_id": number,
        "name": name,
        "occupation": "2-02-38-01",
        "field": "01",
        "direction": None,
        "level": 1,
        "institution": "91350100MA00000001",
        "exam_date": "2026-11-01",
        "published_at": dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC),
        "status": "PUBLISHED",
        "credential": {"id": f"urn:dte:certificate:{number}"},
        "id_hash": "00" * 32,
        "batch": "bat_x",
    }


async def until(condition: Any, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def test_a_second_look_up_is_answered_from_memory(
    db: Database, cache: lookup.LookupCache
) -> None:
    number = fresh_number()
    await db.certificates.insert_one(published(number))
    first = await lookup.by_number(db, number, "张三", cache)
    hits = cache.stats().hits
    second = await lookup.by_number(db, number, " 张三 ", cache)
    assert first is not None and second == first
    assert second.credential is not first.credential  # every hit has its own copy
    assert cache.stats().hits == hits + 1
    # The holder's name is still checked on every hit.
    assert await lookup.by_number(db, number, "李四", cache) is None
    # Unpublished certificates are never kept.
    pending = fresh_number()
    await db.certificates.insert_one({**published(pending), "status": "PENDING"})
    assert await lookup.by_number(db, pending, "张三", cache) is None
    assert cache.get(pending) is None


async def test_a_revocation_by_another_process_reaches_the_cache(
    db: Database, cache: lookup.LookupCache
) -> None:
    number = fresh_number()
    await db.certificates.insert_one(published(number))
    before = await lookup.by_number(db, number, "张三", cache)
    assert before is not None and not before.revoked
    assert cache.get(number) is not None
    # As `registry.certificates.revocation` writes it, from a process without this cache.
    at = dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC)
    await db.certificates.update_one(
        {"_id": number},
        {"$set": {"status": "REVOKED", "revocation": {"at": at, "reason": "作弊", "by": "x"}}},
    )
    await until(lambda: cache.get(number) is None)
    after = await lookup.by_number(db, number, "张三", cache)
    assert after is not None and after.revoked and after.revocation_reason == "作弊"
    assert after.revoked_at == at


async def test_a_deleted_certificate_leaves_the_cache_and_inserts_evict_nothing(
    db: Database, cache: lookup.LookupCache
) -> None:
    number = fresh_number()
    await db.certificates.insert_one(published(number))
    await lookup.by_number(db, number, "张三", cache)
    evictions = cache.stats().evictions
    await db.certificates.insert_many([published(fresh_number()) for _ in range(5)])
    await db.certificates.delete_one({"_id": number})
    await until(lambda: cache.get(number) is None)
    assert cache.stats().evictions == evictions + 1  # the delete; the inserts are not followed
    assert await lookup.by_number(db, number, "张三", cache) is None


async def test_a_read_that_raced_an_eviction_is_not_stored(cache: lookup.LookupCache) -> None:
    number, other = fresh_number(), fresh_number()
    ticket = cache.ticket()
    cache.evict(number)  # the certificate changed while the read was under way
    assert cache.put(number, ("x", object()), ticket) is False  # type: ignore[arg-type]
    assert cache.get(number) is None
    # Another number's eviction does not spoil this read; a read begun after it stores.
    assert cache.put(other, ("x", object()), ticket) is True  # type: ignore[arg-type]
    assert cache.put(number, ("x", object()), cache.ticket()) is True  # type: ignore[arg-type]


async def test_it_keeps_only_the_most_recently_used(db: Database) -> None:
    small: CertificateCache[str] = CertificateCache(2)
    task = asyncio.create_task(small.follow(db))
    try:
        await until(lambda: small.live)
        a, b, c = fresh_number(), fresh_number(), fresh_number()
        for n in (a, b):
            small.put(n, n, small.ticket())
        assert small.get(a) == a  # a is now the most recent
        small.put(c, c, small.ticket())
        assert (small.get(a), small.get(b), small.get(c)) == (a, None, c)
        assert small.stats().entries == 2
    finally:
        task.cancel()


async def test_without_a_change_stream_it_serves_and_stores_nothing() -> None:
    # A server that is not there stands for one without change streams: the stream never opens.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        "mongodb://127.0.0.1:9", serverSelectionTimeoutMS=200, connectTimeoutMS=200
    )
    off: CertificateCache[str] = CertificateCache(10)
    task = asyncio.create_task(off.follow(client["x"]))
    try:
        await asyncio.sleep(0.6)
        number = fresh_number()
        assert not off.live
        assert off.put(number, "doc", off.ticket()) is False
        assert off.get(number) is None
        assert not task.done()  # still trying
    finally:
        task.cancel()
        await client.close()


async def test_capacity_zero_is_off(db: Database) -> None:
    off: CertificateCache[str] = CertificateCache(0)
    await asyncio.wait_for(off.follow(db), 1)  # returns at once: nothing to follow
    assert not off.live and off.put(fresh_number(), "doc", 0) is False
    with pytest.raises(ValueError):
        CertificateCache(-1)


async def test_a_dropped_collection_empties_it_and_it_follows_again(
    db: Database, cache: lookup.LookupCache
) -> None:
    number = fresh_number()
    await db.certificates.insert_one(published(number))
    await lookup.by_number(db, number, "张三", cache)
    assert cache.get(number) is not None
    resets = cache.stats().resets
    await db.certificates.drop()
    await until(lambda: cache.stats().resets > resets and cache.live)
    assert cache.get(number) is None
    again = fresh_number()
    await db.certificates.insert_one(published(again))
    await lookup.by_number(db, again, "张三", cache)
    assert cache.get(again) is not None


# One step of several concurrent look-ups and changes: read begins (ticket + what the database
# holds now), the certificate changes (evict), a read ends (put), or a look-up is answered (get).
_steps = st.lists(
    st.tuples(st.sampled_from(["begin", "change", "end", "get"]), st.integers(0, 2)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_steps)
def test_the_cache_never_answers_an_older_version_than_the_last_change(
    cache: lookup.LookupCache, steps: list[tuple[str, int]]
) -> None:
    numbers = [fresh_number() for _ in range(3)]
    version = [0, 0, 0]  # what the database holds
    reads: list[list[tuple[int, int]]] = [[], [], []]  # in-flight: (ticket, version read)
    for op, i in steps:
        number = numbers[i]
        if op == "begin":
            reads[i].append((cache.ticket(), version[i]))
        elif op == "change":
            version[i] += 1
            cache.evict(number)  # what the change stream (or the revoking process) does
        elif op == "end" and reads[i]:
            ticket, seen = reads[i].pop(0)
            cache.put(number, (str(seen), None), ticket)  # type: ignore[arg-type]
        elif op == "get":
            held = cache.get(number)
            assert held is None or int(held[0]) == version[i]
