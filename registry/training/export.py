"""Exporting a continuing-education record for one year as a signed credential.

Signed for the registry (the record sums completions from several institutions, so no single
institution can vouch for it) by the key `registry/trust/offline_root.signer` names, carrying the
chain from the root to it, and bound to the holder's card by a fresh Argon2id commitment.
`registry verify FILE --root-key <root key>` checks it against the pinned root alone; the ID
number never enters the credential.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

from credentials import CeEntryClaims, CeRecordClaims, Level, binding, issue_ce_record
from registry.access.auth import Principal
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.intake.identifiers import normalise_id_number
from registry.problems import reject
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.training import hours
from registry.trust import offline_root

ISSUER_NAME = "数字技术工程师培育项目公共登记系统"


async def ce_credential(
    db: Database,
    master_key: bytes,
    personal: PersonalData,
    principal: Principal,
    id_number: str,
    holder_name: str | None,
    year: int,
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The signed record of `year`; `Rejected` (NO_HOURS) when the year has no hours. The same
    access rule as `hours.record` (ID number and name, or a reviewer)."""
    normalised = normalise_id_number(id_number)
    found = await hours.record(db, personal, principal, normalised, holder_name, year=year)
    entry_year = found.year(year)
    if entry_year is None or found.holder_name is None:
        raise reject("year", "NO_HOURS", f"no continuing-education hours recorded for {year}")
    # Taken before the key is chosen: the signer is the one valid at this moment.
    moment = (now or clock.now()).replace(microsecond=0)
    signer = await offline_root.signer(db, master_key, now=moment)
    # Stable for the same holder, year and entries, so two exports of the same record share an id.
    material = "|".join(
        [personal.lookup_hash(normalised), str(year)]
        + [f"{e.certificate}:{e.hours}" for e in entry_year.entries]
    )
    claims = CeRecordClaims(
        record_id=hashlib.sha256(material.encode()).hexdigest()[:32],
        holder_name=found.holder_name,
        year=year,
        entries=await _entries(db, entry_year),
        issuer_name=ISSUER_NAME,
        valid_from=moment,
    )
    # Argon2id takes tens of milliseconds: off the event loop.
    commitment = await asyncio.to_thread(binding.commit, normalised)
    return issue_ce_record(
        claims, signer.key, binding=commitment, created=moment, chain=signer.chain()
    )


async def _entries(db: Database, entry_year: hours.CeYear) -> tuple[CeEntryClaims, ...]:
    """The year's completions as credential entries, with occupation and institution names."""
    # By code: the catalogue may list any number of occupations (not only its first page).
    codes = sorted({e.occupation for e in entry_year.entries})
    names = {c: o.name for c, o in (await catalogue.occupations_by_codes(db, codes)).items()}
    institutions = {
        d["_id"]: d["name"]
        async for d in db[Collection.INSTITUTIONS].find(
            {"_id": {"$in": sorted({e.institution for e in entry_year.entries})}}, {"name": 1}
        )
    }
    return tuple(
        CeEntryClaims(
            training_certificate=e.certificate,
            institution_uscc=e.institution,
            institution_name=institutions.get(e.institution, e.institution),
            occupation_code=e.occupation,
            occupation_name=names.get(e.occupation, e.occupation),
            level=Level(e.level),
            hours=e.hours,
            completed_on=e.completed_on,
            direction=e.direction,
        )
        for e in entry_year.entries
    )
