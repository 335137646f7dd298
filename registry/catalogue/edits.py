"""The office's edits of the catalogue: add and edit occupations (their codes, field, name and
directions) and national standards. Each edit is checked whole, then written in one transaction
with its new version (`versions`) and its audit entry (the store); the same edit again writes
nothing (`replayed`). Only the office may edit (`policy.decide`)."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.catalogue import validation as check
from registry.catalogue import versions
from registry.catalogue.model import OCCUPATION, CatalogueAction, Completeness
from registry.catalogue.policy import decide
from registry.problems import Problem, Rejected, reject
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction


@dataclass(frozen=True)
class Edited:
    document: Document
    replayed: bool  # the catalogue already said this: nothing was written


def stored(doc: Document, version: int) -> Document:
    return {**doc, "version": version, "edited": True, "source": "office"}


async def write(
    db: Database,
    kind: store.Kind,
    principal: Principal,
    before: Document | None,
    after: Document,
    session: AsyncClientSession,
) -> Edited:
    """Store `after` (a new entry when `before` is None) with its version, or nothing when the
    entry already says the same."""
    if before is not None and versions.content(before) == versions.content(after):
        return Edited(before, replayed=True)
    moment = clock.now()
    if before is None:
        written = await store.insert(db, kind, principal, "add", after, session)
    else:
        written = await store.save(db, kind, principal, "edit", before, after, session)
    await versions.record(db, kind.entity, before, written, principal, moment, session)
    return Edited(written, replayed=False)


def raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise Rejected(problems)


async def _codes_taken(
    db: Database, codes: list[str], owner: str | None, session: AsyncClientSession
) -> Document | None:
    """Another occupation (not `owner`) that holds one of `codes`."""
    query: Document = {"codes_all": {"$in": codes}}
    if owner is not None:
        query["_id"] = {"$ne": owner}
    return await db[Collection.OCCUPATIONS].find_one(query, session=session)


def _occupation_document(
    problems: list[Problem], spec: check.OccupationInput, base: Document | None
) -> Document:
    """The occupation `spec` makes of `base` (None: a new one), its problems added."""
    old = base or {}
    name = check.text(
        problems,
        "name",
        spec.name if spec.name is not None else old.get("name", ""),
        check.MAX_NAME,
    )
    codes = check.codes(
        problems,
        spec.codes
        if spec.codes is not None
        else tuple(check.CodeInput(**c) for c in old.get("codes", [])),
    )
    names = (
        spec.directions
        if spec.directions is not None
        else tuple(d["name"] for d in old.get("directions", []) if not d["placeholder"])
    )
    state = spec.directions_state or (
        Completeness(old["directions_state"])
        if old.get("directions_state")
        else (Completeness.INCOMPLETE if names else Completeness.UNKNOWN)
    )
    expected = (
        spec.directions_expected
        if spec.directions_expected is not None
        else old.get("directions_expected")
    )
    directions = check.directions(problems, names, state, expected)
    if not codes or any((p.field or "").startswith("codes") for p in problems):
        return {}  # no primary code to build on
    return catalogue.occupation_document(
        name=name,
        field=spec.field if spec.field is not None else old.get("field", ""),
        codes=codes,
        directions=directions,
        directions_expected=expected,
        directions_state=state,
    )


async def _check_field(db: Database, problems: list[Problem], code: str | None) -> None:
    if code is not None and await catalogue.field(db, code) is None:
        problems.append(Problem("field", "UNKNOWN_FIELD", f"no field {code[:8]!r} (01-10)"))


async def add_occupation(db: Database, principal: Principal, spec: check.OccupationInput) -> Edited:
    """Add an occupation (OFFICE_ADMIN). The same occupation again answers it, `replayed`; a code
    another occupation holds is `DUPLICATE_OCCUPATION_CODE`."""
    decide(principal, CatalogueAction.ADD_OCCUPATION).require()
    problems: list[Problem] = []
    if spec.field is None:
        problems.append(Problem("field", "REQUIRED", "an occupation belongs to a field"))
    await _check_field(db, problems, spec.field)
    doc = _occupation_document(problems, spec, None)
    raise_problems(problems)

    async def work(session: AsyncClientSession) -> Edited:
        taken = await _codes_taken(db, doc["codes_all"], None, session)
        if taken is not None and versions.content(taken) != doc:
            raise _duplicate(doc, taken)
        return await write(db, OCCUPATION, principal, taken, stored(doc, 1), session)

    return await in_transaction(db, work)


def _duplicate(doc: Document, taken: Document) -> Rejected:
    held = set(taken["codes_all"])
    i = next(i for i, c in enumerate(doc["codes_all"]) if c in held)
    return reject(
        f"codes[{i}].code",
        "DUPLICATE_OCCUPATION_CODE",
        f"{doc['codes_all'][i]} is already a code of {taken['name']} ({taken['_id']})",
    )


async def _find_occupation(db: Database, code: str, session: AsyncClientSession) -> Document:
    cleaned = catalogue.normalise_occupation_code(code)
    if not catalogue.OCCUPATION_CODE.match(cleaned):
        raise reject("code", "INVALID_OCCUPATION_CODE", "an occupation code looks like 2-02-38-01")
    found = await db[Collection.OCCUPATIONS].find_one({"codes_all": cleaned}, session=session)
    if found is None:
        raise reject("code", "OCCUPATION_NOT_FOUND", f"no occupation {cleaned}")
    return found


def _keeps(problems: list[Problem], before: Document, after: Document) -> None:
    """The primary code and every named direction stay: certificates, scopes and cohorts name
    them."""
    if before["_id"] not in after["codes_all"] or after["_id"] != before["_id"]:
        problems.append(
            Problem(
                "codes",
                "PRIMARY_CODE_FIXED",
                f"{before['_id']} is the code certificates name; it cannot change",
            )
        )
    kept = {d["name"] for d in after["directions"]}
    for d in before["directions"]:
        if not d["placeholder"] and d["name"] not in kept:
            problems.append(
                Problem("directions", "DIRECTION_REMOVED", f"{d['name']} is named by records")
            )


async def edit_occupation(
    db: Database, principal: Principal, code: str, spec: check.OccupationInput
) -> Edited:
    """Change the occupation `code` (either edition's) as `spec` says (OFFICE_ADMIN); a new
    version unless nothing changes (then `replayed`)."""
    decide(principal, CatalogueAction.EDIT_OCCUPATION).require()

    async def work(session: AsyncClientSession) -> Edited:
        before = await _find_occupation(db, code, session)
        problems: list[Problem] = []
        await _check_field(db, problems, spec.field)
        doc = _occupation_document(problems, spec, before)
        if doc:
            _keeps(problems, before, doc)
        raise_problems(problems)
        taken = await _codes_taken(db, doc["codes_all"], before["_id"], session)
        if taken is not None:
            raise _duplicate(doc, taken)
        return await write(db, OCCUPATION, principal, before, _next(before, doc), session)

    return await in_transaction(db, work)


def _next(before: Document, doc: Document) -> Document:
    """`doc` as the next version of `before` (or `before` itself when nothing changes)."""
    if versions.content(before) == doc:
        return before
    return stored(doc, before.get("version", 1) + 1)
