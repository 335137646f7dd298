"""An application to join a directory: validated as a whole, every problem reported at once,
with the eligibility rule of the notice (section 四(二)) named when one is not met."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from registry.catalogue import reference_data as catalogue
from registry.institutions import sectors
from registry.institutions.model import (
    MIN_EXPERIENCE_YEARS,
    MIN_YEARLY_COUNT,
    PRIORITY_OF_KIND,
    Kind,
    PriorityBasis,
)
from registry.intake.identifiers import UsccError, normalise_uscc
from registry.problems import Problem, Rejected
from registry.storage.db import Database

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
MAX_TEXT = 200
MAX_SCOPE = 200
MAX_FEES = 50


@dataclass
class ScopeInput:
    occupation: str
    level: int
    direction: str | None = None


@dataclass
class FeeInput:
    item: str
    amount_yuan: float
    unit: str = "人次"
    note: str | None = None


@dataclass
class ApplicationInput:
    uscc: str
    name: str
    kind: Kind
    province: str
    contact_person: str
    contact_phone: str
    experience_years: int
    yearly_count: int
    registered_in_china: bool
    scope: list[ScopeInput] = field(default_factory=list)
    fees: list[FeeInput] = field(default_factory=list)
    contact_email: str | None = None
    address: str | None = None
    ministry_level: bool = False
    # Priority in the selection claimed (notice 四(三)) and its evidence.
    priority: PriorityBasis | None = None
    priority_evidence: str | None = None
    # Recommended through the HR office of this sector's ministry (notice 四(四)) rather than
    # the provincial department of its province.
    sector: str | None = None


def _priority(problems: list[Problem], app: ApplicationInput) -> dict[str, str] | None:
    if app.priority is None:
        if app.priority_evidence and app.priority_evidence.strip():
            problems.append(
                Problem("priorityEvidence", "PRIORITY_REQUIRED", "evidence without a priority")
            )
        return None
    expected = PRIORITY_OF_KIND[app.kind]
    if app.priority is not expected:
        problems.append(
            Problem(
                "priority",
                "PRIORITY_KIND",
                f"a {app.kind.value} institution may claim priority only as {expected.value} "
                "(notice 四(三))",
            )
        )
    evidence = _text(problems, "priorityEvidence", app.priority_evidence, required=True)
    return {"basis": app.priority.value, "evidence": evidence or ""}


async def _route(
    db: Database, problems: list[Problem], app: ApplicationInput, scope: list[dict[str, Any]]
) -> tuple[str | None, list[str]]:
    """The sector the application goes through (None: its province, or the office) and the
    programme fields its scope covers; a sector must be known, must cover every one of them and
    is not for a ministry-level body (which the office recommends)."""
    fields = sorted(
        {occ.field for e in scope if (occ := await catalogue.occupation(db, e["occupation"]))}
    )
    if app.sector is None:
        return None, fields
    code = app.sector.strip()
    if sectors.sector(code) is None:
        known = ", ".join(sorted(sectors.sectors()))
        problems.append(
            Problem("sector", "UNKNOWN_SECTOR", f"{code[:16]!r} is not a sector ({known})")
        )
    elif outside := sectors.outside(code, fields):
        problems.append(
            Problem(
                "sector",
                "OUTSIDE_SECTOR",
                f"field(s) {', '.join(outside)} of the scope lie outside sector {code}; its "
                "ministry may recommend only within its fields",
            )
        )
    if app.ministry_level:
        problems.append(
            Problem(
                "sector",
                "RECOMMENDER_CONFLICT",
                "a ministry-level body is recommended by the office, not through a sector",
            )
        )
    return code, fields


def _text(problems: list[Problem], path: str, value: str | None, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            problems.append(Problem(path, "REQUIRED", f"`{path}` is required"))
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        problems.append(Problem(path, "TOO_LONG", f"`{path}` is limited to {MAX_TEXT} characters"))
    return value


def _contact(problems: list[Problem], app: ApplicationInput) -> dict[str, str | None]:
    person = _text(problems, "contact.person", app.contact_person, required=True)
    phone = _text(problems, "contact.phone", app.contact_phone, required=True)
    if phone and not _PHONE.match(phone):
        problems.append(
            Problem("contact.phone", "INVALID_PHONE", "`contact.phone` is not a phone number")
        )
    email = _text(problems, "contact.email", app.contact_email, required=False)
    if email and not _EMAIL.match(email):
        problems.append(
            Problem("contact.email", "INVALID_EMAIL", "`contact.email` is not an email address")
        )
    address = _text(problems, "contact.address", app.address, required=False)
    return {"person": person, "phone": phone, "email": email, "address": address}


def _eligibility(problems: list[Problem], app: ApplicationInput) -> None:
    """The conditions of the notice's section 四(二), each named when it is not met."""
    if not app.registered_in_china:
        problems.append(
            Problem(
                "registeredInChina",
                "ELIGIBILITY_REGISTRATION",
                "the applicant must be a legal person registered in China (notice 四(二)1)",
            )
        )
    if app.experience_years < MIN_EXPERIENCE_YEARS:
        problems.append(
            Problem(
                "experienceYears",
                "ELIGIBILITY_EXPERIENCE",
                f"at least {MIN_EXPERIENCE_YEARS} years of training or assessment experience are "
                f"required (notice 四(二)3); the application states {app.experience_years}",
            )
        )
    if app.yearly_count < MIN_YEARLY_COUNT:
        problems.append(
            Problem(
                "yearlyCount",
                "ELIGIBILITY_SCALE",
                f"at least {MIN_YEARLY_COUNT} trainees or candidates a year are required "
                f"(notice 四(二)3); the application states {app.yearly_count}",
            )
        )


