"""What the printable certificate shows, found by the public look-up's rules: the certificate by
its number and the holder's name (`lookup.by_number`: unknown, unpublished and another name all
answer None), worded for print with the occupation's codes from the catalogue and the issuing
institution's name from the directory. The page itself is `registry.printing.certificate_pdf`."""

from __future__ import annotations

from credentials import qr
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import lookup
from registry.errors import RegistryError
from registry.printing.certificate_pdf import PrintedCertificate
from registry.storage.collections import Collection
from registry.storage.db import Database


class CertificateRevoked(RegistryError):
    """A revoked certificate is shown by the look-up (with its revocation) but never printed:
    a print would look valid to anyone who does not scan its code."""

    code = "CERTIFICATE_REVOKED"


async def _issuer_name(db: Database, found: lookup.PublicCertificate) -> str:
    """The institution's name in the directory now; the name it signed with if it has none."""
    doc = await db[Collection.INSTITUTIONS].find_one({"_id": found.issuer}, {"name": 1})
    if doc is not None and doc.get("name"):
        return str(doc["name"])
    return str(found.credential.get("issuer", {}).get("name", found.issuer))


async def _occupation(db: Database, code: str) -> tuple[str, list[str]]:
    """The occupation's name and its code in each edition of the classification, a code the
    catalogue has not confirmed marked so (as the certificate page marks it)."""
    occupation = await catalogue.occupation(db, code)
    if occupation is None:
        return code, [code]
    return occupation.name, [
        f"{c.code}（{c.edition}年版{'' if c.confirmed else '，待确认'}）" for c in occupation.codes
    ]


async def _level(db: Database, code: int) -> str:
    """The level's name in Chinese and English, from the catalogue: `初级 Junior`."""
    names = {level.code: f"{level.name} {level.name_en}" for level in await catalogue.levels(db)}
    return names.get(code, str(code))


async def printable(
    db: Database,
    number: str,
    holder_name: str,
    base_url: str,
    cache: lookup.LookupCache | None = None,
) -> PrintedCertificate | None:
    """The certificate to print, or None where the look-up finds none. Raises
    `CertificateNumberError` for a malformed number (before any read) and `CertificateRevoked`
    for a revoked certificate."""
    found = await lookup.by_number(db, number, holder_name, cache)
    if found is None:
        return None
    if found.revoked:
        raise CertificateRevoked(
            "this certificate has been revoked and cannot be printed", field="number"
        )
    occupation_name, codes = await _occupation(db, found.occupation)
    return PrintedCertificate(
        number=found.number,
        holder_name=found.holder_name,
        occupation_name=occupation_name,
        occupation_codes=codes,
        direction=found.direction,
        level=await _level(db, found.level),
        issuer_name=await _issuer_name(db, found),
        issuer_uscc=found.issuer,
        exam_date=found.exam_date,
        issued_on=clock.china_date(found.issued_at),
        qr_text=qr.encode_text(found.credential),
        verify_url=f"{base_url}/verify",
    )
