"""Certificate look-ups find a holder's name however it is written (issue 16 item 6): every
middle-dot variant, Latin names in any case and spacing, by number (from the database and from
the look-up cache) and by ID number; a name with different letters finds nothing."""

from __future__ import annotations

import itertools
import random

import pytest
import pytest_asyncio

from registry.access.personal import PersonalData
from registry.certificates import lookup
from registry.certificates.numbers import CertificateNumber
from registry.storage.db import Database
from tests.factories import make_id_number
from tests.name_variants import DOT_VARIANTS, LATIN_VARIANTS
from tests.registry.certificates.test_cache import published

PERSONAL = PersonalData(b"n" * 32)
_serials = itertools.count(500_001)
WRONG = ["阿卜杜拉·买买堤", "阿卜杜拉买买提", "John Smyth", "Jon Smith", "张三"]


def fresh_number() -> str:
    return str(CertificateNumber("Z", "35", "0002", 26, 1, "01", next(_serials)))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def holders(db: Database) -> dict[str, tuple[str, str]]:
    """Two published certificates: name -> (number, ID number)."""
    rng = random.Random("lookup-names")
    made = {}
    for name in ("阿卜杜拉·买买提", "John Smith"):
        number, id_number = fresh_number(), make_id_number(rng)
        doc = published(number, name) | {"id_hash": PERSONAL.lookup_hash(id_number)}
        await db.certificates.insert_one(doc)
        made[name] = (number, id_number)
    return made


VARIANTS = [("阿卜杜拉·买买提", v) for v in DOT_VARIANTS] + [
    ("John Smith", v) for v in LATIN_VARIANTS
]


@pytest.mark.parametrize(("stored", "written"), VARIANTS)
async def test_by_number_finds_every_way_of_writing_the_name(
    db: Database, holders: dict[str, tuple[str, str]], stored: str, written: str
) -> None:
    number, _ = holders[stored]
    found = await lookup.by_number(db, number, written)
    assert found is not None and found.number == number
    assert found.holder_name == stored  # shown as it was recorded, not as it was typed


@pytest.mark.parametrize(("stored", "written"), VARIANTS)
async def test_the_cache_answers_every_way_of_writing_the_name(
    db: Database,
    holders: dict[str, tuple[str, str]],
    cache: lookup.LookupCache,
    stored: str,
    written: str,
) -> None:
    number, _ = holders[stored]
    await lookup.by_number(db, number, stored, cache)  # the first read fills the cache
    hits = cache.stats().hits
    found = await lookup.by_number(db, number, written, cache)
    assert cache.stats().hits == hits + 1
    assert found is not None and found.number == number


@pytest.mark.parametrize(("stored", "written"), VARIANTS)
async def test_by_id_number_finds_every_way_of_writing_the_name(
    db: Database, holders: dict[str, tuple[str, str]], stored: str, written: str
) -> None:
    number, id_number = holders[stored]
    found = await lookup.by_holder(db, PERSONAL, id_number, written)
    assert [c.number for c in found] == [number]


@pytest.mark.parametrize("wrong", WRONG)
async def test_other_letters_find_nothing(
    db: Database, holders: dict[str, tuple[str, str]], cache: lookup.LookupCache, wrong: str
) -> None:
    for number, id_number in holders.values():
        assert await lookup.by_number(db, number, wrong) is None
        assert await lookup.by_number(db, number, wrong, cache) is None
        assert await lookup.by_holder(db, PERSONAL, id_number, wrong) == []