def claimed(app: ApplicationInput) -> dict[str, Any]:
    """Whom the application says it is for, read before anything of it is validated: the code as
    written (spaces removed, upper-cased, as `normalise_uscc` reads it) and the kind. The policy
    decides on this first, so a caller who may not apply learns nothing about its input."""
    return {"_id": "".join(str(app.uscc).split()).upper(), "kind": app.kind.value}


async def validate(db: Database, app: ApplicationInput) -> dict[str, Any]:
    """The fields of the institution document, or `Rejected` with every problem found."""
    problems: list[Problem] = []
    uscc = None
    try:
        uscc = normalise_uscc(app.uscc)
    except UsccError as error:
        problems.append(Problem("uscc", error.code, error.message))
    name = _text(problems, "name", app.name, required=True)
    contact = _contact(problems, app)
    if app.province not in {p.code for p in await catalogue.provinces(db)}:
        problems.append(
            Problem(
                "province",
                "UNKNOWN_PROVINCE",
                f"province {app.province[:8]!r} is not a GB/T 2260 province code",
            )
        )
    _eligibility(problems, app)
    scope = await validate_scope(db, app.scope, problems)
    fees = fee_schedule(app.fees, problems)
    priority = _priority(problems, app)
    sector, fields = await _route(db, problems, app, scope)
    if problems:
        raise Rejected(problems)
    return {
        "_id": uscc,
        "name": name,
        "kind": app.kind.value,
        "province": app.province,
        "ministry_level": app.ministry_level,
        "contact": contact,
        "experience_years": app.experience_years,
        "yearly_count": app.yearly_count,
        "registered_in_china": True,
        "scope": scope,
        "fees": fees,
        "priority": priority,
        "sector": sector,
        "fields": fields,
    }


async def _scope_entry(
    db: Database, entry: ScopeInput, here: str, problems: list[Problem]
) -> tuple[str, str | None, int] | None:
    """One entry as (occupation code, direction, level), or None with its problem recorded."""
    occ = None
    if catalogue.OCCUPATION_CODE.match(entry.occupation.strip()):
        occ = await catalogue.occupation(db, entry.occupation)
    if occ is None:
        problems.append(
            Problem(
                f"{here}.occupation",
                "UNKNOWN_OCCUPATION",
                f"{entry.occupation[:32]!r} is not an occupation of the programme",
            )
        )
        return None
    if entry.level not in (1, 2, 3):
        problems.append(
            Problem(f"{here}.level", "INVALID_LEVEL", "level must be 1 初级, 2 中级 or 3 高级")
        )
        return None
    direction = entry.direction.strip() if entry.direction else None
    if direction is not None and direction not in {d.name for d in occ.directions}:
        problems.append(
            Problem(
                f"{here}.direction",
                "UNKNOWN_DIRECTION",
                f"{direction[:40]!r} is not a direction of {occ.name} in the catalogue",
            )
        )
        return None
    return occ.code, direction, entry.level


async def validate_scope(
    db: Database, entries: list[ScopeInput], problems: list[Problem], path: str = "scope"
) -> list[dict[str, Any]]:
    if not entries:
        problems.append(
            Problem(path, "REQUIRED", "the scope needs at least one occupation × level")
        )
        return []
    if len(entries) > MAX_SCOPE:
        problems.append(Problem(path, "TOO_MANY", f"a scope is limited to {MAX_SCOPE} entries"))
        return []
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None, int]] = set()
    for i, entry in enumerate(entries):
        key = await _scope_entry(db, entry, f"{path}[{i}]", problems)
        if key is None:
            continue
        if key in seen:
            problems.append(
                Problem(
                    f"{path}[{i}]",
                    "DUPLICATE",
                    "this occupation × direction × level is listed twice",
                )
            )
            continue
        seen.add(key)
        out.append({"occupation": key[0], "direction": key[1], "level": key[2]})
    return out


def fee_schedule(fees: list[FeeInput], problems: list[Problem]) -> list[dict[str, Any]]:
    """A disclosed fee schedule as stored; each problem (on `fees[i]...`) added to `problems`."""
    if not fees:
        problems.append(
            Problem("fees", "REQUIRED", "the fee schedule must be disclosed: at least one item")
        )
    if len(fees) > MAX_FEES:
        problems.append(
            Problem("fees", "TOO_MANY", f"a fee schedule is limited to {MAX_FEES} items")
        )
        return []
    out = []
    for i, fee in enumerate(fees):
        item = _text(problems, f"fees[{i}].item", fee.item, required=True)
        unit = _text(problems, f"fees[{i}].unit", fee.unit, required=True)
        if not (0 <= fee.amount_yuan <= 1_000_000) or fee.amount_yuan != fee.amount_yuan:
            problems.append(
                Problem(
                    f"fees[{i}].amountYuan",
                    "INVALID_AMOUNT",
                    "amount must be between 0 and 1,000,000 yuan",
                )
            )
        out.append(
            {
                "item": item,
                "amount_yuan": round(fee.amount_yuan, 2),
                "unit": unit,
                "note": _text(problems, f"fees[{i}].note", fee.note, required=False),
            }
        )
    return out
