"""What the exam workflow's tests share: the session's occupation, the dates, the evaluation
institutions' principals, fictitious candidates and their results."""

from __future__ import annotations

import datetime as dt
import random

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates.validation import ResultInput
from registry.storage.db import Database
from tests.factories import listed_institution, make_id_number

OCCUPATION, DIRECTION = "2-02-38-01", "计算机视觉产品实现"
EXAM = clock.today() - dt.timedelta(days=3)
BEFORE = dt.datetime.combine(EXAM - dt.timedelta(days=20), dt.time(2), tzinfo=dt.UTC)


def evaluator(uscc: str) -> Principal:
    """The token of the evaluation institution `uscc`."""
    return Principal(Role.EVALUATION_INSTITUTION, "t", f"tok-{uscc[-4:]}", institution=uscc)


def people(seed: int, prefix: str, count: int) -> list[tuple[str, str]]:
    """`count` fictitious candidates: name and ID number."""
    rng = random.Random(seed)
    return [(f"{prefix}{i:02d}", make_id_number(rng)) for i in range(count)]


def passing(person: tuple[str, str]) -> ResultInput:
    """A passing result of `person` in the sessions' occupation, direction and level 1."""
    return ResultInput(*person, OCCUPATION, 1, 80, 75, direction=DIRECTION)


async def listed_evaluators(db: Database, *usccs: str) -> None:
    """The reference data, and each of `usccs` listed as an evaluation institution."""
    await catalogue.seed_reference(db)
    for uscc in usccs:
        await listed_institution(db, uscc, filed="2025-01-06")
