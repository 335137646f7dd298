"""Certificate numbers under this registry's rule (`docs/identifiers.md`):

    Z 35 0001 26 1 01 000001 X
    | |  |    |  | |  |      check: GB 11643 MOD 11-2 over positions 2-18
    | |  |    |  | |  serial within institution and year
    | |  |    |  | field 01-10
    | |  |    |  level 1-3
    | |  |    year of issue (2 digits)
    | |  institution number (assigned at first listing)
    | province of the issuing institution
    type: Z certificate, P training certificate

Serials come from a counter per institution and year, taken in the caller's transaction, so a
number is never handed out twice and never reused, also across restarts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from credentials import mod11_2_check
from registry.errors import Conflict, InvalidInput
from registry.storage.collections import Collection
from registry.storage.db import Database

PATTERN = re.compile(r"^[ZP][0-9]{17}[0-9X]$")
MAX_SERIAL = 999_999


class CertificateNumberError(InvalidInput):
    code = "INVALID_CERTIFICATE_NUMBER"


@dataclass(frozen=True)
class CertificateNumber:
    kind: str
    province: str
    institution_number: str
    year: int  # two digits
    level: int
    field: str
    serial: int

    def __str__(self) -> str:
        body = (
            f"{self.province}{self.institution_number}{self.year:02d}{self.level}"
            f"{self.field}{self.serial:06d}"
        )
        return f"{self.kind}{body}{mod11_2_check(body)}"


def parse(raw: str) -> CertificateNumber:
    """Parse and check a number; the error says what is wrong before any look-up happens."""
    value = "".join((raw or "").split()).upper()
    if len(value) != 19:
        raise CertificateNumberError(
            f"a certificate number has 19 characters, this one has {len(value)}", field="number"
        )
    if not PATTERN.match(value):
        raise CertificateNumberError(
            "a certificate number is Z or P, 17 digits and a check character (digit or X)",
            field="number",
        )
    if mod11_2_check(value[1:18]) != value[18]:
        raise CertificateNumberError(
            "check character wrong: the number is mistyped",
            code="CERTIFICATE_NUMBER_CHECK",
            field="number",
        )
    level = int(value[9])
    if level not in (1, 2, 3):
        raise CertificateNumberError("position 10 (level) must be 1, 2 or 3", field="number")
    return CertificateNumber(
        kind=value[0],
        province=value[1:3],
        institution_number=value[3:7],
        year=int(value[7:9]),
        level=level,
        field=value[10:12],
        serial=int(value[12:18]),
    )


async def allocate_serials(
    db: Database, institution: str, year: int, count: int, *, session: AsyncClientSession
) -> range:
    """`count` consecutive fresh serials for an institution and year (four digits)."""
    if count == 0:
        return range(0)
    counter = await db[Collection.COUNTERS].find_one_and_update(
        {"_id": f"certificate:{institution}:{year}"},
        {"$inc": {"value": count}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    assert counter is not None  # upsert + AFTER
    last = int(counter["value"])
    if last > MAX_SERIAL:
        raise Conflict(
            f"certificate serials for {year} are exhausted at this institution",
            code="SERIALS_EXHAUSTED",
        )
    return range(last - count + 1, last + 1)
