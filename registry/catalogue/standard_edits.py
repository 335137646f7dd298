"""The office's edits of the national standards: title, issuer, date, the occupations covered and
per level the training hours and the application conditions (申报条件), None where the official
text is not yet entered. Written as `edits` writes occupations: checked whole, versioned,
audited, a repeated edit `replayed`."""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.catalogue import validation as check
from registry.catalogue import versions
from registry.catalogue.edits import Edited, raise_problems, stored, write
from registry.catalogue.model import STANDARD, CatalogueAction
from registry.catalogue.policy import decide
from registry.problems import Problem, reject
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction


async def _primary_codes(
    db: Database, problems: list[Problem], codes: tuple[str, ...]
) -> list[str]:
    out = []
    if not codes:
        problems.append(Problem("occupations", "REQUIRED", "a standard covers an occupation"))
    for i, code in enumerate(codes):
        found = (
            await catalogue.occupation(db, code)
            if catalogue.OCCUPATION_CODE.match(code.strip())
            else None
        )
        if found is None:
            problems.append(
                Problem(f"occupations[{i}]", "OCCUPATION_NOT_FOUND", f"no occupation {code[:32]!r}")
            )
        else:
            out.append(found.code)
    return out


async def _standard_document(
    db: Database, problems: list[Problem], spec: check.StandardInput, base: Document
) -> Document:
    """The standard `spec` makes of `base` (`{}`: a new one), its problems added."""
    title = spec.title if spec.title is not None else base.get("title", "")
    occupations = (
        await _primary_codes(db, problems, spec.occupations)
        if spec.occupations is not None
        else base.get("occupations", [])
    )
    issued_by = spec.issued_by if spec.issued_by is not None else base.get("issued_by")
    if issued_by is not None:
        issued_by = check.text(problems, "issuedBy", issued_by, check.MAX_TITLE)
    issued_on = check.issued_on(problems, spec.issued_on, clock.today())
    given = {lv["level"]: lv for lv in check.levels(problems, spec.levels or ())}
    old = {lv["level"]: lv for lv in catalogue.standard_levels(base.get("levels"))}
    return {
        "_id": base.get("_id") or (f"std:{occupations[0]}" if occupations else ""),
        "title": check.text(problems, "title", title, check.MAX_TITLE),
        "occupations": occupations,
        "issued_by": issued_by,
        "issued_on": issued_on if spec.issued_on is not None else base.get("issued_on"),
        "confirmed": spec.confirmed if spec.confirmed is not None else base.get("confirmed", False),
        "levels": catalogue.standard_levels([{**old, **given}[c] for c in catalogue.LEVEL_CODES]),
    }


async def add_standard(db: Database, principal: Principal, spec: check.StandardInput) -> Edited:
    """Add a standard (OFFICE_ADMIN), its id `std:<first occupation's code>`. The same standard
    again answers it, `replayed`; another under that id is `DUPLICATE_STANDARD`."""
    decide(principal, CatalogueAction.ADD_STANDARD).require()
    problems: list[Problem] = []
    if spec.title is None:
        problems.append(Problem("title", "REQUIRED", "a standard has a title"))
    doc = await _standard_document(db, problems, spec, {})
    raise_problems(problems)

    async def work(session: AsyncClientSession) -> Edited:
        taken = await db[Collection.STANDARDS].find_one({"_id": doc["_id"]}, session=session)
        if taken is not None and versions.content(taken) != doc:
            raise reject("occupations[0]", "DUPLICATE_STANDARD", f"{doc['_id']} exists already")
        return await write(db, STANDARD, principal, taken, stored(doc, 1), session)

    return await in_transaction(db, work)


async def edit_standard(
    db: Database, principal: Principal, standard_id: str, spec: check.StandardInput
) -> Edited:
    """Change the standard `standard_id` as `spec` says (OFFICE_ADMIN); a new version unless
    nothing changes (then `replayed`)."""
    decide(principal, CatalogueAction.EDIT_STANDARD).require()

    async def work(session: AsyncClientSession) -> Edited:
        before = await db[Collection.STANDARDS].find_one({"_id": standard_id}, session=session)
        if before is None:
            raise reject("id", "STANDARD_NOT_FOUND", f"no standard {standard_id[:40]!r}")
        problems: list[Problem] = []
        doc = await _standard_document(db, problems, spec, before)
        raise_problems(problems)
        same = versions.content(before) == doc
        after = before if same else stored(doc, before.get("version", 1) + 1)
        return await write(db, STANDARD, principal, before, after, session)

    return await in_transaction(db, work)
